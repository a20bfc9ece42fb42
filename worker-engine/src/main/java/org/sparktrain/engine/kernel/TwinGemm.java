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
        // op(B)(p, j) at bOff + p·brs + j·bcs
        int brs = transB ? 1 : n;
        int bcs = transB ? k : 1;
        int full = n - n % nr;
        // 4×4 tiles of C in registers, each element's fma chain over p in order (as in the vector kernels);
        // column blocks outside, so a k×4 block of B is reused from cache by every row block
        int n4 = n - n % 4;
        int m4 = m - m % 4;
        for (int j0 = 0; j0 < n4; j0 += 4) {
            for (int i0 = 0; i0 < m4; i0 += 4) {
                tile4x4(k, a, aOff + i0 * ars, ars, acs, b, bOff + j0 * bcs, brs, bcs, c, cOff + i0 * n + j0, n,
                        j0 + 4 <= full, accumulate);
            }
            for (int i = m4; i < m; i++) {
                for (int j = j0; j < j0 + 4; j++) {
                    element(k, a, aOff + i * ars, acs, b, bOff + j * bcs, brs, c, cOff + i * n + j, j < full, accumulate);
                }
            }
        }
        for (int j = n4; j < n; j++) {
            for (int i = 0; i < m; i++) {
                element(k, a, aOff + i * ars, acs, b, bOff + j * bcs, brs, c, cOff + i * n + j, j < full, accumulate);
            }
        }
    }

    /** One element of C: its fma chain from +0 over p, stored as the vector kernels store it. */
    private static void element(int k, float[] a, int ai, int acs, float[] b, int bj, int brs, float[] c, int ci,
                                boolean fullPanel, boolean add) {
        float s = 0f;
        for (int p = 0; p < k; p++, ai += acs, bj += brs) {
            s = Math.fma(a[ai], b[bj], s);
        }
        c[ci] = store(s, c[ci], fullPanel, add);
    }

    /** A full panel adds {@code acc + c} (acc.add(C)); the partial last panel {@code c + acc} (through the tile). */
    private static float store(float acc, float old, boolean fullPanel, boolean add) {
        return !add ? acc : fullPanel ? acc + old : old + acc;
    }

    /**
     * A 4×4 tile of C, rows at {@code ai + r·ars}, columns at {@code bj + q·bcs}. {@code fullPanel}: the tile lies in
     * a full NR-wide panel of the vector kernel (NR is a multiple of 4, so a tile never straddles two panels).
     */
    private static void tile4x4(int k, float[] a, int ai, int ars, int acs, float[] b, int bj, int brs, int bcs,
                                float[] c, int ci, int ldc, boolean fullPanel, boolean add) {
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f, c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f, c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        final int a1 = ars, a2 = 2 * ars, a3 = 3 * ars, b1 = bcs, b2 = 2 * bcs, b3 = 3 * bcs;
        for (int p = 0; p < k; p++, ai += acs, bj += brs) {
            float x0 = a[ai], x1 = a[ai + a1], x2 = a[ai + a2], x3 = a[ai + a3];
            float y0 = b[bj], y1 = b[bj + b1], y2 = b[bj + b2], y3 = b[bj + b3];
            c00 = Math.fma(x0, y0, c00);
            c01 = Math.fma(x0, y1, c01);
            c02 = Math.fma(x0, y2, c02);
            c03 = Math.fma(x0, y3, c03);
            c10 = Math.fma(x1, y0, c10);
            c11 = Math.fma(x1, y1, c11);
            c12 = Math.fma(x1, y2, c12);
            c13 = Math.fma(x1, y3, c13);
            c20 = Math.fma(x2, y0, c20);
            c21 = Math.fma(x2, y1, c21);
            c22 = Math.fma(x2, y2, c22);
            c23 = Math.fma(x2, y3, c23);
            c30 = Math.fma(x3, y0, c30);
            c31 = Math.fma(x3, y1, c31);
            c32 = Math.fma(x3, y2, c32);
            c33 = Math.fma(x3, y3, c33);
        }
        int r = ci;
        c[r] = store(c00, c[r], fullPanel, add);
        c[r + 1] = store(c01, c[r + 1], fullPanel, add);
        c[r + 2] = store(c02, c[r + 2], fullPanel, add);
        c[r + 3] = store(c03, c[r + 3], fullPanel, add);
        r += ldc;
        c[r] = store(c10, c[r], fullPanel, add);
        c[r + 1] = store(c11, c[r + 1], fullPanel, add);
        c[r + 2] = store(c12, c[r + 2], fullPanel, add);
        c[r + 3] = store(c13, c[r + 3], fullPanel, add);
        r += ldc;
        c[r] = store(c20, c[r], fullPanel, add);
        c[r + 1] = store(c21, c[r + 1], fullPanel, add);
        c[r + 2] = store(c22, c[r + 2], fullPanel, add);
        c[r + 3] = store(c23, c[r + 3], fullPanel, add);
        r += ldc;
        c[r] = store(c30, c[r], fullPanel, add);
        c[r + 1] = store(c31, c[r + 1], fullPanel, add);
        c[r + 2] = store(c32, c[r + 2], fullPanel, add);
        c[r + 3] = store(c33, c[r + 3], fullPanel, add);
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
