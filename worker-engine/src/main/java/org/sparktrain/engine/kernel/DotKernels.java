package org.sparktrain.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * C (+)= A·Bᵀ with A stored m×k and B stored n×k, as dot products along the contiguous k axis.
 *
 * <p>{@code C[i, j] = Σ_p A[i, p]·B[j, p]}: both operands are read row by row, so no transpose is
 * needed. A 4×3 block of C keeps 12 vector accumulators, each summing L products per FMA; per step
 * it loads 4 + 3 vectors for 12 FMAs, then each accumulator is reduced across lanes once per k chunk.
 * This wins when k is long and m or n small (convolution weight gradients:
 * dW = dOut·colᵀ with k = pixels × batch), where packing Bᵀ would cost as much as the product.
 *
 * <p>The same kernel covers 3×4 blocks by swapping the roles of A and B and storing transposed,
 * whichever wastes less at the ragged edges. Edge tiles clamp their row indices to the last valid
 * row (recomputing it) and store only the valid part, so there is no separate edge kernel.
 *
 * <p>Long k is cut into chunks that keep the A and B rows of a chunk in L2; the first chunk stores
 * (or accumulates) into C, the others add their partial sums.
 */
final class DotKernels {
    private static final VectorSpecies<Float> S = BroadcastKernels.S;
    private static final int L = S.length();
    /** Floats of A and B rows one k chunk may occupy: 384 KiB of the 512 KiB Zen 3 L2. */
    static final int CHUNK_BUDGET_FLOATS = 96 * 1024;
    /** Shortest chunk: below this the per-chunk lane reductions start to cost. */
    static final int MIN_CHUNK = 512;
    /**
     * L false then L true: the L entries from {@code L − d} make the mask "lane ≥ d". A mask loaded
     * from an array is a plain intrinsic load; {@code indexInRange} was seen to allocate on JDK 17.
     */
    private static final boolean[] LANES_FROM = new boolean[2 * L];

    static {
        java.util.Arrays.fill(LANES_FROM, L, 2 * L, true);
    }

    private DotKernels() {
    }

    static void gemm(int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                     float[] c, int cOff, boolean accumulate, float[] tile) {
        // 4 rows × 3 columns per tile, or 3 × 4: pick the one computing fewer wasted edge cells.
        boolean tall = ceilDiv(m, 4) * 4L * ceilDiv(n, 3) * 3L <= ceilDiv(m, 3) * 3L * ceilDiv(n, 4) * 4L;
        int kc = chunk(k, m, n);
        for (int p0 = 0; p0 < k; p0 += kc) {
            int len = Math.min(kc, k - p0);
            boolean add = accumulate || p0 > 0;
            if (tall) {
                for (int i0 = 0; i0 < m; i0 += 4) {
                    int x0 = row(aOff, i0, m, k, p0), x1 = row(aOff, i0 + 1, m, k, p0);
                    int x2 = row(aOff, i0 + 2, m, k, p0), x3 = row(aOff, i0 + 3, m, k, p0);
                    for (int j0 = 0; j0 < n; j0 += 3) {
                        dot4x3(a, x0, x1, x2, x3, b, row(bOff, j0, n, k, p0), row(bOff, j0 + 1, n, k, p0),
                                row(bOff, j0 + 2, n, k, p0), len, c, cOff + i0 * n + j0, n, 1,
                                Math.min(4, m - i0), Math.min(3, n - j0), add, tile);
                    }
                }
            } else {
                // x = four rows of B (columns of C), y = three rows of A: the tile is stored transposed.
                for (int i0 = 0; i0 < m; i0 += 3) {
                    int y0 = row(aOff, i0, m, k, p0), y1 = row(aOff, i0 + 1, m, k, p0);
                    int y2 = row(aOff, i0 + 2, m, k, p0);
                    for (int j0 = 0; j0 < n; j0 += 4) {
                        dot4x3(b, row(bOff, j0, n, k, p0), row(bOff, j0 + 1, n, k, p0),
                                row(bOff, j0 + 2, n, k, p0), row(bOff, j0 + 3, n, k, p0),
                                a, y0, y1, y2, len, c, cOff + i0 * n + j0, 1, n,
                                Math.min(4, n - j0), Math.min(3, m - i0), add, tile);
                    }
                }
            }
        }
    }

    /** Chunk length: whole k if the rows fit the budget, else a multiple of L that fits it. */
    static int chunk(int k, int m, int n) {
        int fit = CHUNK_BUDGET_FLOATS / Math.max(1, Math.min(m, 4) + n);
        int kc = Math.max(MIN_CHUNK, fit / L * L);
        return kc >= k ? k : kc;
    }

    private static int row(int off, int r, int rows, int k, int p0) {
        return off + Math.min(r, rows - 1) * k + p0;
    }

    private static long ceilDiv(int x, int d) {
        return (x + d - 1) / d;
    }

    /**
     * The 4×3 dot-product tile: {@code t[r][q] = Σ_{p<len} x_r[p]·y_q[p]}, stored (or added) at
     * {@code c[ci + r·rs + q·cs]} for r < rows, q < cols.
     */
    static void dot4x3(float[] x, int x0, int x1, int x2, int x3, float[] y, int y0, int y1, int y2,
                       int len, float[] c, int ci, int rs, int cs, int rows, int cols, boolean add,
                       float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        int vlen = S.loopBound(len);
        int p = 0;
        for (; p < vlen; p += L) {
            FloatVector b0 = FloatVector.fromArray(S, y, y0 + p);
            FloatVector b1 = FloatVector.fromArray(S, y, y1 + p);
            FloatVector b2 = FloatVector.fromArray(S, y, y2 + p);
            FloatVector av = FloatVector.fromArray(S, x, x0 + p);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            c02 = av.fma(b2, c02);
            av = FloatVector.fromArray(S, x, x1 + p);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            c12 = av.fma(b2, c12);
            av = FloatVector.fromArray(S, x, x2 + p);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            c22 = av.fma(b2, c22);
            av = FloatVector.fromArray(S, x, x3 + p);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            c32 = av.fma(b2, c32);
        }
        if (p < len && len >= L) {
            // Ragged end: one more full-width step over the last L elements [len-L, len), with the
            // lanes already summed (before p) zeroed in the y operands, instead of a scalar tail.
            int off = len - L;
            VectorMask<Float> fresh = VectorMask.fromArray(S, LANES_FROM, L - (p - off));
            FloatVector zero = FloatVector.zero(S);
            FloatVector b0 = zero.blend(FloatVector.fromArray(S, y, y0 + off), fresh);
            FloatVector b1 = zero.blend(FloatVector.fromArray(S, y, y1 + off), fresh);
            FloatVector b2 = zero.blend(FloatVector.fromArray(S, y, y2 + off), fresh);
            FloatVector av = FloatVector.fromArray(S, x, x0 + off);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            c02 = av.fma(b2, c02);
            av = FloatVector.fromArray(S, x, x1 + off);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            c12 = av.fma(b2, c12);
            av = FloatVector.fromArray(S, x, x2 + off);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            c22 = av.fma(b2, c22);
            av = FloatVector.fromArray(S, x, x3 + off);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            c32 = av.fma(b2, c32);
            p = len;
        }
        tile[0] = c00.reduceLanes(VectorOperators.ADD) + tail(x, x0, y, y0, p, len);
        tile[1] = c01.reduceLanes(VectorOperators.ADD) + tail(x, x0, y, y1, p, len);
        tile[2] = c02.reduceLanes(VectorOperators.ADD) + tail(x, x0, y, y2, p, len);
        tile[3] = c10.reduceLanes(VectorOperators.ADD) + tail(x, x1, y, y0, p, len);
        tile[4] = c11.reduceLanes(VectorOperators.ADD) + tail(x, x1, y, y1, p, len);
        tile[5] = c12.reduceLanes(VectorOperators.ADD) + tail(x, x1, y, y2, p, len);
        tile[6] = c20.reduceLanes(VectorOperators.ADD) + tail(x, x2, y, y0, p, len);
        tile[7] = c21.reduceLanes(VectorOperators.ADD) + tail(x, x2, y, y1, p, len);
        tile[8] = c22.reduceLanes(VectorOperators.ADD) + tail(x, x2, y, y2, p, len);
        tile[9] = c30.reduceLanes(VectorOperators.ADD) + tail(x, x3, y, y0, p, len);
        tile[10] = c31.reduceLanes(VectorOperators.ADD) + tail(x, x3, y, y1, p, len);
        tile[11] = c32.reduceLanes(VectorOperators.ADD) + tail(x, x3, y, y2, p, len);
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < cols; q++) {
                int idx = ci + r * rs + q * cs;
                float v = tile[r * 3 + q];
                c[idx] = add ? c[idx] + v : v;
            }
        }
    }

    /** The scalar remainder {@code Σ_{p0 ≤ p < len} x[xi+p]·y[yi+p]} (fewer than L terms). */
    private static float tail(float[] x, int xi, float[] y, int yi, int p0, int len) {
        float s = 0f;
        for (int p = p0; p < len; p++) {
            s = Math.fma(x[xi + p], y[yi + p], s);
        }
        return s;
    }
}
