package org.sparktrain.engine.loss;

import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.layer.Activation;

/**
 * Fused softmax + cross-entropy on logits z (docs/architecture.md, Conventions): per example
 * {@code L = log Σ_j e^{z_j − max} + max − z_y} (log-sum-exp, never {@code log(softmax)}), so logits of
 * ±1000 give finite values; gradient {@code (softmax(z) − onehot(y)) / batch}. Labels must lie in
 * {@code [0, outSize)}.
 */
public final class SoftmaxCrossEntropy implements Loss {

    @Override
    public String name() {
        return "softmax_cross_entropy";
    }

    @Override
    public String fusedActivation() {
        return "softmax";
    }

    @Override
    public boolean classification() {
        return true;
    }

    @Override
    public double forwardBackward(float[] z, int k, MiniBatch batch, float[] dOut) {
        int n = batch.size;
        int[] y = batch.labels;
        double total = 0;
        double invN = 1.0 / n;
        for (int r = 0; r < n; r++) {
            int o = r * k;
            int label = y[r];
            if (label < 0 || label >= k) {
                throw new IllegalArgumentException("label " + label + " of example " + r
                        + " is outside the network's " + k + " classes [0, " + (k - 1) + "]");
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, z[o + j]);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(z[o + j] - max);
            }
            double logSum = Math.log(sum);
            total += logSum + max - z[o + label];
            if (dOut != null) {
                for (int j = 0; j < k; j++) {
                    double p = Math.exp(z[o + j] - max - logSum);
                    dOut[o + j] = (float) ((p - (j == label ? 1.0 : 0.0)) * invN);
                }
            }
        }
        return total * invN;
    }

    @Override
    public void toPredictions(float[] out, int outSize, int rows, float[] predictions) {
        Activation.softmaxRows(out, predictions, rows, outSize);
    }
}
