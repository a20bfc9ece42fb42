package org.sparktrain.engine.data;

/**
 * A packed minibatch: what executors receive instead of rows (docs/architecture.md, decision 3).
 * {@code features} holds {@code size × featureSize} floats, example after example; {@code labels}
 * holds class indices (classification) and {@code targets} {@code size × outputSize} floats
 * (regression, multi-label); either may be null when the loss does not use it. {@code mask}, when not
 * null, marks the real time steps of sequence examples: {@code size × T} values, 1 for a real step and 0
 * for padding (recurrent layers carry their state through a padded step and take no gradient from it). {@code weights},
 * when not null, holds one weight ≥ 0 per example (Spark ML's {@code weightCol}): every loss becomes
 * {@code Σ w_i L_i / size}, gradient {@code w_i dL_i / size} (docs/architecture.md, Conventions, "Row weights"); null:
 * every example weighs 1. Buffers may be longer than needed: only the
 * first {@code size} examples count. Mutable on purpose: a trainer refills one instance per step.
 */
public final class MiniBatch implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    public float[] features;
    public int[] labels;
    public float[] targets;
    public float[] mask;
    /** One weight per example (≥ 0, finite), or null: every example weighs 1. */
    public float[] weights;
    public int size;

    public MiniBatch(float[] features, int[] labels, float[] targets, int size) {
        this.features = features;
        this.labels = labels;
        this.targets = targets;
        this.size = size;
    }

    /** Example r's weight: {@code weights[r]}, or 1 when there are none. */
    public double weight(int r) {
        return weights == null ? 1.0 : weights[r];
    }

    /** Empty buffers for up to {@code capacity} examples. */
    public static MiniBatch allocate(int capacity, int featureSize, boolean withLabels, int targetSize) {
        return new MiniBatch(new float[capacity * featureSize], withLabels ? new int[capacity] : null,
                targetSize > 0 ? new float[capacity * targetSize] : null, 0);
    }
}
