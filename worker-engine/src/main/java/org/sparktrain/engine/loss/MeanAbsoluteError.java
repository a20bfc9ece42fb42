package org.sparktrain.engine.loss;

import org.sparktrain.engine.data.MiniBatch;

/**
 * Mean absolute error over examples and outputs: {@code L = (1/(n·k)) Σ |o − t|} (PyTorch's {@code L1Loss} with
 * mean reduction); gradient {@code sign(o − t) / (n·k)}, 0 where {@code o = t} (the subgradient PyTorch takes).
 * Regression (docs/architecture.md, "Regression").
 */
public final class MeanAbsoluteError implements Loss {

    @Override
    public String name() {
        return "mae";
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
            total += w * Math.abs(d);
            if (dOut != null) {
                dOut[i] = (float) (Math.signum(d) * (w * scale));
            }
        }
        return total * scale;
    }

    @Override
    public void toPredictions(float[] out, int outSize, int rows, float[] predictions) {
        System.arraycopy(out, 0, predictions, 0, rows * outSize);
    }
}
