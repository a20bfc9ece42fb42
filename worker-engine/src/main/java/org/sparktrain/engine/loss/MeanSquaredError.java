package org.sparktrain.engine.loss;

import org.sparktrain.engine.data.MiniBatch;

/**
 * Mean squared error over examples and outputs: {@code L = (1/(n·k)) Σ (o − t)²} (PyTorch's
 * {@code MSELoss} with mean reduction); gradient {@code 2 (o − t) / (n·k)}. Uses {@code targets}; with
 * one output and no targets, the class labels are the targets.
 */
public final class MeanSquaredError implements Loss {

    @Override
    public String name() {
        return "mse";
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
            double t = Targets.value(batch, i, k);
            double d = out[i] - t;
            total += w * (d * d);
            if (dOut != null) {
                dOut[i] = (float) (2 * d * (w * scale));
            }
        }
        return total * scale;
    }

    @Override
    public void toPredictions(float[] out, int outSize, int rows, float[] predictions) {
        System.arraycopy(out, 0, predictions, 0, rows * outSize);
    }
}
