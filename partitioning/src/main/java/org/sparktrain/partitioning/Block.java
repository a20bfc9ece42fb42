package org.sparktrain.partitioning;

import org.sparktrain.engine.data.MiniBatch;

/**
 * A packed minibatch as it lives in the cached training RDD: {@code size} examples of {@code featureSize}
 * values each (an image or a [T, F] sequence flattened), their labels, and their row ids.
 *
 * <p>Why not {@link MiniBatch} itself: a block also carries the row ids (so a run can prove which rows a
 * worker trained on, e.g. that no validation row is in a training block) and its feature size, and has a
 * no-argument constructor for Kryo. {@link #toMiniBatch()} hands the engine the same arrays, not copies.
 * The arrays are exactly {@code size} long; {@code mask} is null (every example counts).
 *
 * <p>The values are either {@link #features}, already scaled, or, in the stored training blocks of an
 * 8-bit source (IDX images), {@link #bytes}: the raw unsigned bytes (value byte / 255), unscaled, a
 * quarter of the memory; each epoch's repacking ({@code PreparedFold.trainBlocks(epoch)}) turns them into
 * scaled floats. Exactly one of the two is non-null.
 */
public final class Block implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    public float[] features;
    /** Raw unsigned bytes (value byte / 255, not scaled) instead of {@link #features}, or null. */
    public byte[] bytes;
    /** For {@link #bytes}: byte b stands for b itself rather than b / 255 ({@link RowChunk#integers}). */
    public boolean integers;
    public int[] labels;
    public long[] ids;
    public float[] mask;
    /**
     * For {@link #features}: true when they are as read, not yet scaled (a stored training block that is
     * the read's cached chunk itself); each epoch's repacking scales them. Raw {@link #bytes} are always
     * unscaled.
     */
    public boolean unscaled;
    public int size;
    public int featureSize;

    public Block() {
    }

    Block(int size, int featureSize) {
        this(size, featureSize, false);
    }

    Block(int size, int featureSize, boolean bytes) {
        this.size = size;
        this.featureSize = featureSize;
        if (bytes) {
            this.bytes = new byte[size * featureSize];
        } else {
            this.features = new float[size * featureSize];
        }
        this.labels = new int[size];
        this.ids = new long[size];
    }

    /**
     * The engine's view of this block (same arrays).
     *
     * @throws IllegalStateException for a block of raw bytes (a stored training block): train on
     *         {@code PreparedFold.trainBlocks(epoch)}, which holds scaled floats
     */
    public MiniBatch toMiniBatch() {
        if (features == null || unscaled) {
            throw new IllegalStateException("this block holds raw, unscaled bytes (a stored training block of an"
                    + " 8-bit source); train on PreparedFold.trainBlocks(epoch), whose blocks hold scaled floats");
        }
        MiniBatch b = new MiniBatch(features, labels, null, size);
        b.mask = mask;
        return b;
    }

    /**
     * The engine's view of a regression block whose rows end with {@code targets} values: the features and the
     * targets copied apart ({@code size × (featureSize − targets)} and {@code size × targets}); for
     * {@code targets} 0 the same arrays as {@link #toMiniBatch()}. docs/architecture.md, "Regression".
     */
    public MiniBatch toMiniBatch(int targets) {
        if (targets == 0) {
            return toMiniBatch();
        }
        if (features == null || unscaled) {
            toMiniBatch(); // the same refusal
        }
        int in = featureSize - targets;
        float[] x = new float[size * in];
        float[] t = new float[size * targets];
        for (int r = 0; r < size; r++) {
            System.arraycopy(features, r * featureSize, x, r * in, in);
            System.arraycopy(features, r * featureSize + in, t, r * targets, targets);
        }
        MiniBatch b = new MiniBatch(x, labels, t, size);
        b.mask = mask;
        return b;
    }

    /**
     * Writes row r's values to {@code dst} from {@code d}: floats as they are (scaled when
     * {@link #unscaled}); bytes as byte / 255 (or the byte itself, {@link #integers}), scaled
     * with {@code shift} and {@code scale} when given ((x − shift) · scale, as FittedScaler computes).
     */
    void copyRow(int r, float[] dst, int d, float[] shift, float[] scale) {
        int f = featureSize;
        int o = r * f;
        if (features != null) {
            if (unscaled && shift != null) {
                float[] x = features;
                for (int k = 0; k < f; k++) {
                    dst[d + k] = (x[o + k] - shift[k]) * scale[k]; // as FittedScaler.apply
                }
            } else {
                System.arraycopy(features, o, dst, d, f);
            }
            return;
        }
        RowChunk.unpack(bytes, integers ? RowChunk.INTEGER : RowChunk.UNIT, o, dst, d, f, shift, scale);
    }
}
