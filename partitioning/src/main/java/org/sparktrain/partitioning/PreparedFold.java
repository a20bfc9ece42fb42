package org.sparktrain.partitioning;

import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.engine.io.FittedScaler;

/**
 * One (train, validation) pair ready for training: the scaler fitted on this fold's training part only,
 * the training blocks (one partition per worker, computed before this object exists: persisted, or, when
 * every row of an 8-bit source trains where it lies, the cached chunks themselves, so training rounds ship
 * parameters, not data) and the validation blocks (scaled with the same scaler, never resampled).
 * Call {@link #unpersist()} when the fold is done.
 */
public final class PreparedFold {
    private final int index;
    private final FittedScaler scaler;
    private final JavaRDD<Block> train;
    private final JavaRDD<Block> validation;
    private final long[] before;
    private final long[] after;
    private final long[] rowsPerWorker;
    private final long validationRows;
    private final long seed;
    private final int[] batches;
    private final int window;
    private boolean usesSourceCache;
    private JavaRDD<Block> test;
    private long testRows;
    private final org.apache.spark.storage.StorageLevel storage;
    private int targetCount;
    private FittedScaler featureScaler;
    private FittedScaler targetScaler;
    private int sequenceSteps;
    private int stepTargets;
    private boolean stepClasses;
    private boolean weighted;

    PreparedFold(int index, FittedScaler scaler, JavaRDD<Block> train, JavaRDD<Block> validation, long[] before,
            long[] after, long[] rowsPerWorker, long validationRows, long seed, int[] batches, int window,
            org.apache.spark.storage.StorageLevel storage) {
        this.index = index;
        this.scaler = scaler;
        this.train = train;
        this.validation = validation;
        this.before = before;
        this.after = after;
        this.rowsPerWorker = rowsPerWorker;
        this.validationRows = validationRows;
        this.seed = seed;
        this.batches = batches;
        this.window = window;
        this.storage = storage;
        this.featureScaler = scaler;
    }

    /** Regression: the rows end with {@code targets} values; the feature and target parts of the row scaler. */
    PreparedFold regression(int targets, FittedScaler features, FittedScaler targetPart) {
        this.targetCount = targets;
        if (targets > 0) {
            this.featureScaler = features;
            this.targetScaler = targetPart;
        }
        return this;
    }

    /**
     * Row weights: every block row ends with its weight, after any targets, which the row scaler leaves as it is;
     * {@code features} the scaler of the features alone (what the model stores). docs/architecture.md, Conventions,
     * "Row weights".
     */
    PreparedFold weighted(boolean weighted, FittedScaler features) {
        this.weighted = weighted;
        if (weighted && targetCount == 0 && sequenceSteps == 0) {
            this.featureScaler = features;
        }
        return this;
    }

    /** Whether every block row ends with its weight ({@link Block#toMiniBatch(int, int, int, boolean, boolean)}). */
    public boolean weighted() {
        return weighted;
    }

    /**
     * Regression: the number of float targets after the features in every block row (split off into the
     * minibatch's targets by {@link Block#toMiniBatch(int)}); 0 for classification.
     */
    public int targetCount() {
        return targetCount;
    }

    /**
     * Regression: the target scaler fitted on this fold's training rows (constant targets scale by 1), or null
     * when targets are not scaled; predictions are inverted through it.
     */
    public FittedScaler targetScaler() {
        return targetScaler;
    }

    /**
     * The scaler of whole block rows: for classification {@link #scaler()}; for regression the feature scaler's
     * columns followed by the target scaler's (identity where one is absent), without the weight's column for
     * weighted rows. What test rows read with their targets are packed with.
     */
    public FittedScaler rowScaler() {
        return rowScaler(false);
    }

    /**
     * As {@link #rowScaler()}; {@code withWeight}: for rows that still end with their weight (a test file read with the
     * weight column, whose blocks then drop it: {@link Block#withoutLastValue}), the weight's column left as it is.
     */
    public FittedScaler rowScaler(boolean withWeight) {
        if (withWeight) {
            return scaler;
        }
        // weighted rows: the evaluation blocks' rows hold no weight (docs/architecture.md, Conventions, "Row weights")
        return weighted && scaler != null ? scaler.columns(0, scaler.featureCount() - 1) : scaler;
    }

    /**
     * Sequences ({@code steps} = T; 0: rows of fixed shape): each block row is {@code [x (T·F), length, targets...]}
     * and {@code inputScaler} the per-feature scaler repeated over the T steps (or null), which the model stores.
     */
    PreparedFold sequences(int steps, FittedScaler inputScaler) {
        this.sequenceSteps = steps;
        if (steps > 0) {
            this.featureScaler = inputScaler;
        }
        return this;
    }

    /** As above, with the options the rows were read with: many-to-many rows carry each step's targets too. */
    PreparedFold sequences(SequenceOptions s, FittedScaler inputScaler) {
        if (s != null) {
            stepTargets = s.stepTargets();
            stepClasses = s.stepClasses();
        }
        return sequences(s == null ? 0 : s.steps(), inputScaler);
    }

    /**
     * Many-to-many: the target values each step of a block row carries after the length (1 for a class label;
     * {@link Block#toMiniBatch(int, int, int, boolean)}), 0 otherwise.
     */
    public int stepTargets() {
        return stepTargets;
    }

    /** Many-to-many classification: the steps carry class labels. */
    public boolean stepClasses() {
        return stepClasses;
    }

    /**
     * T when the block rows are sequences with their lengths ({@link Block#toMiniBatch(int, int)} builds the mask),
     * 0 for rows of fixed shape. docs/data-preparation.md, "Sequences".
     */
    public int sequenceSteps() {
        return sequenceSteps;
    }

    PreparedFold withTest(JavaRDD<Block> blocks, long rows) {
        test = blocks;
        testRows = rows;
        return this;
    }

    /**
     * The test rows held out before the split ({@code DataPipeline.testHoldout}), scaled with this fold's
     * scaler; null when none were.
     */
    public JavaRDD<Block> testBlocks() {
        return test;
    }

    public long testRows() {
        return testRows;
    }

    PreparedFold sharingSourceCache() {
        usesSourceCache = true;
        return this;
    }

    public int index() {
        return index;
    }

    /**
     * The feature scaler fitted on this fold's training rows (for regression the feature columns only: what the
     * model file stores), or null when the pipeline does not scale features.
     */
    public FittedScaler scaler() {
        return featureScaler;
    }

    /**
     * The stored training blocks (the order they were packed in); partition p is worker p's data. These are
     * storage units of a few MiB; for an 8-bit source (IDX) they hold the raw bytes, unscaled (see
     * {@link Block}). Train on {@link #trainBlocks(int)}.
     */
    public JavaRDD<Block> trainBlocks() {
        return train;
    }

    /**
     * Training blocks for an epoch: each worker's stored rows permuted afresh from (seed, epoch, partition),
     * locally on the executor holding them (no shuffle, nothing shipped from the driver), as minibatches of
     * scaled floats; a worker with more rows than the shuffle window streams through its stored blocks and
     * permutes a window at a time (bounded memory; see {@code Packer.reshuffle}). Not cached: each
     * evaluation repacks from the stored blocks.
     */
    public JavaRDD<Block> trainBlocks(int epoch) {
        return Packer.reshuffle(train, seed, epoch, batches, scaler, rowsPerWorker, window);
    }

    /** Rows in worker w's minibatches: its share of the global minibatch, or the per-worker size. */
    public int[] batchSizes() {
        return batches.clone();
    }

    /** Minibatches worker w trains on per epoch: its rows over its minibatch size, rounded up. */
    public int[] stepsPerWorker() {
        int[] steps = new int[batches.length];
        for (int w = 0; w < steps.length; w++) {
            steps[w] = (int) ((rowsPerWorker[w] + batches[w] - 1) / batches[w]);
        }
        return steps;
    }

    /**
     * Whether the training blocks are the read's cached chunks themselves (an 8-bit source, no split, rows
     * where they were read): the data must then stay cached for as long as the fold trains.
     */
    public boolean usesSourceCache() {
        return usesSourceCache;
    }

    /** Rows permuted together per epoch on a worker (all of a worker's rows when it has no more). */
    public int shuffleWindow() {
        return window;
    }

    /**
     * Where the stored training blocks live: {@code MEMORY_AND_DISK} when every worker's blocks fit well in
     * its share of the executors' storage memory, {@code DISK_ONLY} when not (or the level the pipeline was
     * given).
     */
    public org.apache.spark.storage.StorageLevel storage() {
        return storage;
    }

    /** Validation blocks, or null for a split without validation. */
    public JavaRDD<Block> validationBlocks() {
        return validation;
    }

    /** Training rows per class before resampling; a copy. */
    public long[] classCountsBefore() {
        return before.clone();
    }

    /** Training rows per class after resampling (as packed); a copy. */
    public long[] classCountsAfter() {
        return after.clone();
    }

    /** Training rows per worker (partition); a copy. */
    public long[] rowsPerWorker() {
        return rowsPerWorker.clone();
    }

    public long trainRows() {
        return Arrays.stream(after).sum();
    }

    public long validationRows() {
        return validationRows;
    }

    /** A line for the log: sizes and per-class counts before and after resampling. */
    public String report() {
        return "fold " + (index + 1) + ": " + trainRows() + " training rows on " + rowsPerWorker.length + " workers "
                + Arrays.toString(rowsPerWorker) + ", " + validationRows + " validation rows; per class before "
                + Arrays.toString(before) + ", after " + Arrays.toString(after)
                + (featureScaler == null ? "" : "; " + featureScaler.kind() + " scaler fitted on the training rows")
                + (targetScaler == null ? "" : "; " + targetScaler.kind() + " target scaler");
    }

    public void unpersist() {
        unpersist(false);
    }

    /** Releases the fold's cached blocks; {@code blocking}: returns once they are gone (benchmarks, between runs). */
    public void unpersist(boolean blocking) {
        train.unpersist(blocking);
        if (validation != null) {
            validation.unpersist(blocking);
        }
        if (test != null) {
            test.unpersist(blocking);
        }
    }
}
