package org.sparktrain.engine.kernel;

/** {@link VectorNormKernels} behind its cold phases, on {@link TwinNormKernels} while cold ({@link ColdPhase}). */
final class ColdNormKernels implements NormKernels {
    private static final NormKernels WARM = new VectorNormKernels();
    private static final float[] X = ColdElementwise.warmValues(600);
    private static final double[] ACC = new double[2];
    private static final ColdPhase SUM = new ColdPhase("norm-sum", () -> WARM.sum(X, 1, 599));
    private static final ColdPhase SSD = new ColdPhase("norm-ssd", () -> WARM.sumSquaredDeviation(X, 3, 597, 0.5f));
    private static final ColdPhase GRAD = new ColdPhase("norm-gradient-sums",
            () -> WARM.gradientSums(X, X, 2, 598, 0.5f, ACC, ACC, 1));
    final NormKernels vector;
    final NormKernels twin;

    ColdNormKernels(NormKernels vector, NormKernels twin) {
        this.vector = vector;
        this.twin = twin;
    }

    @Override
    public double sum(float[] v, int from, int to) {
        ColdPhase phase = SUM;
        if (phase.vector()) {
            return vector.sum(v, from, to);
        } else if (!phase.timed()) {
            return twin.sum(v, from, to);
        }
        long t0 = System.nanoTime();
        if (phase.tryVector()) {
            double r = vector.sum(v, from, to);
            phase.vectorTook(t0, to - from);
            return r;
        }
        double r = twin.sum(v, from, to);
        phase.twinTook(t0, to - from);
        return r;
    }

    @Override
    public double sumSquaredDeviation(float[] v, int from, int to, float mu) {
        ColdPhase phase = SSD;
        if (phase.vector()) {
            return vector.sumSquaredDeviation(v, from, to, mu);
        } else if (!phase.timed()) {
            return twin.sumSquaredDeviation(v, from, to, mu);
        }
        long t0 = System.nanoTime();
        if (phase.tryVector()) {
            double r = vector.sumSquaredDeviation(v, from, to, mu);
            phase.vectorTook(t0, to - from);
            return r;
        }
        double r = twin.sumSquaredDeviation(v, from, to, mu);
        phase.twinTook(t0, to - from);
        return r;
    }

    @Override
    public void gradientSums(float[] dy, float[] x, int from, int to, float mu, double[] acc1, double[] acc2, int g) {
        ColdPhase phase = GRAD;
        if (phase.vector()) {
            vector.gradientSums(dy, x, from, to, mu, acc1, acc2, g);
        } else if (!phase.timed()) {
            twin.gradientSums(dy, x, from, to, mu, acc1, acc2, g);
        } else {
            long t0 = System.nanoTime();
            if (phase.tryVector()) {
                vector.gradientSums(dy, x, from, to, mu, acc1, acc2, g);
                phase.vectorTook(t0, to - from);
            } else {
                twin.gradientSums(dy, x, from, to, mu, acc1, acc2, g);
                phase.twinTook(t0, to - from);
            }
        }
    }
}
