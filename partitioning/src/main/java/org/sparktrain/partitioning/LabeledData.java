package org.sparktrain.partitioning;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.sparktrain.engine.Shape;

/**
 * Validated input, on the executors: the rows that passed validation (persisted at the level the reader
 * was given), the example shape, the declared classes, and the {@link ValidationReport}. What a reader
 * returns and what {@link DataPipeline} splits.
 */
public final class LabeledData {
    /** What to release: the cached chunks, the cached rows, or nothing. */
    private final JavaRDD<?> persisted;
    /** The valid rows in chunks, cached; null when the rows are not cached (read again on each pass). */
    private final JavaRDD<RowChunk> chunks;
    /** The valid rows as Examples; made from the chunks on first use (most passes work on the chunks). */
    private JavaRDD<Example> rows;
    private final Shape shape;
    private final int classes;
    private ValidationReport report;
    private final RowSource source;
    private final long[] partitionRows;
    private long[] partitionClassRows;
    private final Moments zscore;
    private final Moments range;
    /** Whether the cached chunks hold raw bytes (an 8-bit source) rather than floats. */
    private boolean byteChunks;
    /** Whether the rows are mixed by class at chunk scale inside each partition ({@link ReadStats#chunksMixed}). */
    private boolean chunksMixed = true;
    /**
     * Regression: the number of float targets that follow the features in every row's values (the last
     * {@code targetCount} of {@link #featureCount()}); 0 for classification. docs/architecture.md, "Regression".
     */
    private int targetCount;
    /**
     * Sequences: each row is {@code [x (T·F), length, targets...]} (docs/data-preparation.md, "Sequences"); null for
     * rows of fixed shape.
     */
    private SequenceOptions sequences;
    /**
     * Whether every row's values end with its weight (after the targets; never scaled, never a feature):
     * docs/architecture.md, Conventions, "Row weights".
     */
    private boolean weighted;

    LabeledData(JavaRDD<?> persisted, JavaRDD<RowChunk> chunks, JavaRDD<Example> rows, Shape shape, int classes,
            ValidationReport report, RowSource source, long[] partitionRows, ReadStats summary) {
        this.partitionRows = partitionRows;
        this.persisted = persisted;
        this.chunks = chunks;
        this.rows = rows;
        this.shape = shape;
        this.classes = classes;
        this.report = report;
        this.source = source;
        this.partitionClassRows = null;
        this.zscore = summary == null ? null : summary.zscore;
        this.range = summary == null ? null : summary.range;
    }

    /**
     * Validates freshly parsed rows: one pass counts valid rows per class and bad rows per problem, then
     * fails with one located message (default) or drops and reports the bad rows.
     *
     * @throws DataFormatException on a broken file, a bad row (unless dropping), or no usable row at all
     */
    static LabeledData validate(JavaRDD<Example> parsed, RowSource source, ReadOptions options, Shape shape,
            StorageLevel storage) {
        int classes = options.classes();
        int parts = parsed.getNumPartitions();
        int featureSize = shape.size();
        if (storage == null) {
            storage = StorageLevel.MEMORY_AND_DISK();
        }
        if (!storage.equals(StorageLevel.NONE())) {
            ReadOptions.Summaries summaries = options.summaries();
            return fromChunks(parsed.mapPartitionsWithIndex((p, it) -> RowChunk.pack(p, it, classes, parts,
                    featureSize, summaries), true), source, options, shape, storage, false);
        }
        // Not cached: every pass reads the input again; one pass here only to validate.
        ReadStats stats = parsed.mapPartitionsWithIndex((p, it) -> {
            ReadStats s = ReadStats.empty(classes, parts);
            int[] labels = new int[RowChunk.capacity(featureSize)]; // the class mix per chunk-sized run of rows
            int k = 0;
            while (it.hasNext()) {
                Example e = it.next();
                s.add(p, e);
                if (e.isValid()) {
                    labels[k++] = e.label;
                    if (k == labels.length) {
                        s.noteChunk(labels, k);
                        k = 0;
                    }
                }
            }
            s.noteChunk(labels, k);
            s.finishChunks();
            return List.of(s).iterator();
        }, true).collect().stream().reduce(ReadStats.empty(classes, parts), ReadStats::merge);
        check(stats, source, options, null);
        JavaRDD<Example> rows = stats.bad() == 0 ? parsed : parsed.filter(Example::isValid);
        LabeledData d = new LabeledData(null, null, rows, shape, classes, ValidationReport.of(source, stats), source,
                stats.partitionRows, null);
        d.partitionClassRows = stats.partitionClassRows;
        d.chunksMixed = stats.chunksMixed;
        d.targetCount = options.targetCount();
        d.weighted = options.weighted();
        return d;
    }

    /**
     * Validates input that a reader turned into chunks itself (valid rows only, each partition's
     * {@link ReadStats} on its last chunk): with a storage level, one pass reads, validates, summarises the
     * features and fills the cache; without, the chunks are read again on every pass.
     */
    static LabeledData fromChunks(JavaRDD<RowChunk> parsed, RowSource source, ReadOptions options, Shape shape,
            StorageLevel storage, boolean byteChunks) {
        int classes = options.classes();
        int parts = parsed.getNumPartitions();
        if (storage == null) {
            storage = StorageLevel.MEMORY_AND_DISK();
        }
        boolean cache = !storage.equals(StorageLevel.NONE());
        JavaRDD<RowChunk> chunks = cache ? parsed.persist(storage) : parsed;
        ReadStats stats = chunks.mapPartitions(it -> {
            ReadStats s = null;
            while (it.hasNext()) {
                RowChunk c = it.next();
                if (c.stats != null) {
                    s = c.stats;
                }
            }
            return List.of(s).iterator();
        }, true).collect().stream().reduce(ReadStats.empty(classes, parts), ReadStats::merge);
        check(stats, source, options, cache ? chunks : null);
        LabeledData d = new LabeledData(cache ? chunks : null, chunks, null,
                shape, classes, ValidationReport.of(source, stats), source, stats.partitionRows, stats);
        d.byteChunks = byteChunks;
        d.partitionClassRows = stats.partitionClassRows;
        d.chunksMixed = stats.chunksMixed;
        d.targetCount = options.targetCount();
        d.weighted = options.weighted();
        return d;
    }

    /** Fails (releasing the cache) on a broken file, a bad row when not dropping, or no usable row. */
    private static void check(ReadStats stats, RowSource source, ReadOptions options, JavaRDD<?> persisted) {
        if (stats.fatalId >= 0) {
            release(persisted);
            throw new DataFormatException(source.locate(stats.fatalId) + ": " + stats.fatalDetail);
        }
        long bad = stats.bad();
        if (bad > 0 && !options.dropBadRows()) {
            release(persisted);
            String more = bad > 1 ? " (" + (bad - 1) + " more bad row" + (bad > 2 ? "s" : "") + " follow)" : "";
            throw new DataFormatException(source.locate(stats.sampleIds[0]) + ": " + stats.sampleDetails[0]
                    + more + ". Fix the input, or pass --drop-bad-rows (ReadOptions.dropBadRows from code) to drop"
                    + " bad rows (they are counted and reported).");
        }
        if (stats.valid() == 0) {
            release(persisted);
            throw new DataFormatException(source.name() + " holds no usable rows"
                    + (bad > 0 ? " (all " + bad + " rows were bad and dropped)" : "")
                    + "; point the reader at a non-empty input.");
        }
    }

    private static void release(JavaRDD<?> persisted) {
        if (persisted != null) {
            persisted.unpersist(false);
        }
    }

    /**
     * The first {@code k} valid rows in partition order (a slice for quick runs), validated and counted
     * again; this object itself when it holds no more than {@code k} rows.
     */
    public LabeledData limit(long k) {
        if (k >= count()) {
            return this;
        }
        long[] before = new long[partitionRows.length];
        for (int p = 1; p < before.length; p++) {
            before[p] = before[p - 1] + partitionRows[p - 1];
        }
        JavaRDD<Example> head = rows().mapPartitionsWithIndex((p, it) -> {
            long keep = Math.max(0, k - before[p]);
            List<Example> out = new java.util.ArrayList<>();
            while (it.hasNext() && out.size() < keep) {
                out.add(it.next());
            }
            return out.iterator();
        }, true);
        LabeledData d = validate(head, source, ReadOptions.classes(classes), shape, StorageLevel.MEMORY_AND_DISK());
        d.targetCount = targetCount;
        d.weighted = weighted;
        d.sequences = sequences;
        return d;
    }

    /** Marks the rows as sequences laid out by {@code s} (the reader that made them does). */
    LabeledData withSequences(SequenceOptions s) {
        this.sequences = s;
        if (s != null && s.isPerStep()) {
            this.targetCount = 0; // many-to-many: the steps' targets ride before the row's end, with the length
        }
        return this;
    }

    /**
     * Sequences: how each row holds one ({@code [x (T·F), length, targets...]}), or null for rows of fixed shape.
     */
    public SequenceOptions sequences() {
        return sequences;
    }

    /**
     * Sequences: the shortest, mean and longest length of the valid sequences, from the summary made while reading
     * (no pass); null for rows of fixed shape or when the rows were not summarised (not cached).
     */
    public double[] sequenceLengths() {
        if (sequences == null || zscore == null || range == null || zscore.n == 0) {
            return null;
        }
        int k = sequences.steps() * sequences.features(); // the length's column
        return new double[] {range.a[k], zscore.a[k], range.b[k]};
    }

    /**
     * Whether some row's sequence id is text ({@link Example#key}; docs/data-preparation.md, "Sequences"): one pass
     * over the cached rows, stopping at the first.
     */
    public boolean hasTextIds() {
        if (chunks() != null) {
            return !chunks().filter(c -> c.keys != null).isEmpty();
        }
        return !rows().filter(e -> e.key != null).isEmpty();
    }

    /** T for sequence rows ({@link Block#toMiniBatch(int, int)}), 0 for rows of fixed shape. */
    public int sequenceSteps() {
        return sequences == null ? 0 : sequences.steps();
    }

    /** Regression: the number of float targets after the features in each row's values; 0 for classification. */
    public int targetCount() {
        return targetCount;
    }

    /** Whether each row's values end with its weight ({@link ReadOptions#weightColumn}). */
    public boolean weighted() {
        return weighted;
    }

    /** The number of input features: {@link #featureCount()} less the targets and the weight. */
    public int inputCount() {
        return shape.size() - targetCount - (weighted ? 1 : 0);
    }

    /**
     * Regression: the same rows with each row's label set to its first target's quantile bin (of
     * {@code bins}), so that every stratified split (holdout, k-fold, the held-out test part) is stratified by
     * the target as it is by class for a classifier (docs/architecture.md, "Regression"). The cut points are
     * the quantiles of a seeded sample of at most {@link #BIN_SAMPLE} first targets (the same rows whatever
     * the partitioning: chosen by a hash of (seed, row id)); one pass samples, one relabels, caches and counts
     * the rows again (a copy, at this object's storage level), after which this object's cache is released: use
     * the result. Cost: two passes over the rows, O(sample) on the driver.
     * This object itself for classification or a single row.
     */
    public LabeledData binnedByTarget(int bins, long seed) {
        if (targetCount == 0 || bins < 2 || count() < 2) {
            return this;
        }
        int fs = shape.size();
        int first = inputCount(); // the first target (a weight, if any, comes after the targets)
        long n = count();
        long threshold = n <= BIN_SAMPLE ? -1 : Long.divideUnsigned(-1L, n) * BIN_SAMPLE; // P(keep) ≈ BIN_SAMPLE/n
        List<float[]> parts = rows().mapPartitions(it -> {
            float[] v = new float[64];
            int k = 0;
            while (it.hasNext()) {
                Example e = it.next();
                if (threshold == -1 || Long.compareUnsigned(org.sparktrain.engine.SplitMix.derive(seed, e.id),
                        threshold) < 0) {
                    if (k == v.length) {
                        v = java.util.Arrays.copyOf(v, 2 * k);
                    }
                    v[k++] = e.features[first];
                }
            }
            return List.of(java.util.Arrays.copyOf(v, k)).iterator();
        }, true).collect();
        int total = 0;
        for (float[] p : parts) {
            total += p.length;
        }
        float[] sample = new float[total];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, sample, at, p.length);
            at += p.length;
        }
        java.util.Arrays.sort(sample);
        float[] cuts = new float[bins - 1];
        for (int j = 1; j < bins; j++) {
            cuts[j - 1] = sample.length == 0 ? 0 : sample[(int) Math.min(sample.length - 1, (long) j * sample.length / bins)];
        }
        int k = bins;
        JavaRDD<Example> relabelled = rows().map(e -> new Example(e.id, bin(e.features[first], cuts), e.features));
        LabeledData d = validate(relabelled, source, ReadOptions.classes(k), shape, storageLevel());
        d.targetCount = targetCount;
        d.weighted = weighted;
        d.sequences = sequences;
        java.util.Map<Problem, Long> dropped = new java.util.EnumMap<>(Problem.class);
        dropped.putAll(report.dropped());
        d.report = new ValidationReport(report.source(), report.rowsKept(), d.report.classCounts(), dropped,
                report.firstDropped()); // the read's drops, the bins' counts
        unpersist();
        return d;
    }

    /** Rows sampled at most to find the target's quantile bins ({@link #binnedByTarget}). */
    static final long BIN_SAMPLE = 200_000;

    /** The bin of {@code y}: how many cut points lie at or below it (bins of equal values stay together). */
    static int bin(float y, float[] cuts) {
        int lo = 0;
        int hi = cuts.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cuts[mid] <= y) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Valid rows per (partition of {@link #rows()}, class): {@code [partition][class]}; a copy. */
    long[][] partitionClassRows() {
        long[][] out = new long[partitionRows.length][classes];
        for (int p = 0; p < out.length; p++) {
            System.arraycopy(partitionClassRows, p * classes, out[p], 0, classes);
        }
        return out;
    }

    /** Valid rows per partition of {@link #rows()}; a copy. */
    public long[] partitionRows() {
        return partitionRows.clone();
    }

    /**
     * The valid rows in cached chunks (one partition per input partition), or null when the rows are not
     * cached; the passes that can work on arrays use these instead of {@link #rows()}.
     */
    JavaRDD<RowChunk> chunks() {
        return chunks;
    }

    /** Whether {@link #chunks()} hold raw bytes (value byte / 255) rather than floats. */
    boolean byteChunks() {
        return byteChunks;
    }

    /**
     * The per-feature moments of all valid rows, found while validating (a copy), or null when the reader
     * did not summarise them (rows not cached).
     */
    Moments summary(boolean zscore) {
        Moments m = zscore ? this.zscore : range;
        return m == null ? null : m.copy();
    }

    /**
     * The valid rows with their id, label and copy number only (features null), for passes that hash or
     * count rows; cheaper than {@link #rows()} when the rows are cached in chunks.
     */
    JavaRDD<Example> keyRows() {
        if (chunks == null) {
            return rows();
        }
        return chunks.mapPartitions(it -> RowChunk.keys(it), true);
    }

    /** The valid rows (a fresh Example, with its own features, per row and pass). */
    public synchronized JavaRDD<Example> rows() {
        if (rows == null) {
            rows = chunks.mapPartitions(RowChunk::rows, true);
        }
        return rows;
    }

    /** The shape of one example; its size is the number of features. */
    public Shape shape() {
        return shape;
    }

    public int featureCount() {
        return shape.size();
    }

    public int classes() {
        return classes;
    }

    /**
     * Whether every run of a chunk's rows (a few MiB) inside each partition holds the classes in about that
     * partition's proportions; false for input sorted or grouped by class inside a partition.
     */
    public boolean chunksMixed() {
        return chunksMixed;
    }

    /** The level the rows are cached at ({@code NONE}: read again on every pass). */
    public StorageLevel storageLevel() {
        return persisted == null ? StorageLevel.NONE() : persisted.getStorageLevel();
    }

    public ValidationReport report() {
        return report;
    }

    public RowSource source() {
        return source;
    }

    public long count() {
        return report.rowsKept();
    }

    /** The rows as a DataFrame {@code (id long, label int, features array<float>)}. */
    public Dataset<Row> toDataFrame(SparkSession spark) {
        StructType schema = new StructType()
                .add("id", DataTypes.LongType, false)
                .add("label", DataTypes.IntegerType, false)
                .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        JavaRDD<Row> r = rows.map(e -> {
            List<Float> f = new ArrayList<>(e.features.length);
            for (float v : e.features) {
                f.add(v);
            }
            return RowFactory.create(e.id, e.label, f.toArray(new Float[0]));
        });
        return spark.createDataFrame(r, schema);
    }

    /** Releases the cached rows. */
    public void unpersist() {
        release(persisted);
    }

    /** As {@link #unpersist()}; {@code blocking}: returns once the cached rows are gone (benchmarks, between runs). */
    public void unpersist(boolean blocking) {
        if (persisted != null) {
            persisted.unpersist(blocking);
        }
    }
}
