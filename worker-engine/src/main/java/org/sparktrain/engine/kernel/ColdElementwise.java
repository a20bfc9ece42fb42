package org.sparktrain.engine.kernel;

/** {@link VectorElementwise} behind its cold phases, on {@link TwinElementwise} while cold ({@link ColdPhase}). */
final class ColdElementwise implements Elementwise {
    private static final Elementwise WARM = new VectorElementwise();
    private static final float[] X = warmValues(101);
    private static final float[] Y = new float[101];
    private static final ColdPhase RELU = new ColdPhase("relu", () -> WARM.relu(X, Y, 101));
    private static final ColdPhase RELU_BACKWARD = new ColdPhase("relu-backward", () -> WARM.reluBackward(X, X, Y, 101));

    /** Values of both signs for warm rounds (the warmer's own arrays). */
    static float[] warmValues(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = ((i * 7) % 11) - 5;
        }
        return v;
    }
    final Elementwise vector;
    final Elementwise twin;

    ColdElementwise(Elementwise vector, Elementwise twin) {
        this.vector = vector;
        this.twin = twin;
    }

    @Override
    public void relu(float[] x, float[] y, int n) {
        ColdPhase phase = RELU;
        if (phase.vector()) {
            vector.relu(x, y, n);
        } else if (!phase.timed()) {
            twin.relu(x, y, n);
        } else {
            long t0 = System.nanoTime();
            if (phase.tryVector()) {
                vector.relu(x, y, n);
                phase.vectorTook(t0, n);
            } else {
                twin.relu(x, y, n);
                phase.twinTook(t0, n);
            }
        }
    }

    @Override
    public void reluBackward(float[] y, float[] dy, float[] dx, int n) {
        ColdPhase phase = RELU_BACKWARD;
        if (phase.vector()) {
            vector.reluBackward(y, dy, dx, n);
        } else if (!phase.timed()) {
            twin.reluBackward(y, dy, dx, n);
        } else {
            long t0 = System.nanoTime();
            if (phase.tryVector()) {
                vector.reluBackward(y, dy, dx, n);
                phase.vectorTook(t0, n);
            } else {
                twin.reluBackward(y, dy, dx, n);
                phase.twinTook(t0, n);
            }
        }
    }
}
