package org.sparktrain.partitioning;

import org.sparktrain.engine.data.MiniBatch;

/**
 * A packed minibatch as it lives in the cached training RDD: {@code size} examples of {@code featureSize}
 * floats each (an image or a [T, F] sequence flattened), their labels, and their row ids.
 *
 * <p>Why not {@link MiniBatch} itself: a block also carries the row ids (so a run can prove which rows a
 * worker trained on, e.g. that no validation row is in a training block) and its feature size, and has a
 * no-argument constructor for Kryo. {@link #toMiniBatch()} hands the engine the same arrays, not copies.
 * The arrays are exactly {@code size} long; {@code mask} is null (every example counts).
 */
public final class Block {
    public float[] features;
    public int[] labels;
    public long[] ids;
    public float[] mask;
    public int size;
    public int featureSize;

    public Block() {
    }

    Block(int size, int featureSize) {
        this.size = size;
        this.featureSize = featureSize;
        this.features = new float[size * featureSize];
        this.labels = new int[size];
        this.ids = new long[size];
    }

    /** The engine's view of this block (same arrays). */
    public MiniBatch toMiniBatch() {
        MiniBatch b = new MiniBatch(features, labels, null, size);
        b.mask = mask;
        return b;
    }
}
