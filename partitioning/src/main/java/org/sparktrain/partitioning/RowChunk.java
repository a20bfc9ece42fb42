package org.sparktrain.partitioning;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * How validated rows are cached between the pipeline's passes: many rows in a few large arrays rather than
 * one object and one {@code float[]} per row. A partition of 30,000 Fashion-MNIST rows is 23 chunks
 * instead of 60,000 objects, so the garbage collector does not trace or copy rows one by one (large arrays
 * are allocated outside the young generation), and the passes that need only features, labels or counts
 * (fitting a scaler, counting classes, packing without a shuffle) read the arrays directly instead of
 * creating an {@link Example} per row.
 *
 * <p>The last chunk of each partition carries what validation found in that partition ({@link #stats}),
 * so reading, validating and caching are one pass. Mutable fields and a no-argument constructor for Kryo.
 */
public final class RowChunk implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Target features per chunk: 2^20 floats (4 MiB), a handful of chunks per partition. */
    static final int TARGET_VALUES = 1 << 20;
    static final int MAX_ROWS = 1 << 16;

    /** Value of an unsigned byte b as a feature: b / 255, as {@link org.sparktrain.engine.io.IdxReader} reads. */
    static final float[] UNIT = new float[256];

    /** Value of an unsigned byte b as a feature when the chunk holds {@link #integers}: b itself. */
    static final float[] INTEGER = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            UNIT[i] = i / 255f;
            INTEGER[i] = i;
        }
    }

    public int size;
    public int featureSize;
    /** {@code size × featureSize} values, row-major; null when the chunk holds {@link #bytes}. */
    public float[] features;
    /**
     * For 8-bit sources (IDX images): {@code size × featureSize} unsigned bytes, value byte / 255, a quarter
     * of the memory of floats; turned into (scaled) floats only when packed. Null when {@link #features}
     * is used.
     */
    public byte[] bytes;
    /**
     * For {@link #bytes}: true when a byte b stands for the value b itself (a chunk of integers 0–255, e.g.
     * pixel counts in CSV), false when it stands for b / 255 (IDX images, or floats that are all such
     * fractions). See {@link #narrow}.
     */
    public boolean integers;
    public int[] labels;
    public long[] ids;
    /** Text sequence ids ({@link Example#key}) by row, or null when no row has one. */
    public String[] keys;
    /** On the last chunk of a partition: the validation statistics of the whole partition; else null. */
    public ReadStats stats;

    public RowChunk() {
    }

    RowChunk(int capacity, int featureSize) {
        this(capacity, featureSize, false);
    }

    RowChunk(int capacity, int featureSize, boolean bytes) {
        this.featureSize = featureSize;
        if (bytes) {
            this.bytes = new byte[capacity * featureSize];
        } else {
            this.features = new float[capacity * featureSize];
        }
        this.labels = new int[capacity];
        this.ids = new long[capacity];
    }

    /**
     * A chunk of floats whose value array is {@code scratch} when that is given and large enough (a task
     * reuses the array of its previous chunk when {@link #narrow} turned that one into bytes, so compact
     * data allocates 1 MiB of bytes per chunk instead of 4 MiB of floats plus 1 MiB of bytes).
     */
    static RowChunk reusing(float[] scratch, int capacity, int featureSize) {
        if (scratch == null || scratch.length != capacity * featureSize) {
            return new RowChunk(capacity, featureSize);
        }
        RowChunk c = new RowChunk();
        c.featureSize = featureSize;
        c.features = scratch;
        c.labels = new int[capacity];
        c.ids = new long[capacity];
        return c;
    }

    /**
     * Ends a chunk a reader has filled (every reader of floats ends its chunks here): notes its class mix,
     * trims the partition's last chunk, stores it as bytes when exact ({@link #narrow}), attaches the
     * partition's statistics to the last chunk and adds the chunk to the feature summary. Answers the
     * float array the reader may fill next ({@link #reusing}): {@code filled}, unless the chunk kept it.
     */
    float[] finish(ReadStats stats, boolean last, float[] filled) {
        stats.noteChunk(labels, size);
        if (last) {
            trim();
        }
        narrow();
        if (last) {
            stats.finishChunks();
            this.stats = stats;
        }
        stats.summarize(this);
        return features == filled ? null : filled;
    }

    static int capacity(int featureSize) {
        return Math.max(1, Math.min(MAX_ROWS, TARGET_VALUES / Math.max(1, featureSize)));
    }

    /** Drops unused capacity (the last chunk of a partition). */
    void trim() {
        if (labels.length != size) {
            if (bytes != null) {
                bytes = Arrays.copyOf(bytes, size * featureSize);
            } else {
                features = Arrays.copyOf(features, size * featureSize);
            }
            labels = Arrays.copyOf(labels, size);
            ids = Arrays.copyOf(ids, size);
        }
    }

    /**
     * Stores a chunk of floats as bytes when that is exact: every value an integer 0–255 (byte b stands for
     * b, {@link #integers}) or every value one of the floats b / 255 (as IDX images are read and as images
     * scaled to [0, 1] usually are). Bit for bit the same floats come back ({@link #copyRow}), in a quarter
     * of the memory, disk and serialization time. One check per value, ending at the first value that fits
     * neither; a chunk that does not fit stays floats (chunks decide each for themselves, so one odd value
     * costs only its own chunk). docs/data-preparation.md, "Compact rows".
     */
    void narrow() {
        if (features == null || size == 0) {
            return;
        }
        int n = size * featureSize;
        int first = Math.min(n, featureSize);
        // the first row says which encoding to try, without allocating (most float data fails at once)
        boolean whole = encode(features, first, null, true);
        if (!whole && !encode(features, first, null, false)) {
            return;
        }
        byte[] b = new byte[n];
        if (!encode(features, n, b, whole)) {
            if (!whole || !encode(features, n, b, false)) {
                return;
            }
            whole = false;
        }
        bytes = b;
        integers = whole;
        features = null;
    }

    /**
     * Whether the first {@code n} values all fit one byte encoding, exactly, bit for bit (the sign of zero
     * too): integers 0–255, or fractions b / 255 as {@link #UNIT} holds them; writes the bytes to
     * {@code out} when given.
     */
    private static boolean encode(float[] x, int n, byte[] out, boolean integers) {
        float[] table = integers ? INTEGER : UNIT;
        for (int i = 0; i < n; i++) {
            float v = x[i];
            int k = integers ? (int) v : (int) (v * 255f + 0.5f);
            if (k < 0 || k > 255 || Float.floatToRawIntBits(v) != Float.floatToRawIntBits(table[k])) {
                return false;
            }
            if (out != null) {
                out[i] = (byte) k;
            }
        }
        return true;
    }

    /** Rows [from, to) as a chunk of their own (copies), without statistics. */
    RowChunk slice(int from, int to) {
        RowChunk c = new RowChunk();
        c.size = to - from;
        c.featureSize = featureSize;
        if (bytes != null) {
            c.bytes = Arrays.copyOfRange(bytes, from * featureSize, to * featureSize);
            c.integers = integers;
        } else {
            c.features = Arrays.copyOfRange(features, from * featureSize, to * featureSize);
        }
        c.labels = Arrays.copyOfRange(labels, from, to);
        c.ids = Arrays.copyOfRange(ids, from, to);
        return c;
    }

    /** The chunk as a block of the same arrays (no copy): a stored training block of raw rows. */
    Block asBlock() {
        Block b = new Block();
        b.size = size;
        b.featureSize = featureSize;
        b.features = features;
        b.bytes = bytes;
        b.integers = integers;
        b.labels = labels;
        b.ids = ids;
        b.unscaled = true;
        return b;
    }

    /** Row i as an Example with its own copy of the features. */
    Example example(int i) {
        float[] x = new float[featureSize];
        copyRow(i, x, 0, null, null);
        Example e = new Example(ids[i], labels[i], x);
        e.key = keys == null ? null : keys[i];
        return e;
    }

    /**
     * Writes row i's features to {@code dst} from {@code d}: as they are, or scaled ((x − shift) · scale,
     * exactly as {@link org.sparktrain.engine.io.FittedScaler#apply} computes) when {@code shift} is given.
     */
    void copyRow(int i, float[] dst, int d, float[] shift, float[] scale) {
        int f = featureSize;
        int o = i * f;
        if (bytes != null) {
            unpack(bytes, integers ? INTEGER : UNIT, o, dst, d, f, shift, scale);
        } else if (shift == null) {
            System.arraycopy(features, o, dst, d, f);
        } else {
            float[] x = features;
            for (int k = 0; k < f; k++) {
                dst[d + k] = (x[o + k] - shift[k]) * scale[k];
            }
        }
    }

    /**
     * {@code f} raw bytes from {@code src[o]} as floats ({@code unit[byte]}: {@link #UNIT} or
     * {@link #INTEGER}) into {@code dst[d]}, scaled when {@code shift} is given ((x − shift) · scale,
     * exactly as FittedScaler computes).
     */
    static void unpack(byte[] src, float[] unit, int o, float[] dst, int d, int f, float[] shift, float[] scale) {
        if (shift == null) {
            for (int k = 0; k < f; k++) {
                dst[d + k] = unit[src[o + k] & 0xff];
            }
        } else {
            for (int k = 0; k < f; k++) {
                dst[d + k] = (unit[src[o + k] & 0xff] - shift[k]) * scale[k];
            }
        }
    }

    /**
     * Turns a partition of parsed rows into chunks of its valid rows, counting every row (valid or not)
     * into the partition's {@link ReadStats}, attached to the partition's last chunk (there is always at
     * least one, possibly empty).
     */
    static Iterator<RowChunk> pack(int partition, Iterator<Example> rows, int classes, int partitions,
            int featureSize, ReadOptions.Summaries summaries) {
        return new Chunker<Example>(partition, rows, classes, partitions, featureSize, summaries) {
            @Override
            void take(Example e, RowChunk c) {
                add(e, c);
            }
        };
    }

    /**
     * A partition's input items as chunks of its valid rows, each chunk filled up to its capacity and ended by
     * {@link #finish}, the partition's {@link ReadStats} on the last (there is always at least one, possibly
     * empty). What an item becomes is the reader's {@link #take}: {@link #pack} adds parsed rows with {@link #add};
     * the CSV reader parses a line of plain numbers straight into the chunk and adds any other line's row.
     */
    abstract static class Chunker<T> implements Iterator<RowChunk> {
        final int partition;
        final int featureSize;
        final int capacity;
        final ReadStats stats;
        private final Iterator<T> in;
        private boolean last;
        private float[] scratch;

        Chunker(int partition, Iterator<T> in, int classes, int partitions, int featureSize,
                ReadOptions.Summaries summaries) {
            this.partition = partition;
            this.in = in;
            this.featureSize = featureSize;
            this.capacity = capacity(featureSize);
            this.stats = ReadStats.empty(classes, partitions);
            stats.startSummary(featureSize, summaries);
        }

        /** Adds {@code item}'s row to {@code c} (which has room for it), or only counts it, or skips it. */
        abstract void take(T item, RowChunk c);

        /** Counts {@code e} in the partition's statistics and, when it is valid, appends it to {@code c}. */
        final void add(Example e, RowChunk c) {
            stats.add(partition, e);
            if (!e.isValid()) {
                return;
            }
            if (e.features.length != featureSize) {
                throw new IllegalStateException("row " + e.id + " has " + e.features.length
                        + " features where the reader promised " + featureSize);
            }
            System.arraycopy(e.features, 0, c.features, c.size * featureSize, featureSize);
            c.labels[c.size] = e.label;
            c.ids[c.size] = e.id;
            if (e.key != null) {
                if (c.keys == null) {
                    c.keys = new String[capacity];
                }
                c.keys[c.size] = e.key;
            }
            c.size++;
        }

        @Override
        public boolean hasNext() {
            return !last;
        }

        @Override
        public RowChunk next() {
            if (last) {
                throw new NoSuchElementException();
            }
            RowChunk c = reusing(scratch, capacity, featureSize);
            float[] filled = c.features;
            while (c.size < capacity && in.hasNext()) {
                take(in.next(), c);
            }
            last = !in.hasNext();
            scratch = c.finish(stats, last, filled);
            return c;
        }
    }

    /** The rows of a partition's chunks as Examples (each with its own features), in order. */
    static Iterator<Example> rows(Iterator<RowChunk> chunks) {
        return rows(chunks, true);
    }

    /** The rows of a partition's chunks as Examples without features (id and label only), in order. */
    static Iterator<Example> keys(Iterator<RowChunk> chunks) {
        return rows(chunks, false);
    }

    private static Iterator<Example> rows(Iterator<RowChunk> chunks, boolean features) {
        return new Iterator<Example>() {
            RowChunk c;
            int i;

            @Override
            public boolean hasNext() {
                while ((c == null || i >= c.size) && chunks.hasNext()) {
                    c = chunks.next();
                    i = 0;
                }
                return c != null && i < c.size;
            }

            @Override
            public Example next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return features ? c.example(i++) : new Example(c.ids[i], c.labels[i++], null);
            }
        };
    }
}
