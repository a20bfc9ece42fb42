package org.sparktrain.engine.kernel;

/**
 * {@link VectorUpdateKernels} behind its cold phase. Its twin is {@link ScalarUpdateKernels}, which already does
 * the same float operations in the same order (no fused multiply-add), so the same bits ({@link ColdPhase}).
 */
final class ColdUpdateKernels implements UpdateKernels {
    private static final UpdateKernels WARM = new VectorUpdateKernels();
    private static final float[] W = ColdElementwise.warmValues(67);
    private static final float[] G = ColdElementwise.warmValues(67);
    private static final float[] S = new float[2 * 67];
    private static final ColdPhase ADAM = new ColdPhase("adam",
            () -> WARM.adam(W, G, S, 67, 0.9f, 0.1f, 0.999f, 0.001f, 0f, 1f, 1e-8f));
    final UpdateKernels vector;
    final UpdateKernels twin;

    ColdUpdateKernels(UpdateKernels vector, UpdateKernels twin) {
        this.vector = vector;
        this.twin = twin;
    }

    @Override
    public void adam(float[] w, float[] g, float[] s, int n, float b1, float omb1, float b2, float omb2,
                     float stepSize, float bc2Sqrt, float eps) {
        ColdPhase phase = ADAM;
        if (phase.vector()) {
            vector.adam(w, g, s, n, b1, omb1, b2, omb2, stepSize, bc2Sqrt, eps);
        } else if (!phase.timed()) {
            twin.adam(w, g, s, n, b1, omb1, b2, omb2, stepSize, bc2Sqrt, eps);
        } else {
            long t0 = System.nanoTime();
            if (phase.tryVector()) {
                vector.adam(w, g, s, n, b1, omb1, b2, omb2, stepSize, bc2Sqrt, eps);
                phase.vectorTook(t0, n);
            } else {
                twin.adam(w, g, s, n, b1, omb1, b2, omb2, stepSize, bc2Sqrt, eps);
                phase.twinTook(t0, n);
            }
        }
    }
}
