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
 * Speed, which only the cold phase sees: the broadcast path keeps 4×4 tiles of such chains in registers (column
 * blocks outside, so a k×4 block of B is reused from cache), the dot path 2×2 blocks of C four lanes at a time;
 * measured 4.5 ms for 64×256×784 (the vector kernel 0.36 ms) and 0.49 ms for a 6×25×12544 dot product (0.05 ms).
 */
final class TwinGemm implements Gemm {
    private final int lanes;
    private final int nr;
    private final VectorGemm.TransBStrategy strategy;
    /** Per-thread lane sums of the dot path (4·L floats): nothing allocated per call. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[0]);

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

    private static float[] lanes(int size) {
        float[] s = LANES.get();
        if (s.length < size) {
            s = new float[size];
            LANES.set(s);
        }
        return s;
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
        float[] lane = lanes(4 * lanes);
        int m2 = m - m % 2;
        int n2 = n - n % 2;
        for (int p0 = 0; p0 < k; p0 += kc) {
            int len = Math.min(kc, k - p0);
            boolean add = accumulate || p0 > 0;
            // 2×2 blocks of C: four elements' lane sums at once, their x and y rows loaded once per step
            for (int i = 0; i < m2; i += 2) {
                int x0 = aOff + i * k + p0;
                for (int j = 0; j < n2; j += 2) {
                    int y0 = bOff + j * k + p0;
                    dot2x2(a, x0, x0 + k, b, y0, y0 + k, len, lane);
                    int idx = cOff + i * n + j;
                    c[idx] = add ? c[idx] + lane[0] : lane[0];
                    c[idx + 1] = add ? c[idx + 1] + lane[1] : lane[1];
                    c[idx + n] = add ? c[idx + n] + lane[2] : lane[2];
                    c[idx + n + 1] = add ? c[idx + n + 1] + lane[3] : lane[3];
                }
            }
            for (int i = 0; i < m; i++) {
                int x = aOff + i * k + p0;
                for (int j = i < m2 ? n2 : 0; j < n; j++) {
                    float v = dot(a, x, b, bOff + j * k + p0, len, lane);
                    int idx = cOff + i * n + j;
                    c[idx] = add ? c[idx] + v : v;
                }
            }
        }
    }

    /**
     * {@link #dot} of x0, x1 against y0, y1 at once (results in {@code out[0..3]}: x0·y0, x0·y1, x1·y0, x1·y1),
     * four lanes at a time in 16 registers; every lane's chain, the ragged step, the in-order reduction and the
     * tail are those of {@link #dot}. {@code out} holds at least 4·L floats (the lane sums, then the results).
     */
    private void dot2x2(float[] x, int x0, int x1, float[] y, int y0, int y1, int len, float[] out) {
        final int l = lanes;
        int vlen = len / l * l;
        boolean ragged = vlen < len && len >= l;
        int off = len - l;
        for (int q = 0; q < l; q += 4) {
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f, b0 = 0f, b1 = 0f, b2 = 0f, b3 = 0f;
            float c0 = 0f, c1 = 0f, c2 = 0f, c3 = 0f, d0 = 0f, d1 = 0f, d2 = 0f, d3 = 0f;
            for (int p = q; p < vlen; p += l) {
                float u0 = x[x0 + p], u1 = x[x0 + p + 1], u2 = x[x0 + p + 2], u3 = x[x0 + p + 3];
                float v0 = y[y0 + p], v1 = y[y0 + p + 1], v2 = y[y0 + p + 2], v3 = y[y0 + p + 3];
                float w0 = y[y1 + p], w1 = y[y1 + p + 1], w2 = y[y1 + p + 2], w3 = y[y1 + p + 3];
                a0 = Math.fma(u0, v0, a0);
                a1 = Math.fma(u1, v1, a1);
                a2 = Math.fma(u2, v2, a2);
                a3 = Math.fma(u3, v3, a3);
                b0 = Math.fma(u0, w0, b0);
                b1 = Math.fma(u1, w1, b1);
                b2 = Math.fma(u2, w2, b2);
                b3 = Math.fma(u3, w3, b3);
                u0 = x[x1 + p];
                u1 = x[x1 + p + 1];
                u2 = x[x1 + p + 2];
                u3 = x[x1 + p + 3];
                c0 = Math.fma(u0, v0, c0);
                c1 = Math.fma(u1, v1, c1);
                c2 = Math.fma(u2, v2, c2);
                c3 = Math.fma(u3, v3, c3);
                d0 = Math.fma(u0, w0, d0);
                d1 = Math.fma(u1, w1, d1);
                d2 = Math.fma(u2, w2, d2);
                d3 = Math.fma(u3, w3, d3);
            }
            if (ragged) {
                // the last L elements again, lanes already summed (pos < vlen) times +0
                int p = off + q;
                float v0 = p >= vlen ? y[y0 + p] : 0f, v1 = p + 1 >= vlen ? y[y0 + p + 1] : 0f;
                float v2 = p + 2 >= vlen ? y[y0 + p + 2] : 0f, v3 = p + 3 >= vlen ? y[y0 + p + 3] : 0f;
                float w0 = p >= vlen ? y[y1 + p] : 0f, w1 = p + 1 >= vlen ? y[y1 + p + 1] : 0f;
                float w2 = p + 2 >= vlen ? y[y1 + p + 2] : 0f, w3 = p + 3 >= vlen ? y[y1 + p + 3] : 0f;
                float u0 = x[x0 + p], u1 = x[x0 + p + 1], u2 = x[x0 + p + 2], u3 = x[x0 + p + 3];
                a0 = Math.fma(u0, v0, a0);
                a1 = Math.fma(u1, v1, a1);
                a2 = Math.fma(u2, v2, a2);
                a3 = Math.fma(u3, v3, a3);
                b0 = Math.fma(u0, w0, b0);
                b1 = Math.fma(u1, w1, b1);
                b2 = Math.fma(u2, w2, b2);
                b3 = Math.fma(u3, w3, b3);
                u0 = x[x1 + p];
                u1 = x[x1 + p + 1];
                u2 = x[x1 + p + 2];
                u3 = x[x1 + p + 3];
                c0 = Math.fma(u0, v0, c0);
                c1 = Math.fma(u1, v1, c1);
                c2 = Math.fma(u2, v2, c2);
                c3 = Math.fma(u3, v3, c3);
                d0 = Math.fma(u0, w0, d0);
                d1 = Math.fma(u1, w1, d1);
                d2 = Math.fma(u2, w2, d2);
                d3 = Math.fma(u3, w3, d3);
            }
            out[q] = a0;
            out[q + 1] = a1;
            out[q + 2] = a2;
            out[q + 3] = a3;
            out[l + q] = b0;
            out[l + q + 1] = b1;
            out[l + q + 2] = b2;
            out[l + q + 3] = b3;
            out[2 * l + q] = c0;
            out[2 * l + q + 1] = c1;
            out[2 * l + q + 2] = c2;
            out[2 * l + q + 3] = c3;
            out[3 * l + q] = d0;
            out[3 * l + q + 1] = d1;
            out[3 * l + q + 2] = d2;
            out[3 * l + q + 3] = d3;
        }
        int p = ragged ? len : vlen;
        float r00 = reduce(out, 0) + tail(x, x0, y, y0, p, len);
        float r01 = reduce(out, l) + tail(x, x0, y, y1, p, len);
        float r10 = reduce(out, 2 * l) + tail(x, x1, y, y0, p, len);
        float r11 = reduce(out, 3 * l) + tail(x, x1, y, y1, p, len);
        out[0] = r00;
        out[1] = r01;
        out[2] = r10;
        out[3] = r11;
    }

    /** The L lane sums at {@code from}, added in order from +0 ({@code reduceLanes(ADD)}). */
    private float reduce(float[] lane, int from) {
        float red = 0f;
        for (int q = 0; q < lanes; q++) {
            red += lane[from + q];
        }
        return red;
    }

    /** The scalar fma tail from +0 over {@code [p, len)}. */
    private static float tail(float[] x, int xi, float[] y, int yi, int p, int len) {
        float t = 0f;
        for (; p < len; p++) {
            t = Math.fma(x[xi + p], y[yi + p], t);
        }
        return t;
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
