package org.sparktrain.engine.kernel;

import java.util.Arrays;

/**
 * GEMM on {@code jdk.incubator.vector}: register-blocked FMA micro-kernels, single thread.
 *
 * <p>Computes {@code C (+)= op(A)·op(B)} as in {@link Gemm}. Strategy per transpose case:
 * <ul>
 *   <li><b>NN, TN</b> ({@code !transB}): C is cut into column panels of NR = 2 vectors (16 floats on
 *       AVX2); within a panel, {@link BroadcastKernels} compute 6-row tiles (then 4, 2, 1 for the
 *       remainder) reading B in place. transA only changes the strides at which op(A) is broadcast,
 *       so it costs nothing extra. A last partial panel ({@code n mod NR} columns) is copied into a
 *       zero-padded k×NR buffer first.</li>
 *   <li><b>NT</b> ({@code transB, !transA}): {@link DotKernels} when m or n is small — dot products
 *       along the contiguous k axis, no copy; else each k×NR panel of Bᵀ is packed (a scalar
 *       gather, cost k·n) and the broadcast kernels run on it.</li>
 *   <li><b>TT</b>: packed Bᵀ panels with transposed-A broadcasts.</li>
 * </ul>
 * Workspaces are per thread and only grow, so after warm-up a call allocates nothing, and
 * concurrent calls writing distinct C do not interfere.
 *
 * <p>Needs {@code --add-modules jdk.incubator.vector} at compile and run time; obtain it through
 * {@link Gemms#fastest()}, which loads this class only when the module is present.
 */
public final class VectorGemm implements Gemm, ColdTwin<Gemm> {
    private static final int NR = BroadcastKernels.NR;
    /** The tile buffer holds a ragged MR×NR broadcast tile or a 4×3 dot tile. */
    private static final ThreadLocal<GemmWorkspace> WORKSPACE =
            GemmWorkspace.perThread(Math.max(BroadcastKernels.MR * NR, 12));
    /**
     * NT with m or n at most this uses dot products; above it, packing Bᵀ (k·n scalar copies) is
     * amortised over enough rows, and the dot kernel's per-tile lane reductions cost more than the
     * packing. Measured with GemmBench (vector-dot vs vector-pack) on the 2-vCPU AMD EPYC dev box:
     * dot wins clearly at m = 6 and 16 with long k (65 vs 8, 55 vs 27 GFLOPS), loses at m = 64 with
     * n ≥ 120 (e.g. 30 vs 66 GFLOPS for 64×512×156), and is even at 64×10×128.
     */
    static final int DOT_MAX_SIDE = 32;

    /** How NT products are done; AUTO except in tests and benchmarks that compare the two. */
    enum TransBStrategy { AUTO, DOT, PACK }

    private final TransBStrategy transBStrategy;

    public VectorGemm() {
        this(TransBStrategy.AUTO);
    }

    VectorGemm(TransBStrategy transBStrategy) {
        this.transBStrategy = transBStrategy;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, float[] b, int bOff,
                     float[] c, int cOff, boolean accumulate) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            // An empty sum: C = 0, or C unchanged when accumulating.
            if (!accumulate) {
                Arrays.fill(c, cOff, cOff + m * n, 0f);
            }
            return;
        }
        GemmWorkspace ws = WORKSPACE.get();
        // op(A)(i, p) lives at aOff + i·ars + p·acs.
        int ars = transA ? 1 : k;
        int acs = transA ? m : 1;
        if (!transB) {
            int full = n - n % NR;
            for (int j0 = 0; j0 < full; j0 += NR) {
                BroadcastKernels.rows(m, k, a, aOff, ars, acs, b, bOff + j0, n,
                        c, cOff + j0, n, NR, accumulate, ws.tile());
            }
            if (full < n) {
                float[] panel = ws.panel(k * NR);
                Panels.pack(b, bOff, n, 1, k, full, n - full, NR, panel);
                BroadcastKernels.rows(m, k, a, aOff, ars, acs, panel, 0, NR,
                        c, cOff + full, n, n - full, accumulate, ws.tile());
            }
        } else if (!transA && useDot(m, n)) {
            DotKernels.gemm(m, n, k, a, aOff, b, bOff, c, cOff, accumulate, ws.tile());
        } else {
            float[] panel = ws.panel(k * NR);
            for (int j0 = 0; j0 < n; j0 += NR) {
                int w = Math.min(NR, n - j0);
                // op(B)(p, j) = B[j, p] lives at bOff + p·1 + j·k.
                Panels.pack(b, bOff, 1, k, k, j0, w, NR, panel);
                BroadcastKernels.rows(m, k, a, aOff, ars, acs, panel, 0, NR,
                        c, cOff + j0, n, w, accumulate, ws.tile());
            }
        }
    }

    /** This GEMM behind a cold phase on its bit-identical twin ({@link TwinGemm}). */
    @Override
    public Gemm withTwin() {
        return new ColdGemm(this, twin());
    }

    /** The plain-Java twin of this GEMM: the same bits (tests compare them). */
    TwinGemm twin() {
        return new TwinGemm(BroadcastKernels.L, transBStrategy);
    }

    private boolean useDot(int m, int n) {
        switch (transBStrategy) {
            case DOT:
                return true;
            case PACK:
                return false;
            default:
                return Math.min(m, n) <= DOT_MAX_SIDE;
        }
    }

    @Override
    public String name() {
        return "vector-api";
    }

    /** Register width in bits of the species the kernels use (256 with AVX2, 512 with AVX-512). */
    public static int vectorBits() {
        return BroadcastKernels.S.vectorBitSize();
    }

    @Override
    public String toString() {
        return "vector-api (jdk.incubator.vector, " + vectorBits() + "-bit)";
    }
}
