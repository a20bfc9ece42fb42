package org.sparktrain.partitioning;

import java.util.List;
import org.apache.spark.storage.StorageLevel;
import org.sparktrain.engine.Shape;

/**
 * How to read and validate an input. Fluent setters; {@link #classes(int)} is required (labels outside
 * [0, classes) are errors).
 *
 * <ul>
 *   <li>{@code label}: the label column, by name, or by 0-based index for CSV ({@link #labelIndex}).
 *       Default: a column named {@code label}.</li>
 *   <li>{@code features}: CSV and scalar DataFrame columns to use as features, by name; default all
 *       columns but the label (and the id column). For Parquet/DataFrames with one array or ML vector
 *       column, name that column ({@code features} by default).</li>
 *   <li>{@code shape}: the example shape, e.g. {@code [1, 28, 28]} or a sequence {@code [T, F]}; its size
 *       must equal the number of feature values. Default {@code [features]} ({@code [1, rows, cols]} for
 *       IDX).</li>
 *   <li>{@code dropBadRows}: drop rows that fail validation, count them per reason and report them,
 *       instead of failing at the first one (the default). Broken files always fail.</li>
 *   <li>{@code storage}: how the validated rows are kept between the pipeline's passes; by default
 *       {@code MEMORY_AND_DISK} when a partition's rows (estimated from the input's size) take at most half
 *       of a task's share of the executors' storage memory, else {@code DISK_ONLY}; {@code NONE} re-reads
 *       the input for every pass (for inputs that are cheap to read).</li>
 *   <li>{@code partitions}: how many partitions to read into; 0 means Spark's default parallelism.</li>
 * </ul>
 */
public final class ReadOptions {
    private int classes;
    private String labelColumn = "label";
    private int labelIndex = -1;
    private List<String> featureColumns;
    private String featuresColumn = "features";
    private String idColumn;
    private Shape shape;
    private boolean dropBadRows;
    private int partitions;
    private char delimiter = ',';
    private StorageLevel storage; // null: chosen from the input's size (storageFor)
    private boolean unlabelled;
    private List<String> targets;
    private boolean binaryTargets;
    private SequenceOptions sequences;
    private String weightColumn;
    private String ignoredColumn;
    private Summaries summaries = Summaries.ZSCORE_AND_RANGE;

    /**
     * Which per-feature summaries the read computes while it validates (docs/data-preparation.md, "The passes"):
     * a run without a split fits its scaler from them and saves a pass; every other reader (a split's folds, test
     * and scoring input, no scaler) never looks at them, and they cost about a third of a Parquet read's own CPU.
     */
    public enum Summaries {
        /** Both (the default: whichever scaler a caller fits later). */
        ZSCORE_AND_RANGE,
        /** The z-score moments only (sums and sums of squares). */
        ZSCORE,
        /** Minimum and maximum only. */
        RANGE,
        /** None: a scaler, if any, is fitted by a pass of its own. */
        NONE;

        /** What a caller that fits {@code kind} (null: no scaler) needs. */
        public static Summaries forScaler(org.sparktrain.engine.io.FittedScaler.Kind kind) {
            if (kind == null) {
                return NONE;
            }
            return kind == org.sparktrain.engine.io.FittedScaler.Kind.ZSCORE ? ZSCORE : RANGE;
        }

        /** What this and {@code other} need together. */
        public Summaries and(Summaries other) {
            boolean z = zscore() || other.zscore();
            boolean r = range() || other.range();
            return z && r ? ZSCORE_AND_RANGE : z ? ZSCORE : r ? RANGE : NONE;
        }

        public boolean zscore() {
            return this == ZSCORE_AND_RANGE || this == ZSCORE;
        }

        public boolean range() {
            return this == ZSCORE_AND_RANGE || this == RANGE;
        }
    }

    /** Quantile bins of the first target that a regression input's rows are stratified by (their "label"). */
    public static final int TARGET_BINS = 10;

    /**
     * A regression input: float target columns (CSV header names, Parquet/DataFrame scalar columns), read after
     * the features; every row's label starts as 0 (bin 0 of {@link #TARGET_BINS}) until
     * {@link LabeledData#binnedByTarget} stratifies the rows by the first target. docs/architecture.md,
     * "Regression".
     */
    public static ReadOptions regression(List<String> targetColumns) {
        if (targetColumns == null || targetColumns.isEmpty()) {
            throw new IllegalArgumentException("a regression input needs at least one target column");
        }
        ReadOptions o = classes(TARGET_BINS);
        o.targets = List.copyOf(targetColumns);
        return o;
    }

    /**
     * A multi-label input: K label columns, each 0 or 1, read after the features as regression's targets are; a row's
     * label is its first label (two classes), so splits are stratified on it. docs/architecture.md, "Multi-label".
     */
    public static ReadOptions multiLabel(List<String> labelColumns) {
        if (labelColumns == null || labelColumns.isEmpty()) {
            throw new IllegalArgumentException("a multi-label input needs at least one label column");
        }
        ReadOptions o = classes(2);
        o.targets = List.copyOf(labelColumns);
        o.binaryTargets = true;
        return o;
    }

    /** Whether the target columns are a multi-label input's 0/1 labels. */
    public boolean binaryTargets() {
        return binaryTargets;
    }

    /** The target columns of a regression input, or null (classification). */
    public List<String> targets() {
        return targets;
    }

    /** Number of target columns (0: classification). */
    public int targetCount() {
        return targets == null ? 0 : targets.size();
    }

    /**
     * Variable-length sequences for a model taking [T, F] (null: rows of fixed shape). Long-format CSV reads them
     * when the options name the sequence and step columns; Parquet when the features column is
     * {@code array<array<float>>}, or {@code array<float>} with {@link SequenceOptions#stepFeatures}.
     * docs/data-preparation.md, "Sequences".
     */
    public ReadOptions sequences(SequenceOptions sequences) {
        this.sequences = sequences;
        return this;
    }

    /**
     * A per-row weight column (Spark ML's {@code weightCol}; null or empty: every row weighs 1): a number ≥ 0 and
     * finite per row, else a bad row naming the column; it rides as one more value after the features and targets, never
     * scaled and never a feature, and weighs the row's loss (docs/architecture.md, Conventions, "Row weights").
     * DataFrames and Parquet only; not with sequences.
     */
    public ReadOptions weightColumn(String column) {
        this.weightColumn = column == null || column.isEmpty() ? null : column;
        return this;
    }

    /**
     * Which feature summaries the read computes ({@link Summaries}; default both). A summary not computed is
     * fitted by a pass of its own if a pipeline needs it: results do not change, only where the work is done.
     * Sequences always get both (their lengths are reported from them).
     */
    public ReadOptions summaries(Summaries which) {
        this.summaries = java.util.Objects.requireNonNull(which, "summaries");
        return this;
    }

    /** The feature summaries the read computes. */
    public Summaries summaries() {
        return sequences != null ? Summaries.ZSCORE_AND_RANGE : summaries;
    }

    /** The row weight column, or null. */
    public String weightColumn() {
        return weightColumn;
    }

    /**
     * A column that is never a feature when the features are "every other column" (CSV, scalar DataFrame columns), and
     * is not read: a model's weight column when its rows are scored (docs/architecture.md, Conventions, "Row
     * weights"); null: none. Missing from the input: nothing to leave out.
     */
    public ReadOptions ignoredColumn(String column) {
        this.ignoredColumn = column == null || column.isEmpty() ? null : column;
        return this;
    }

    /** The column left out of the features, or null. */
    public String ignoredColumn() {
        return ignoredColumn;
    }

    /** Whether each row ends with its weight ({@link #weightColumn}). */
    public boolean weighted() {
        return weightColumn != null;
    }

    /** The sequence options, or null. */
    public SequenceOptions sequences() {
        return sequences;
    }

    public static ReadOptions classes(int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException("a classification input needs at least 2 classes, got "
                    + classes + "; declare the number of classes the labels may take");
        }
        ReadOptions o = new ReadOptions();
        o.classes = classes;
        return o;
    }

    /** The label column by name (CSV header, Parquet, DataFrame). */
    public ReadOptions label(String column) {
        this.labelColumn = column;
        this.labelIndex = -1;
        return this;
    }

    /**
     * No label column (rows to score): every column but the id is a feature and every row gets label 0.
     * CSV and Parquet.
     */
    public ReadOptions unlabelled() {
        this.unlabelled = true;
        return this;
    }

    /** A copy reading the label from {@code column} (a column the reader adds for unlabelled input). */
    ReadOptions copyWithLabel(String column) {
        ReadOptions o = new ReadOptions();
        o.classes = classes;
        o.labelColumn = column;
        o.labelIndex = -1;
        o.featureColumns = featureColumns;
        o.featuresColumn = featuresColumn;
        o.idColumn = idColumn;
        o.shape = shape;
        o.dropBadRows = dropBadRows;
        o.partitions = partitions;
        o.delimiter = delimiter;
        o.storage = storage;
        o.targets = targets;
        o.binaryTargets = binaryTargets;
        o.sequences = sequences;
        o.weightColumn = weightColumn;
        o.ignoredColumn = ignoredColumn;
        o.summaries = summaries;
        return o;
    }

    public boolean isUnlabelled() {
        return unlabelled;
    }

    /** The label column by 0-based position (CSV). */
    public ReadOptions labelIndex(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("label column index must be >= 0, got " + index);
        }
        this.labelIndex = index;
        return this;
    }

    /** Scalar feature columns by name (CSV, DataFrame); default all columns but the label and the id. */
    public ReadOptions featureColumns(List<String> columns) {
        this.featureColumns = List.copyOf(columns);
        return this;
    }

    /** The one array or ML vector column holding the features (Parquet, DataFrame). */
    public ReadOptions featuresColumn(String column) {
        this.featuresColumn = column;
        return this;
    }

    /** A DataFrame column holding a unique long id per row; default: the row's position in the DataFrame. */
    public ReadOptions idColumn(String column) {
        this.idColumn = column;
        return this;
    }

    public ReadOptions shape(Shape shape) {
        this.shape = shape;
        return this;
    }

    public ReadOptions dropBadRows(boolean drop) {
        this.dropBadRows = drop;
        return this;
    }

    public ReadOptions partitions(int partitions) {
        if (partitions < 0) {
            throw new IllegalArgumentException("partitions must be >= 0 (0 = Spark's default), got " + partitions);
        }
        this.partitions = partitions;
        return this;
    }

    public ReadOptions delimiter(char delimiter) {
        this.delimiter = delimiter;
        return this;
    }

    public ReadOptions storage(StorageLevel level) {
        this.storage = level;
        return this;
    }

    /** The Spark setting naming where a run keeps its rows (docs/data-preparation.md, "Bounded memory"). */
    public static final String STORAGE_KEY = "spark.sparktrain.storage";

    /**
     * The level a user names in {@value #STORAGE_KEY}: {@code auto} (null: chosen from the input's size, the
     * default), {@code memory} ({@code MEMORY_AND_DISK}), {@code disk} ({@code DISK_ONLY}), {@code none} (nothing
     * kept: every pass and every epoch reads the input again).
     */
    public static StorageLevel storageLevel(String name) {
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> null;
            case "memory" -> StorageLevel.MEMORY_AND_DISK();
            case "disk" -> StorageLevel.DISK_ONLY();
            case "none" -> StorageLevel.NONE();
            default -> throw new IllegalArgumentException(STORAGE_KEY + " must be auto, memory, disk or none, got '"
                    + name + "'");
        };
    }

    /** The level {@value #STORAGE_KEY} names in this Spark's settings; null for {@code auto} and when unset. */
    static StorageLevel setting(org.apache.spark.SparkContext sc) {
        return storageLevel(sc.getConf().get(STORAGE_KEY, "auto"));
    }

    /** The level asked for, or null when it is chosen from the input's size ({@link #storageFor}). */
    public StorageLevel storage() {
        return storage;
    }

    /**
     * The level asked for, else one chosen for rows taking about {@code bytes} in memory over
     * {@code partitions} partitions: {@code MEMORY_AND_DISK} when a partition takes at most half of one
     * task's share of the smallest executor's storage memory and all of them at most 60% of the executors'
     * storage memory, else {@code DISK_ONLY} (Spark caches a
     * partition whole or not at all: one that cannot fit would be unrolled into memory and given up on).
     */
    StorageLevel storageFor(org.apache.spark.SparkContext sc, long bytes, int partitions) {
        if (storage != null) {
            return storage;
        }
        StorageLevel set = setting(sc);
        if (set != null) {
            return set;
        }
        return DataPipeline.fits(sc, bytes / Math.max(1, partitions), bytes) ? StorageLevel.MEMORY_AND_DISK()
                : StorageLevel.DISK_ONLY();
    }

    public int classes() {
        return classes;
    }

    public String labelColumn() {
        return labelColumn;
    }

    public int labelIndex() {
        return labelIndex;
    }

    public List<String> featureColumns() {
        return featureColumns;
    }

    public String featuresColumn() {
        return featuresColumn;
    }

    public String idColumn() {
        return idColumn;
    }

    public Shape shape() {
        return shape;
    }

    public boolean dropBadRows() {
        return dropBadRows;
    }

    public int partitions() {
        return partitions;
    }

    public char delimiter() {
        return delimiter;
    }
}
