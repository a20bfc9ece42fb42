package org.sparktrain.engine.loss;

import org.sparktrain.engine.data.MiniBatch;

/**
 * Huber loss with threshold δ, averaged over examples and outputs (PyTorch's {@code HuberLoss} with mean
 * reduction): per value with {@code d = o − t}, {@code ½d²} where {@code |d| ≤ δ}, else {@code δ(|d| − ½δ)};
 * gradient {@code d / (n·k)} inside, {@code δ·sign(d) / (n·k)} outside. Quadratic near the target, linear (so
 * robust to outliers) beyond δ. Regression (docs/architecture.md, "Regression").
 */
public final class HuberLoss implements Loss {
    private final double delta;

    public HuberLoss(double delta) {
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("huber's delta must be a finite number > 0, got " + delta);
        }
        this.delta = delta;
    }

    public double delta() {
        return delta;
    }

    @Override
    public String name() {
        return "huber";
    }

    @Override
    public boolean classification() {
        return false;
    }

    @Override
    public double forwardBackward(float[] out, int k, MiniBatch batch, float[] dOut) {
        int n = batch.size;
        double scale = 1.0 / ((double) n * k);
        double total = 0;
        float[] rw = batch.weights; // per-row weights (null: 1), docs/architecture.md, Conventions "Row weights"
        for (int i = 0; i < n * k; i++) {
            double w = rw == null ? 1.0 : rw[i / k];
            double d = out[i] - Targets.value(batch, i, k);
            double a = Math.abs(d);
            boolean inside = a <= delta;
            total += w * (inside ? 0.5 * d * d : delta * (a - 0.5 * delta));
            if (dOut != null) {
                dOut[i] = (float) ((inside ? d : delta * Math.signum(d)) * (w * scale));
            }
        }
        return total * scale;
    }

    @Override
    public void toPredictions(float[] out, int outSize, int rows, float[] predictions) {
        System.arraycopy(out, 0, predictions, 0, rows * outSize);
    }
}
