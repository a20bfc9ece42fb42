package org.sparktrain.engine.loss;

import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.layer.Activation;

/**
 * Fused sigmoid + binary cross-entropy on logits z with targets t in [0, 1], per output:
 * {@code max(z, 0) − z·t + log(1 + e^{−|z|})} (stable for any z), averaged over examples and outputs;
 * gradient {@code (σ(z) − t) / (n·k)}. One output with class labels 0/1, or k outputs with float
 * targets (multi-label).
 */
public final class SigmoidBinaryCrossEntropy implements Loss {

    @Override
    public String name() {
        return "sigmoid_binary_cross_entropy";
    }

    @Override
    public String fusedActivation() {
        return "sigmoid";
    }

    @Override
    public boolean classification() {
        return false;
    }

    @Override
    public double forwardBackward(float[] z, int k, MiniBatch batch, float[] dOut) {
        int n = batch.size;
        double scale = 1.0 / ((double) n * k);
        double total = 0;
        float[] rw = batch.weights; // per-row weights (null: 1), docs/architecture.md, Conventions "Row weights"
        for (int i = 0; i < n * k; i++) {
            double w = rw == null ? 1.0 : rw[i / k];
            double t = Targets.value(batch, i, k);
            double v = z[i];
            total += w * (Math.max(v, 0) - v * t + Math.log1p(Math.exp(-Math.abs(v))));
            if (dOut != null) {
                dOut[i] = (float) ((Activation.sigmoid(z[i]) - t) * (w * scale));
            }
        }
        return total * scale;
    }

    @Override
    public void toPredictions(float[] out, int outSize, int rows, float[] predictions) {
        for (int i = 0; i < rows * outSize; i++) {
            predictions[i] = Activation.sigmoid(out[i]);
        }
    }
}
