package org.sparktrain.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked FMA micro-kernels that compute an R×NR tile of C (R = 6, 4, 2 or 1 rows,
 * NR = two vectors of columns: 16 floats with 256-bit vectors, 32 with 512-bit).
 *
 * <p>For each p the kernel loads row p of the B panel as two vectors, broadcasts op(A)(i, p) for the
 * R rows and does 2R fused multiply-adds:
 * {@code C[i, j..j+NR) += op(A)(i, p) · B[p, j..j+NR)}. The 2R accumulators live in registers for the
 * whole k loop (12 of the 16 AVX2 / 32 AVX-512 registers for R = 6), so C is touched once per tile.
 *
 * <p>op(A)(i, p) is read at {@code aOff + i·ars + p·acs}, which covers A stored m×k
 * ({@code ars = k, acs = 1}) and A stored k×m for transA ({@code ars = 1, acs = m}) with the same
 * code: a broadcast costs the same whatever the stride. B is read at {@code bOff + p·ldb + j} and must
 * have NR readable columns per row (a full panel of B or a packed, zero-padded one). The kernels store the full tile; {@link #rows} routes a ragged last panel through a tile buffer.
 */
final class BroadcastKernels {
    /**
     * The JVM's preferred species (256-bit on AVX2, 512-bit on AVX-512), unless the system property
     * {@value Gemms#BITS_PROPERTY} = 128|256|512 asks for another. Read once: a static final species is a
     * JIT constant, which the Vector API intrinsics require.
     */
    static final VectorSpecies<Float> S = species(System.getProperty(Gemms.BITS_PROPERTY));
    static final int L = S.length();
    /** Columns per micro-tile: two vectors. */
    static final int NR = 2 * L;
    /** Tallest micro-tile: 6 rows × 2 vectors = 12 accumulators. */
    static final int MR = 6;

    private BroadcastKernels() {
    }

    private static VectorSpecies<Float> species(String bits) {
        if (bits == null || bits.isBlank()) {
            return FloatVector.SPECIES_PREFERRED;
        }
        switch (bits.trim()) {
            case "128":
                return FloatVector.SPECIES_128;
            case "256":
                return FloatVector.SPECIES_256;
            case "512":
                return FloatVector.SPECIES_512;
            default:
                throw new IllegalArgumentException("-D" + Gemms.BITS_PROPERTY + "=" + bits + ": expected 128, 256 or 512");
        }
    }

    /**
     * C[0..m) × [0..w) (+)= op(A)[0..m) · Bpanel, splitting the rows into kernels of 6, then 4, 2, 1.
     * {@code aOff} points at op(A)(0, 0) of this row range, {@code cOff} at C(0, 0) of the tile column.
     * A partial panel ({@code w < NR}) is computed into {@code tile} (≥ MR·NR floats) and copied.
     */
    static void rows(int m, int k, float[] a, int aOff, int ars, int acs,
                     float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, int w,
                     boolean add, float[] tile) {
        int i = 0;
        while (i < m) {
            // 6-row tiles, then one 4-, 2- and 1-row tile as needed (m = 16 → 6+6+4, 64 → 10×6+4).
            int r = m - i >= MR ? MR : m - i >= 4 ? 4 : m - i >= 2 ? 2 : 1;
            int ai = aOff + i * ars;
            int ci = cOff + i * ldc;
            if (w == NR) {
                kernel(r, a, ai, ars, acs, b, bOff, ldb, k, c, ci, ldc, add);
            } else {
                kernel(r, a, ai, ars, acs, b, bOff, ldb, k, tile, 0, NR, false);
                for (int t = 0; t < r; t++) {
                    for (int q = 0, d = ci + t * ldc; q < w; q++, d++) {
                        c[d] = add ? c[d] + tile[t * NR + q] : tile[t * NR + q];
                    }
                }
            }
            i += r;
        }
    }

    private static void kernel(int r, float[] a, int ai, int ars, int acs, float[] b, int bi, int ldb,
                               int k, float[] c, int ci, int ldc, boolean add) {
        switch (r) {
            case MR:
                kernel6(a, ai, ars, acs, b, bi, ldb, k, c, ci, ldc, add);
                break;
            case 4:
                kernel4(a, ai, ars, acs, b, bi, ldb, k, c, ci, ldc, add);
                break;
            case 2:
                kernel2(a, ai, ars, acs, b, bi, ldb, k, c, ci, ldc, add);
                break;
            default:
                kernel1(a, ai, acs, b, bi, ldb, k, c, ci, add);
                break;
        }
    }

    static void kernel6(float[] a, int ai, int ars, int acs, float[] b, int bi, int ldb, int k,
                        float[] c, int ci, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        final int r1 = ars, r2 = 2 * ars, r3 = 3 * ars, r4 = 4 * ars, r5 = 5 * ars;
        for (int p = 0; p < k; p++, ai += acs, bi += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector av = FloatVector.broadcast(S, a[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[ai + r1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[ai + r2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[ai + r3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[ai + r4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[ai + r5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        // Two straight-line branches, no helper: vectors passed to a non-inlined call get boxed.
        if (add) {
            c00.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
            c01.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
            c10.add(FloatVector.fromArray(S, c, ci + ldc)).intoArray(c, ci + ldc);
            c11.add(FloatVector.fromArray(S, c, ci + ldc + L)).intoArray(c, ci + ldc + L);
            c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
            c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + L)).intoArray(c, ci + 2 * ldc + L);
            c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
            c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + L)).intoArray(c, ci + 3 * ldc + L);
            c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc)).intoArray(c, ci + 4 * ldc);
            c41.add(FloatVector.fromArray(S, c, ci + 4 * ldc + L)).intoArray(c, ci + 4 * ldc + L);
            c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc)).intoArray(c, ci + 5 * ldc);
            c51.add(FloatVector.fromArray(S, c, ci + 5 * ldc + L)).intoArray(c, ci + 5 * ldc + L);
        } else {
            c00.intoArray(c, ci);
            c01.intoArray(c, ci + L);
            c10.intoArray(c, ci + ldc);
            c11.intoArray(c, ci + ldc + L);
            c20.intoArray(c, ci + 2 * ldc);
            c21.intoArray(c, ci + 2 * ldc + L);
            c30.intoArray(c, ci + 3 * ldc);
            c31.intoArray(c, ci + 3 * ldc + L);
            c40.intoArray(c, ci + 4 * ldc);
            c41.intoArray(c, ci + 4 * ldc + L);
            c50.intoArray(c, ci + 5 * ldc);
            c51.intoArray(c, ci + 5 * ldc + L);
        }
    }

    static void kernel4(float[] a, int ai, int ars, int acs, float[] b, int bi, int ldb, int k,
                        float[] c, int ci, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        final int r1 = ars, r2 = 2 * ars, r3 = 3 * ars;
        for (int p = 0; p < k; p++, ai += acs, bi += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector av = FloatVector.broadcast(S, a[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[ai + r1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[ai + r2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[ai + r3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
        }
        // Two straight-line branches, no helper: vectors passed to a non-inlined call get boxed.
        if (add) {
            c00.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
            c01.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
            c10.add(FloatVector.fromArray(S, c, ci + ldc)).intoArray(c, ci + ldc);
            c11.add(FloatVector.fromArray(S, c, ci + ldc + L)).intoArray(c, ci + ldc + L);
            c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
            c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + L)).intoArray(c, ci + 2 * ldc + L);
            c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
            c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + L)).intoArray(c, ci + 3 * ldc + L);
        } else {
            c00.intoArray(c, ci);
            c01.intoArray(c, ci + L);
            c10.intoArray(c, ci + ldc);
            c11.intoArray(c, ci + ldc + L);
            c20.intoArray(c, ci + 2 * ldc);
            c21.intoArray(c, ci + 2 * ldc + L);
            c30.intoArray(c, ci + 3 * ldc);
            c31.intoArray(c, ci + 3 * ldc + L);
        }
    }

    static void kernel2(float[] a, int ai, int ars, int acs, float[] b, int bi, int ldb, int k,
                        float[] c, int ci, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        for (int p = 0; p < k; p++, ai += acs, bi += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector av = FloatVector.broadcast(S, a[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[ai + ars]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
        }
        // Two straight-line branches, no helper: vectors passed to a non-inlined call get boxed.
        if (add) {
            c00.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
            c01.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
            c10.add(FloatVector.fromArray(S, c, ci + ldc)).intoArray(c, ci + ldc);
            c11.add(FloatVector.fromArray(S, c, ci + ldc + L)).intoArray(c, ci + ldc + L);
        } else {
            c00.intoArray(c, ci);
            c01.intoArray(c, ci + L);
            c10.intoArray(c, ci + ldc);
            c11.intoArray(c, ci + ldc + L);
        }
    }

    static void kernel1(float[] a, int ai, int acs, float[] b, int bi, int ldb, int k,
                        float[] c, int ci, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00;
        for (int p = 0; p < k; p++, ai += acs, bi += ldb) {
            FloatVector av = FloatVector.broadcast(S, a[ai]);
            c00 = av.fma(FloatVector.fromArray(S, b, bi), c00);
            c01 = av.fma(FloatVector.fromArray(S, b, bi + L), c01);
        }
        // Two straight-line branches, no helper: vectors passed to a non-inlined call get boxed.
        if (add) {
            c00.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
            c01.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        } else {
            c00.intoArray(c, ci);
            c01.intoArray(c, ci + L);
        }
    }
}
