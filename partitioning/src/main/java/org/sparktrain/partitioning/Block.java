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
    /**
     * Text sequence ids by row ({@link Example#key}: {@code score} writes them instead of the row ids), or null when
     * no row has one.
     */
    public String[] keys;
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
     * The engine's view of a block whose rows may be sequences: for {@code steps} 0 {@link #toMiniBatch(int)}; for a
     * sequence block ({@code steps} = T, rows {@code [x (T·F), length, targets...]}, {@link SequenceOptions}) the
     * features {@code size × T·F} with every step at or after the row's length set to 0 (a scaler leaves padding
     * at −shift·scale; the engine sees zeros whatever was stored), the targets apart, and {@code mask}
     * ({@code size × T}: {@code mask[r·T + t]} = 1 for t &lt; length, else 0). One copy of the block, O(rows).
     * docs/data-preparation.md, "Sequences".
     */
    public MiniBatch toMiniBatch(int targets, int steps) {
        return toMiniBatch(targets, steps, 0, false);
    }

    /**
     * As {@link #toMiniBatch(int, int)}, for many-to-many sequence rows
     * ({@code [x (T·F), length, y (T·stepTargets), targets...]}, {@link SequenceOptions#perStep}): the steps'
     * targets become the minibatch's per-step labels ({@code stepClasses}: {@code labels[r·T + t]}, one class index
     * per step) or targets ({@code targets[(r·T + t)·K ..]}, K = {@code stepTargets}; then no labels), padded steps'
     * 0 (the engine's per-step loss skips them through the mask).
     * {@code stepTargets} 0: {@link #toMiniBatch(int, int)}.
     */
    public MiniBatch toMiniBatch(int targets, int steps, int stepTargets, boolean stepClasses) {
        if (steps == 0) {
            return toMiniBatch(targets);
        }
        if (features == null || unscaled) {
            toMiniBatch(); // the same refusal
        }
        int in = featureSize - targets - 1 - steps * stepTargets; // T·F values, then the length
        if (in <= 0 || in % steps != 0) {
            throw new IllegalStateException("a block row of " + featureSize + " values with " + targets
                    + " targets is not a sequence of " + steps + " steps with its length"
                    + (stepTargets > 0 ? " and " + stepTargets + " target(s) per step" : ""));
        }
        int f = in / steps;
        float[] x = new float[size * in];
        float[] t = targets > 0 ? new float[size * targets] : null;
        float[] m = new float[size * steps];
        int[] stepLabels = stepTargets > 0 && stepClasses ? new int[size * steps] : null;
        float[] stepValues = stepTargets > 0 && !stepClasses ? new float[size * steps * stepTargets] : null;
        for (int r = 0; r < size; r++) {
            int o = r * featureSize;
            int length = length(features[o + in], steps, r);
            System.arraycopy(features, o, x, r * in, length * f); // the padding stays 0
            java.util.Arrays.fill(m, r * steps, r * steps + length, 1f);
            int y = o + in + 1; // the steps' targets
            if (stepLabels != null) {
                for (int s = 0; s < length; s++) {
                    stepLabels[r * steps + s] = (int) features[y + s];
                }
            } else if (stepValues != null) {
                System.arraycopy(features, y, stepValues, r * steps * stepTargets, length * stepTargets);
            }
            if (t != null) {
                System.arraycopy(features, y + steps * stepTargets, t, r * targets, targets);
            }
        }
        // per-step targets: no labels (the engine's per-step loss would take the rows' labels as the steps')
        MiniBatch b = new MiniBatch(x, stepLabels != null ? stepLabels : stepValues != null ? null : labels,
                stepValues != null ? stepValues : t, size);
        b.mask = m;
        return b;
    }

    /**
     * As {@link #toMiniBatch(int, int, int, boolean)}; with {@code weighted} every row ends with its weight (after any
     * targets: {@code [x..., y..., w]}), which becomes the minibatch's {@link MiniBatch#weights} (rows of fixed shape
     * only). One copy of the block, O(rows). docs/architecture.md, Conventions, "Row weights".
     */
    public MiniBatch toMiniBatch(int targets, int steps, int stepTargets, boolean stepClasses, boolean weighted) {
        if (!weighted) {
            return toMiniBatch(targets, steps, stepTargets, stepClasses);
        }
        if (steps != 0) {
            throw new IllegalStateException("row weights are not built for sequence rows");
        }
        if (features == null || unscaled) {
            toMiniBatch(); // the same refusal
        }
        int in = featureSize - targets - 1;
        float[] x = new float[size * in];
        float[] t = targets > 0 ? new float[size * targets] : null;
        float[] w = new float[size];
        for (int r = 0; r < size; r++) {
            int o = r * featureSize;
            System.arraycopy(features, o, x, r * in, in);
            if (t != null) {
                System.arraycopy(features, o + in, t, r * targets, targets);
            }
            w[r] = features[o + in + targets];
        }
        MiniBatch b = new MiniBatch(x, labels, t, size);
        b.mask = mask;
        b.weights = w;
        return b;
    }

    /**
     * This block without the last value of each row (a row weight: evaluation blocks are unweighted, docs/architecture.md,
     * Conventions, "Row weights"): a block of floats with {@code featureSize − 1} values per row, the same labels, ids,
     * keys and mask. One copy of the values, O(rows).
     */
    public Block withoutLastValue() {
        if (features == null) {
            throw new IllegalStateException("a block of raw bytes: evaluation blocks hold floats");
        }
        int f = featureSize - 1;
        Block b = new Block();
        b.size = size;
        b.featureSize = f;
        b.features = new float[size * f];
        for (int r = 0; r < size; r++) {
            System.arraycopy(features, r * featureSize, b.features, r * f, f);
        }
        b.unscaled = unscaled;
        b.labels = labels;
        b.ids = ids;
        b.keys = keys;
        b.mask = mask;
        return b;
    }

    /** Sets row r's text id (nothing for null), making {@link #keys} of {@code capacity} when it is first needed. */
    static void key(Block b, int r, String key, int capacity) {
        if (key != null) {
            if (b.keys == null) {
                b.keys = new String[capacity];
            }
            b.keys[r] = key;
        }
    }

    /** A stored length as the steps it stands for, checked: the readers write 1..T. */
    private static int length(float v, int steps, int row) {
        int n = (int) v;
        if (n != v || n < 1 || n > steps) {
            throw new IllegalStateException("block row " + row + " holds sequence length " + v + ", not in 1.." + steps);
        }
        return n;
    }

    /**
     * The target values per step of the rows a network takes: for a per-step output ({@code Network.perStep()},
     * many-to-many) 1 (a class label) for a classifier, else the K outputs of a step; 0 for any other network.
     */
    public static int stepTargets(org.sparktrain.engine.Network n) {
        if (!n.perStep()) {
            return 0;
        }
        return stepClasses(n) ? 1 : n.outputShape().dim(1);
    }

    /** Whether a per-step network's steps carry class labels (a classifier's) rather than target values. */
    public static boolean stepClasses(org.sparktrain.engine.Network n) {
        return n.perStep() && !n.spec().regression() && !n.spec().multiLabel();
    }

    /**
     * The steps T when {@code featureSize} values with {@code targets} targets are a sequence row for a model taking
     * {@code inputSize} = T·F values ({@code [x (T·F), length, targets...]}), 0 when they are the model's plain input
     * ({@code [x, targets...]}).
     *
     * @throws IllegalStateException when they are neither
     */
    public static int sequenceSteps(int featureSize, int targets, org.sparktrain.engine.Shape input) {
        return sequenceSteps(featureSize, targets, input, 0);
    }

    /** As above, for rows that carry {@code stepTargets} target values per step after the length (many-to-many). */
    public static int sequenceSteps(int featureSize, int targets, org.sparktrain.engine.Shape input, int stepTargets) {
        int in = featureSize - targets - (input.rank() == 2 ? input.dim(0) * stepTargets : 0);
        if (in == input.size()) {
            return 0;
        }
        if (in == input.size() + 1 && input.rank() == 2) {
            return input.dim(0);
        }
        throw new IllegalStateException("block rows of " + featureSize + " values (" + targets + " targets) do not fit"
                + " the model's input " + input);
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
