package org.sparktrain.engine.kernel;

import java.util.Arrays;

/**
 * The plain-Java twin of {@link VectorGemm}: the same bits, for the cold phase ({@link ColdPhase},
 * docs/architecture.md "Cold JVMs"). No Vector API class is used; the lane count {@code L} is given.
 *
 * <p>Each element of C follows exactly the operations the vector kernels do on its lane:
 * <ul>
 *   <li>broadcast path (NN, TN, and NT/TT through packed panels, {@link BroadcastKernels}): an accumulator from
 *       +0 takes {@code acc = fma(op(A)(i,p), op(B)(p,j), acc)} for p = 0..k−1 (the register tiling of 6/4/2/1
 *       rows changes no element's sequence); accumulate adds {@code acc + c} in a full panel of NR = 2L columns
 *       and {@code c + acc} in the last partial one (which goes through the tile buffer);</li>
 *   <li>dot path (NT with a small side, {@link DotKernels}): per k chunk, L lane sums from +0 over
 *       p ≡ lane (mod L) below {@code loopBound(len)}, the ragged end as one more full-width step over the last L
 *       elements with the lanes already summed multiplied by +0, the lanes added in order from +0
 *       ({@code reduceLanes(ADD)}), then plus the scalar fma tail (from +0), then stored or added to C
 *       ({@code c + v}). The kernel's tile orientation (4×3 or 3×4) swaps which operand is zeroed; the product
 *       of an fma is exact and commutative, so it does not matter.</li>
 * </ul>
 */
final class TwinGemm implements Gemm {
    private final int lanes;
    private final int nr;
    private final VectorGemm.TransBStrategy strategy;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    TwinGemm(int lanes, VectorGemm.TransBStrategy strategy) {
        this.lanes = lanes;
        this.nr = 2 * lanes;
        this.strategy = strategy;
    }

    /** Whether the vector GEMM takes its dot path for these arguments. */
    boolean dotPath(boolean transA, boolean transB, int m, int n) {
        if (!transB || transA) {
            return false;
        }
        switch (strategy) {
            case DOT:
                return true;
            case PACK:
                return false;
            default:
                return Math.min(m, n) <= VectorGemm.DOT_MAX_SIDE;
        }
    }

    private static float[] scratch(int which, int size) {
        float[][] s = SCRATCH.get();
        if (s[which].length < size) {
            s[which] = new float[size];
        }
        return s[which];
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            if (!accumulate) {
                Arrays.fill(c, cOff, cOff + m * n, 0f);
            }
            return;
        }
        if (dotPath(transA, transB, m, n)) {
            dot(m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
            return;
        }
        int ars = transA ? 1 : k;
        int acs = transA ? m : 1;
        int full = n - n % nr;
        if (!transB) {
            float[] acc = scratch(0, n);
            for (int i = 0; i < m; i++) {
                Arrays.fill(acc, 0, n, 0f);
                int ai = aOff + i * ars;
                for (int p = 0, bp = bOff; p < k; p++, ai += acs, bp += n) {
                    float av = a[ai];
                    for (int j = 0; j < n; j++) {
                        acc[j] = Math.fma(av, b[bp + j], acc[j]);
                    }
                }
                store(acc, c, cOff + i * n, n, full, accumulate);
            }
        } else {
            // op(B)(p, j) = B[j, p]: each element a dot product along contiguous rows of B
            float[] acc = scratch(0, n);
            for (int i = 0; i < m; i++) {
                int ai0 = aOff + i * ars;
                for (int j = 0; j < n; j++) {
                    float s = 0f;
                    int bj = bOff + j * k;
                    for (int p = 0, ai = ai0; p < k; p++, ai += acs) {
                        s = Math.fma(a[ai], b[bj + p], s);
                    }
                    acc[j] = s;
                }
                store(acc, c, cOff + i * n, n, full, accumulate);
            }
        }
    }

    /** One row of C from its accumulators, in the vector kernels' order of the accumulate add. */
    private static void store(float[] acc, float[] c, int ci, int n, int full, boolean add) {
        if (!add) {
            System.arraycopy(acc, 0, c, ci, n);
            return;
        }
        for (int j = 0; j < full; j++) {
            c[ci + j] = acc[j] + c[ci + j]; // full panel: acc.add(C)
        }
        for (int j = full; j < n; j++) {
            c[ci + j] = c[ci + j] + acc[j]; // partial panel, through the tile: c + tile
        }
    }

    private void dot(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                     boolean accumulate) {
        int kc = chunk(k, m, n);
        float[] lane = scratch(1, lanes);
        for (int p0 = 0; p0 < k; p0 += kc) {
            int len = Math.min(kc, k - p0);
            boolean add = accumulate || p0 > 0;
            for (int i = 0; i < m; i++) {
                int x = aOff + i * k + p0;
                for (int j = 0; j < n; j++) {
                    float v = dot(a, x, b, bOff + j * k + p0, len, lane);
                    int idx = cOff + i * n + j;
                    c[idx] = add ? c[idx] + v : v;
                }
            }
        }
    }

    /** {@link DotKernels#chunk} for this lane count. */
    private int chunk(int k, int m, int n) {
        int fit = DotKernels.CHUNK_BUDGET_FLOATS / Math.max(1, Math.min(m, 4) + n);
        int kc = Math.max(DotKernels.MIN_CHUNK, fit / lanes * lanes);
        return kc >= k ? k : kc;
    }

    /** One element of {@link DotKernels#dot4x3}'s tile: Σ x[xi+p]·y[yi+p], p < len, in its order. */
    private float dot(float[] x, int xi, float[] y, int yi, int len, float[] lane) {
        int l = lanes;
        Arrays.fill(lane, 0, l, 0f);
        int vlen = len / l * l;
        int p = 0;
        for (; p < vlen; p += l) {
            for (int q = 0; q < l; q++) {
                lane[q] = Math.fma(x[xi + p + q], y[yi + p + q], lane[q]);
            }
        }
        if (p < len && len >= l) {
            int off = len - l;
            for (int q = 0; q < l; q++) {
                int pos = off + q;
                lane[q] = Math.fma(x[xi + pos], pos >= vlen ? y[yi + pos] : 0f, lane[q]);
            }
            p = len;
        }
        float red = 0f;
        for (int q = 0; q < l; q++) {
            red += lane[q];
        }
        float tail = 0f;
        for (; p < len; p++) {
            tail = Math.fma(x[xi + p], y[yi + p], tail);
        }
        return red + tail;
    }

    @Override
    public String name() {
        return "vector-api-twin";
    }
}
