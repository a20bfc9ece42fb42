package org.sparktrain.driver.train;

import java.io.Serializable;
import java.util.Arrays;

/**
 * {@code --class-weight}: the loss weighted per class, the cheaper sibling of up-sampling (the same expectation,
 * no extra rows; docs/architecture.md, Conventions). {@code balanced} weighs class c by {@code N / (k · n_c)}
 * over the training part's class counts (scikit-learn's rule: every class carries the same total weight);
 * {@code w0,w1,...} gives each class its weight.
 *
 * @param given the weights given, or null for {@code balanced}
 */
public record ClassWeights(float[] given) implements Serializable {

    /** {@code balanced} or a list of k non-negative numbers. */
    public static ClassWeights parse(String text) {
        if (text.equals("balanced")) {
            return new ClassWeights(null);
        }
        String[] parts = text.split(",");
        float[] w = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                w[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                w[i] = Float.NaN;
            }
            if (!(w[i] >= 0) || Float.isInfinite(w[i])) {
                throw new IllegalArgumentException("--class-weight must be balanced or one weight >= 0 per class,"
                        + " like 1,3,1, got '" + text + "'");
            }
        }
        return new ClassWeights(w);
    }

    /** The weight of every class, given the training part's rows per class. */
    public float[] resolve(long[] classCounts) {
        int k = classCounts.length;
        if (given != null) {
            if (given.length != k) {
                throw new IllegalArgumentException("--class-weight gives " + given.length + " weights for " + k
                        + " classes");
            }
            return given.clone();
        }
        long total = Arrays.stream(classCounts).sum();
        float[] w = new float[k];
        for (int c = 0; c < k; c++) {
            w[c] = classCounts[c] == 0 ? 1f : (float) ((double) total / ((double) k * classCounts[c]));
        }
        return w;
    }

    @Override
    public String toString() {
        return given == null ? "balanced" : Arrays.toString(given);
    }
}
