package org.sparktrain.engine.loss;

import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.layer.Activation;

/**
 * Fused softmax + cross-entropy on logits z (docs/architecture.md, Conventions): per example
 * {@code L = log Σ_j e^{z_j − max} + max − z_y} (log-sum-exp, never {@code log(softmax)}), so logits of
 * ±1000 give finite values; gradient {@code (softmax(z) − onehot(y)) / batch}. Labels must lie in
 * {@code [0, outSize)}. With class weights w ({@link #setClassWeights}): {@code Σ w_y L / batch}, gradient
 * {@code w_y (softmax(z) − onehot(y)) / batch}: the minibatch mean of the weighted losses, so a minibatch's gradient
 * is an unbiased estimate of the up-sampled data's (docs/architecture.md, Conventions; dividing by {@code Σ w_y}
 * instead shrinks a rare heavy row's share and measurably lost minority recall). Row weights
 * ({@link MiniBatch#weights}) multiply the class weights: {@code Σ w_y v_i L_i / batch}.
 */
public final class SoftmaxCrossEntropy implements Loss {
    private float[] classWeights;

    @Override
    public void setClassWeights(float[] weights) {
        if (weights != null) {
            for (float w : weights) {
                if (!(w >= 0) || Float.isInfinite(w)) {
                    throw new IllegalArgumentException("class weights must be finite and >= 0, got "
                            + java.util.Arrays.toString(weights));
                }
            }
        }
        this.classWeights = weights == null ? null : weights.clone();
    }

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
        float[] w = classWeights;
        if (w != null && w.length != k) {
            throw new IllegalArgumentException(w.length + " class weights for the network's " + k + " classes");
        }
        for (int r = 0; r < n; r++) {
            int o = r * k;
            int label = y[r];
            if (label < 0 || label >= k) {
                throw new IllegalArgumentException("label " + label + " of example " + r
                        + " is outside the network's " + k + " classes [0, " + (k - 1) + "]");
            }
            // class weight × row weight (docs/architecture.md, Conventions, "Row weights"); 1 when neither is given
            double rowWeight = (w == null ? 1.0 : w[label]) * batch.weight(r);
            boolean weighted = w != null || batch.weights != null;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, z[o + j]);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(z[o + j] - max);
            }
            double logSum = Math.log(sum);
            total += !weighted ? logSum + max - z[o + label] : rowWeight * (logSum + max - z[o + label]);
            if (dOut != null) {
                double scale = !weighted ? invN : rowWeight * invN;
                for (int j = 0; j < k; j++) {
                    double p = Math.exp(z[o + j] - max - logSum);
                    dOut[o + j] = (float) ((p - (j == label ? 1.0 : 0.0)) * scale);
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
