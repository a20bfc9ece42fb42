package org.sparktrain.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked FMA micro-kernels that compute an R×NR tile of C (R = 6, 4, 2 or 1 rows,
 * NR = two vectors of columns, 16 floats with 256-bit vectors).
 *
 * <p>For each p the kernel loads row p of the B panel as two vectors, broadcasts op(A)(i, p) for the
 * R rows and does 2R fused multiply-adds:
 * {@code C[i, j..j+NR) += op(A)(i, p) · B[p, j..j+NR)}. The 2R accumulators live in registers for the
 * whole k loop (12 of the 16 AVX2 registers for R = 6), so C is touched once per tile.
 *
 * <p>op(A)(i, p) is read at {@code aOff + i·ars + p·acs}, which covers A stored m×k
 * ({@code ars = k, acs = 1}) and A stored k×m for transA ({@code ars = 1, acs = m}) with the same
 * code: a broadcast costs the same whatever the stride. B is read at {@code bOff + p·ldb + j} and must
 * have NR readable columns per row (a full panel of B or a packed, zero-padded one). Only the first
 * {@code w ≤ NR} columns of the tile are stored.
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
     */
    static void rows(int m, int k, float[] a, int aOff, int ars, int acs,
                     float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, int w,
                     boolean add, float[] tile) {
        int i = 0;
        // m = 16 and m = 64 end with a 4-row block rather than a wasteful ragged 6-row one.
        for (; m - i >= MR; i += MR) {
            kernel6(a, aOff + i * ars, ars, acs, b, bOff, ldb, k, c, cOff + i * ldc, ldc, w, add, tile);
        }
        if (m - i >= 4) {
            kernel4(a, aOff + i * ars, ars, acs, b, bOff, ldb, k, c, cOff + i * ldc, ldc, w, add, tile);
            i += 4;
        }
        if (m - i >= 2) {
            kernel2(a, aOff + i * ars, ars, acs, b, bOff, ldb, k, c, cOff + i * ldc, ldc, w, add, tile);
            i += 2;
        }
        if (m - i == 1) {
            kernel1(a, aOff + i * ars, acs, b, bOff, ldb, k, c, cOff + i * ldc, w, add, tile);
        }
    }

    static void kernel6(float[] a, int ai, int ars, int acs, float[] b, int bi, int ldb, int k,
                        float[] c, int ci, int ldc, int w, boolean add, float[] tile) {
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
        put(c00, c01, c, ci, w, add, tile);
        put(c10, c11, c, ci + ldc, w, add, tile);
        put(c20, c21, c, ci + 2 * ldc, w, add, tile);
        put(c30, c31, c, ci + 3 * ldc, w, add, tile);
        put(c40, c41, c, ci + 4 * ldc, w, add, tile);
        put(c50, c51, c, ci + 5 * ldc, w, add, tile);
    }

    static void kernel4(float[] a, int ai, int ars, int acs, float[] b, int bi, int ldb, int k,
                        float[] c, int ci, int ldc, int w, boolean add, float[] tile) {
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
        put(c00, c01, c, ci, w, add, tile);
        put(c10, c11, c, ci + ldc, w, add, tile);
        put(c20, c21, c, ci + 2 * ldc, w, add, tile);
        put(c30, c31, c, ci + 3 * ldc, w, add, tile);
    }

    static void kernel2(float[] a, int ai, int ars, int acs, float[] b, int bi, int ldb, int k,
                        float[] c, int ci, int ldc, int w, boolean add, float[] tile) {
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
        put(c00, c01, c, ci, w, add, tile);
        put(c10, c11, c, ci + ldc, w, add, tile);
    }

    static void kernel1(float[] a, int ai, int acs, float[] b, int bi, int ldb, int k,
                        float[] c, int ci, int w, boolean add, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00;
        for (int p = 0; p < k; p++, ai += acs, bi += ldb) {
            FloatVector av = FloatVector.broadcast(S, a[ai]);
            c00 = av.fma(FloatVector.fromArray(S, b, bi), c00);
            c01 = av.fma(FloatVector.fromArray(S, b, bi + L), c01);
        }
        put(c00, c01, c, ci, w, add, tile);
    }

    /** Stores one tile row: all NR columns as two vectors, or the first w through the tile buffer. */
    private static void put(FloatVector v0, FloatVector v1, float[] c, int ci, int w, boolean add,
                            float[] tile) {
        if (w == NR) {
            if (add) {
                v0 = v0.add(FloatVector.fromArray(S, c, ci));
                v1 = v1.add(FloatVector.fromArray(S, c, ci + L));
            }
            v0.intoArray(c, ci);
            v1.intoArray(c, ci + L);
        } else {
            v0.intoArray(tile, 0);
            v1.intoArray(tile, L);
            for (int q = 0; q < w; q++) {
                c[ci + q] = add ? c[ci + q] + tile[q] : tile[q];
            }
        }
    }
}
