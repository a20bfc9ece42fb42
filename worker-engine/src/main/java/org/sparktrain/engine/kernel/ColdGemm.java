package org.sparktrain.engine.kernel;

/**
 * {@link VectorGemm} behind its cold phases (one for the broadcast path, one for the dot path): calls go to
 * {@link TwinGemm}, the same bits in plain Java, until the vector code has been compiled ({@link ColdPhase}).
 */
final class ColdGemm implements Gemm {
    private static final ColdPhase BROADCAST = new ColdPhase("gemm");
    private static final ColdPhase DOT = new ColdPhase("gemm-dot");
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
