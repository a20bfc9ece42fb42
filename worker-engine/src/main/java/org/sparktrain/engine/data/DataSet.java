package org.sparktrain.engine.data;

import org.sparktrain.engine.Shape;

/**
 * An in-memory data set on one machine: {@code n} examples of {@code shape}, features row after row,
 * with class labels and/or float targets. Used by the single-worker trainer and by tests; the
 * distributed path packs the same layout into blocks on the executors. Sequences of varying length
 * ({@code [T, F]} examples padded at the end) carry their lengths ({@link #withLengths}): every minibatch
 * drawn from them gets the mask of its rows ({@code MiniBatch.mask}, 1 for the first {@code length} steps).
 */
public final class DataSet implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final Shape shape;
    private final float[] features;
    private final int[] labels;
    private final float[] targets;
    private final int targetSize;
    private final int n;
    /** Real steps of each sequence example, or null (every step real). */
    private final int[] lengths;

    public DataSet(Shape shape, float[] features, int[] labels, float[] targets, int targetSize) {
        this(shape, features, labels, targets, targetSize, null);
    }

    private DataSet(Shape shape, float[] features, int[] labels, float[] targets, int targetSize, int[] lengths) {
        this.shape = shape;
        this.lengths = lengths;
        this.features = features;
        this.labels = labels;
        this.targets = targets;
        this.targetSize = targetSize;
        int fs = shape.size();
        if (features.length % fs != 0) {
            throw new IllegalArgumentException("features hold " + features.length
                    + " floats, not a multiple of the example size " + fs + " " + shape);
        }
        this.n = features.length / fs;
        if (labels != null && labels.length != n) {
            throw new IllegalArgumentException(n + " examples but " + labels.length + " labels");
        }
        if (targets != null && targets.length != (long) n * targetSize) {
            throw new IllegalArgumentException(n + " examples but " + targets.length + " target values for "
                    + targetSize + " per example");
        }
    }

    /**
     * The same examples as sequences of the given lengths (steps {@code [0, length)} real, the rest
     * padding); the examples must have shape {@code [T, F]} and every length lie in {@code [0, T]}.
     */
    public DataSet withLengths(int[] lengths) {
        if (shape.rank() != 2) {
            throw new IllegalArgumentException("sequence lengths need examples of shape [time, features], got " + shape);
        }
        if (lengths.length != n) {
            throw new IllegalArgumentException(n + " examples but " + lengths.length + " sequence lengths");
        }
        int t = shape.dim(0);
        for (int i = 0; i < n; i++) {
            if (lengths[i] < 0 || lengths[i] > t) {
                throw new IllegalArgumentException("example " + i + " has length " + lengths[i] + ", outside [0, " + t + "]");
            }
        }
        return new DataSet(shape, features, labels, targets, targetSize, lengths);
    }

    /** The sequence lengths, or null. */
    public int[] lengths() {
        return lengths;
    }

    public static DataSet classification(Shape shape, float[] features, int[] labels) {
        return new DataSet(shape, features, labels, null, 0);
    }

    public Shape shape() {
        return shape;
    }

    public int size() {
        return n;
    }

    public float[] features() {
        return features;
    }

    public int[] labels() {
        return labels;
    }

    public float[] targets() {
        return targets;
    }

    public int targetSize() {
        return targetSize;
    }

    /** The first {@code k} examples (a view for labels/targets is not possible with arrays: copies). */
    public DataSet head(int k) {
        if (k >= n) {
            return this;
        }
        int fs = shape.size();
        return new DataSet(shape, java.util.Arrays.copyOf(features, k * fs),
                labels == null ? null : java.util.Arrays.copyOf(labels, k),
                targets == null ? null : java.util.Arrays.copyOf(targets, k * targetSize), targetSize,
                lengths == null ? null : java.util.Arrays.copyOf(lengths, k));
    }

    /** Copies the examples {@code index[from .. from+count)} into {@code into} (its size set to count). */
    public void gather(int[] index, int from, int count, MiniBatch into) {
        int fs = shape.size();
        for (int i = 0; i < count; i++) {
            int e = index[from + i];
            System.arraycopy(features, e * fs, into.features, i * fs, fs);
            if (labels != null) {
                into.labels[i] = labels[e];
            }
            if (targets != null) {
                System.arraycopy(targets, e * targetSize, into.targets, i * targetSize, targetSize);
            }
        }
        into.size = count;
        setMask(into, index, from, count);
    }

    private float[] maskFor(MiniBatch into, int count) {
        int need = count * shape.dim(0);
        if (into.mask == null || into.mask.length < need) {
            into.mask = new float[Math.max(need, into.features.length / shape.dim(1))];
        }
        return into.mask;
    }

    /** Copies the contiguous examples {@code [from, from+count)} into {@code into}. */
    public void slice(int from, int count, MiniBatch into) {
        int fs = shape.size();
        System.arraycopy(features, from * fs, into.features, 0, count * fs);
        if (labels != null) {
            System.arraycopy(labels, from, into.labels, 0, count);
        }
        if (targets != null) {
            System.arraycopy(targets, from * targetSize, into.targets, 0, count * targetSize);
        }
        into.size = count;
        setMask(into, null, from, count);
    }

    /**
     * The mask of the examples just copied into {@code into} (examples {@code index[from + i]}, or {@code from + i}
     * when {@code index} is null), or none when this data set has no lengths.
     */
    private void setMask(MiniBatch into, int[] index, int from, int count) {
        if (lengths == null) {
            into.mask = null;
            return;
        }
        int t = shape.dim(0);
        float[] m = maskFor(into, count);
        for (int i = 0; i < count; i++) {
            int len = lengths[index == null ? from + i : index[from + i]];
            java.util.Arrays.fill(m, i * t, i * t + len, 1f);
            java.util.Arrays.fill(m, i * t + len, (i + 1) * t, 0f);
        }
    }
}
