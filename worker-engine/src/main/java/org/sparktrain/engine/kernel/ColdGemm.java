package org.sparktrain.engine.kernel;

/**
 * {@link VectorGemm} behind its cold phases (one for the broadcast path, one for the dot path): calls go to
 * {@link TwinGemm}, the same bits in plain Java, until the vector code has been compiled ({@link ColdPhase}).
 */
final class ColdGemm implements Gemm {
    private static final Warm WARM = new Warm();
    private static final ColdPhase BROADCAST = new ColdPhase("gemm", WARM::broadcast);
    private static final ColdPhase DOT = new ColdPhase("gemm-dot", WARM::dot);
    private final Gemm vector;
    private final TwinGemm twin;

    ColdGemm(Gemm vector, TwinGemm twin) {
        this.vector = vector;
        this.twin = twin;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        ColdPhase phase = twin.dotPath(transA, transB, m, n) ? DOT : BROADCAST;
        if (phase.vector()) {
            vector.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
        } else if (!phase.timed()) {
            twin.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
        } else {
            long t0 = System.nanoTime();
            long work = (long) m * n * Math.max(1, k);
            if (phase.tryVector()) {
                vector.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
                phase.vectorTook(t0, work);
            } else {
                twin.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
                phase.twinTook(t0, work);
            }
        }
    }

    /** The warm rounds: every code path of the vector GEMM on small arrays of their own (the warmer's thread). */
    private static final class Warm {
        /** Long enough for the loops' back-edge counters to matter, short enough for a boxed call to be cheap. */
        private static final int K = 16;
        private final VectorGemm gemm = new VectorGemm();
        private final float[] a = new float[48 * 48];
        private final float[] b = new float[48 * 48];
        private final float[] c = new float[48 * 48];

        Warm() {
            for (int i = 0; i < a.length; i++) {
                a[i] = (i % 7) - 3;
                b[i] = (i % 5) * 0.25f;
            }
        }

        /**
         * 6-, 4-, 2- and 1-row tiles, full and partial panels, transA, packed Bᵀ, accumulate on and off (k = 16:
         * measured, the kernels compile sooner than with k = 2 or 64).
         */
        void broadcast() {
            gemm.gemm(false, false, 13, 40, K, a, 0, b, 0, c, 0, false);
            gemm.gemm(true, false, 16, 37, K, a, 0, b, 0, c, 0, true);
            gemm.gemm(false, false, 8, 64, K, a, 0, b, 0, c, 0, true);
            gemm.gemm(false, true, 40, 37, K, a, 0, b, 0, c, 0, true);
            gemm.gemm(true, true, 34, 35, K, a, 0, b, 0, c, 0, false);
        }

        /** Dot-product tiles both ways round, whole vectors, the ragged end and the scalar tail. */
        void dot() {
            gemm.gemm(false, true, 6, 33, 2 * BroadcastKernels.L, a, 0, b, 0, c, 0, false);
            gemm.gemm(false, true, 33, 5, BroadcastKernels.L + 3, a, 0, b, 0, c, 0, true);
            gemm.gemm(false, true, 3, 4, 7, a, 0, b, 0, c, 0, false);
        }
    }

    /** The vector kernel behind the switch (tests). */
    Gemm vector() {
        return vector;
    }

    @Override
    public String name() {
        return vector.name();
    }

    @Override
    public String toString() {
        return vector + " with a plain-Java twin while cold";
    }
}
