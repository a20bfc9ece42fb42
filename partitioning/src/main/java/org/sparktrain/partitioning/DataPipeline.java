package org.sparktrain.partitioning;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.sparktrain.engine.SplitMix;
import org.sparktrain.engine.io.FittedScaler;

/**
 * The data side of a training run (docs/architecture.md, The data flow): validated rows → split → per fold: fit the
 * scaler on the training part → resample the training part → pack into blocks, one partition per worker, computed
 * before the fold is handed out (persisted, or the cached rows themselves when every row of an 8-bit source
 * trains where it was read). Validation rows are scaled with the training part's scaler, never resampled,
 * and never seen by a fit.
 *
 * <pre>{@code
 * LabeledData data = Readers.idx(spark, dir, "train", ReadOptions.classes(10));
 * PreparedData prepared = DataPipeline.defaults().workers(2).batchSize(64).seed(7).prepare(data);
 * PreparedFold fold = prepared.fold(0);      // fold.trainBlocks(epoch), fold.validationBlocks(), fold.scaler()
 * }</pre>
 *
 * Defaults: stratified holdout 7:3, z-score scaling, no resampling, Spark's default parallelism as the
 * number of workers, 64 rows per block, seed 1, blocks kept {@code MEMORY_AND_DISK}.
 */
public final class DataPipeline {
    private SplitSpec split = SplitSpec.holdout();
    private FittedScaler.Kind scaler = FittedScaler.Kind.ZSCORE;
    private FittedScaler.Kind targetScaler;
    private Resampling resampling = Resampling.none();
    private int workers;
    private int batchSize = 64;
    private boolean globalBatch;
    private long seed = 1;
    /** Null: chosen per fold from the data's size and the executors' storage memory ({@link #storageFor}). */
    private StorageLevel storage;
    private int window;
    private double testFraction;

    /** Rows of stored values a default shuffle window holds: 64 MiB (a quarter of that for floats). */
    static final long WINDOW_BYTES = 64L << 20;

    public static DataPipeline defaults() {
        return new DataPipeline();
    }

    public DataPipeline split(SplitSpec split) {
        this.split = split;
        return this;
    }

    /** The scaler kind, or null for no scaling. */
    public DataPipeline scaler(FittedScaler.Kind kind) {
        this.scaler = kind;
        return this;
    }

    /**
     * Regression: the target scaler kind fitted on the training part (null, the default: targets as they are).
     * docs/architecture.md, "Regression".
     */
    public DataPipeline targetScaler(FittedScaler.Kind kind) {
        this.targetScaler = kind;
        return this;
    }

    public DataPipeline resampling(Resampling resampling) {
        this.resampling = resampling;
        return this;
    }

    /** Training partitions, one per worker; 0 means Spark's default parallelism. */
    public DataPipeline workers(int workers) {
        if (workers < 0) {
            throw new IllegalArgumentException("workers must be >= 0 (0 = Spark's default parallelism), got " + workers);
        }
        this.workers = workers;
        return this;
    }

    public DataPipeline batchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.batchSize = batchSize;
        return this;
    }

    /**
     * Whether {@link #batchSize} is the global minibatch of a step, split over the workers in shares that differ
     * by at most one row ({@link #shares}; docs/architecture.md, "The global minibatch"), or each worker's own
     * (the default here; {@code training.batch_size_per_worker} in a spec).
     */
    public DataPipeline globalBatch(boolean global) {
        this.globalBatch = global;
        return this;
    }

    private static int[] same(int batch, int workers) {
        int[] s = new int[workers];
        java.util.Arrays.fill(s, batch);
        return s;
    }

    /**
     * Worker w's share of a global minibatch of {@code batch} rows over {@code workers} workers:
     * {@code batch / workers}, one more for the first {@code batch % workers} workers.
     *
     * @throws IllegalArgumentException when a worker's share would be empty
     */
    public static int[] shares(int batch, int workers) {
        if (batch < workers) {
            throw new IllegalArgumentException("training.batch_size " + batch + " is the global minibatch, split over "
                    + workers + " workers: each needs at least one row per step. Use batch_size >= " + workers
                    + ", fewer workers, or batch_size_per_worker");
        }
        int[] s = new int[workers];
        for (int w = 0; w < workers; w++) {
            s[w] = batch / workers + (w < batch % workers ? 1 : 0);
        }
        return s;
    }

    public DataPipeline seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * Where the packed training and validation blocks are kept; by default {@code MEMORY_AND_DISK} when each
     * worker's blocks take at most half of its share of the executors' storage memory, else
     * {@code DISK_ONLY} (a partition that cannot be cached whole would otherwise be unrolled into memory
     * and given up on every epoch).
     */
    public DataPipeline storage(StorageLevel storage) {
        this.storage = storage;
        return this;
    }

    /**
     * Rows each worker permutes together per epoch (see {@code Packer.reshuffle}); a worker with more rows
     * streams through its stored blocks a window at a time, so an epoch holds about this many rows per
     * task whatever the data's size. 0 (the default): the rows in 64 MiB of stored values (65,536 rows of
     * 256 float features; 85,598 Fashion-MNIST images, stored as bytes), at least the batch size. It is a
     * setting, not derived from the heap: the same seed, data and workers give the same bits whatever the
     * memory.
     */
    public DataPipeline shuffleWindow(int rows) {
        if (rows < 0) {
            throw new IllegalArgumentException("shuffle window must be >= 0 rows (0 = automatic), got " + rows);
        }
        this.window = rows;
        return this;
    }

    /**
     * Holds out a stratified {@code fraction} of the rows as a test set, before the split ({@link PreparedFold#testBlocks()}:
     * scaled with the training part's scaler, never resampled, never seen by a fit); 0 (the default) for none. With a
     * holdout split the validation part is its fraction of the rows that remain. For {@code train} on data without a
     * test set; a k-fold or bootstrap split does not take one.
     */
    public DataPipeline testHoldout(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("the test fraction must be in [0, 1), got " + fraction);
        }
        this.testFraction = fraction;
        return this;
    }

    /** The shuffle window in rows for rows of {@code features} values (bytes or floats). */
    int windowRows(int features, boolean bytes) {
        if (window > 0) {
            return Math.max(window, batchSize);
        }
        long perRow = (long) Math.max(1, features) * (bytes ? 1 : 4);
        return (int) Math.max(batchSize, Math.min(Integer.MAX_VALUE - 8, WINDOW_BYTES / perRow));
    }

    /**
     * Splits the data (cuts for holdout and k-fold are computed here, in two light passes); folds are
     * prepared on request.
     */
    public PreparedData prepare(LabeledData data) {
        RankCuts cuts = null;
        long[] n = data.report().classCounts();
        boolean test = testFraction > 0;
        if (test && split.kind() != SplitSpec.Kind.NONE && split.kind() != SplitSpec.Kind.HOLDOUT) {
            throw new IllegalArgumentException("a test holdout goes with no split or a holdout split, not " + split);
        }
        if (split.kind() == SplitSpec.Kind.HOLDOUT || split.kind() == SplitSpec.Kind.KFOLD || test) {
            int k = split.folds();
            long[][] ranks = new long[n.length][];
            for (int c = 0; c < n.length; c++) {
                if (test) { // segment 0 the test rows, then (holdout) the validation rows, then the training rows
                    long t = Math.round(testFraction * n[c]);
                    ranks[c] = split.kind() == SplitSpec.Kind.HOLDOUT
                            ? new long[] {t, t + Math.round(split.validationFraction() * (n[c] - t))}
                            : new long[] {t};
                } else if (split.kind() == SplitSpec.Kind.HOLDOUT) {
                    ranks[c] = new long[] {Math.round(split.validationFraction() * n[c])};
                } else {
                    ranks[c] = new long[k - 1];
                    for (int j = 1; j < k; j++) {
                        ranks[c][j - 1] = j * n[c] / k;
                    }
                }
            }
            cuts = RankCuts.compute(data.keyRows(), n.length, n, ranks, seed, Seeded.SPLIT);
        }
        return new PreparedData(this, data, cuts, split.folds());
    }

    PreparedFold prepareFold(LabeledData data, RankCuts cuts, int fold) {
        JavaRDD<Example> rows = data.rows();
        int classes = data.classes();
        int features = data.featureCount();
        if (data.weighted() && !resampling.isNone()) {
            // docs/architecture.md, Conventions, "Row weights": resampling copies or drops rows with their weights, so
            // a weighted row drawn w times would count w² times what it weighs
            throw new IllegalArgumentException("resampling and row weights (a weight column) both reweigh rows;"
                    + " use one of them");
        }
        JavaRDD<Example> train;
        JavaRDD<Example> validation;
        final long s = seed;
        boolean test = testFraction > 0;
        // the segments of the cuts (prepare): [test,] [validation,] training
        final int valSeg = test ? 1 : 0;
        final int trainSeg = (test ? 1 : 0) + (split.kind() == SplitSpec.Kind.HOLDOUT ? 1 : 0);
        JavaRDD<Example> testRows = test ? rows.filter(e -> cuts.segment(e) == 0) : null;
        switch (split.kind()) {
            case HOLDOUT:
                train = rows.filter(e -> cuts.segment(e) == trainSeg);
                validation = rows.filter(e -> cuts.segment(e) == valSeg);
                break;
            case KFOLD:
                train = rows.filter(e -> cuts.segment(e) != fold);
                validation = rows.filter(e -> cuts.segment(e) == fold);
                break;
            case BOOTSTRAP: {
                long[][] perPart = Draws.countByPartitionAndClass(rows, classes);
                long[][] totals = new long[perPart.length][1];
                long total = 0;
                for (int p = 0; p < perPart.length; p++) {
                    for (long c : perPart[p]) {
                        totals[p][0] += c;
                    }
                    total += totals[p][0];
                }
                Draws draws = Draws.allocate(totals, new long[] {total}, s, Seeded.BOOTSTRAP, true);
                train = rows.mapPartitionsWithIndex((p, it) -> draws.expand(p, it, false, false), true);
                validation = rows.mapPartitionsWithIndex((p, it) -> draws.expand(p, it, false, true), true);
                break;
            }
            default:
                train = test ? rows.filter(e -> cuts.segment(e) == trainSeg) : rows;
                validation = null;
        }
        // folds count from 1 in messages, as in evaluate's table
        String what = "the training part of fold " + (fold + 1) + " (" + split + ")";
        if (data.weighted()) {
            int last = features - 1;
            if (train.filter(e -> e.features[last] > 0f).isEmpty()) { // stops at the first row weighing more than 0
                throw new DataFormatException("every row weight in " + what + " of " + data.source().name()
                        + " is 0: there is nothing to train on; give some rows a weight above 0.");
            }
        }
        // With the rows cached in chunks, the passes that need no Example read the chunk arrays directly.
        JavaRDD<RowChunk> chunks = data.chunks();
        int w = workers > 0 ? workers : rows.context().defaultParallelism();
        long[] partRows = data.partitionRows();
        long[][] partClass = data.partitionClassRows();
        long allRows = java.util.Arrays.stream(partRows).sum();
        if (chunks != null && chunks.getNumPartitions() != w && allRows >= w) {
            // The read made another number of partitions than workers (file splits): worker w takes rows
            // [w·N/W, (w+1)·N/W) in partition order, read from the cache where they lie (no shuffle, no copy
            // but at the cuts), if that gives every worker about the data's class mix (estimated: a partition
            // cut in two is assumed to share its classes in proportion)
            long[][][] ranges = GroupedRDD.ranges(partRows, w);
            long[][] gClass = new long[w][classes];
            for (int g = 0; g < w; g++) {
                for (long[] r : ranges[g]) {
                    int p = (int) r[0];
                    for (int c = 0; c < classes; c++) {
                        gClass[g][c] += Math.round((double) partClass[p][c] * r[2] / partRows[p]);
                    }
                }
            }
            if (Packer.evenMix(gClass, w)) {
                chunks = GroupedRDD.of(chunks, partRows, w);
                partRows = GroupedRDD.sizes(partRows, w);
                partClass = gClass;
                for (int g = 0; g < w; g++) { // the estimate, made to sum to each worker's rows
                    long diff = partRows[g] - java.util.Arrays.stream(gClass[g]).sum();
                    int big = 0;
                    for (int c = 1; c < classes; c++) {
                        big = gClass[g][c] > gClass[g][big] ? c : big;
                    }
                    gClass[g][big] += diff;
                }
            }
        }
        ChunkPasses.Keep trainKeep = null;
        ChunkPasses.Keep valKeep = null;
        ChunkPasses.Keep testKeep = null;
        if (chunks != null) {
            if (test) {
                testKeep = (id, label) -> cuts.segment(id, label, 0) == 0;
            }
            switch (split.kind()) {
                case NONE:
                    trainKeep = test ? (id, label) -> cuts.segment(id, label, 0) == trainSeg : ChunkPasses.Keep.ALL;
                    break;
                case HOLDOUT:
                    trainKeep = (id, label) -> cuts.segment(id, label, 0) == trainSeg;
                    valKeep = (id, label) -> cuts.segment(id, label, 0) == valSeg;
                    break;
                case KFOLD:
                    trainKeep = (id, label) -> cuts.segment(id, label, 0) != fold;
                    valKeep = (id, label) -> cuts.segment(id, label, 0) == fold;
                    break;
                default:
                    break; // bootstrap draws copies: rows
            }
        }
        long[][] perPartClass = null;
        long[] before;
        long[] trainPartitionRows = null;
        FittedScaler fitted = null;
        boolean fitDone = false;
        // sequences are scaled per feature over their real steps (SequenceScaling, below), not per column
        SequenceOptions sequences = data.sequences();
        FittedScaler.Kind scaler = sequences == null ? this.scaler : null;
        if (split.kind() == SplitSpec.Kind.NONE && resampling.isNone() && !test) {
            before = data.report().classCounts(); // known from validation: saves a pass
            trainPartitionRows = partRows;
            perPartClass = partClass;
            Moments all = scaler == null ? null : data.summary(scaler == FittedScaler.Kind.ZSCORE);
            if (all != null) { // summarised while validating: saves another
                fitted = all.toScaler();
                fitDone = true;
            }
        } else if (trainKeep != null) {
            // One pass over the chunks counts the training part per (partition, class) and fits the scaler.
            ChunkPasses.Scan scan = ChunkPasses.scan(chunks, trainKeep, classes, scaler, features);
            perPartClass = scan.perPartClass;
            before = sum(perPartClass, classes);
            if (scaler != null && scan.moments.n > 0) {
                fitted = scan.moments.toScaler();
            }
            fitDone = true;
        } else {
            perPartClass = Draws.countByPartitionAndClass(train, classes);
            before = sum(perPartClass, classes);
        }
        if (perPartClass != null && resampling.isNone() && trainPartitionRows == null) {
            trainPartitionRows = new long[perPartClass.length];
            for (int p = 0; p < perPartClass.length; p++) {
                trainPartitionRows[p] = java.util.Arrays.stream(perPartClass[p]).sum();
            }
        }
        if (scaler != null) {
            if (java.util.Arrays.stream(before).sum() == 0) {
                throw new DataFormatException(what + " is empty; there is nothing to fit a scaler on.");
            }
            if (!fitDone) {
                fitted = chunks != null && trainKeep != null
                        ? ChunkPasses.scan(chunks, trainKeep, classes, scaler, features).moments.toScaler()
                        : Moments.of(train, scaler == FittedScaler.Kind.ZSCORE, features).toScaler();
            }
        }
        int targetCount = data.targetCount();
        FittedScaler featureScaler = fitted;
        FittedScaler fittedTargets = null;
        if (data.weighted() && targetCount == 0) {
            // the weight is the last value of every row: the row scaler leaves it as it is (docs/architecture.md,
            // Conventions, "Row weights")
            featureScaler = fitted == null ? null : fitted.columns(0, features - 1);
            fitted = rowScaler(featureScaler, null, features - 1, 0, 1);
        }
        if (targetCount > 0) {
            // Regression: the targets are the last values of every row, so they are split, packed and shuffled with
            // it; the row scaler scales the features with the feature scaler and the targets with the target scaler
            // (both fitted on the training part only) or leaves them as they are (docs/architecture.md, "Regression")
            if (!resampling.isNone()) {
                throw new IllegalArgumentException("resampling balances classes; a regression input has none");
            }
            int weight = data.weighted() ? 1 : 0;
            int inputs = features - targetCount - weight;
            featureScaler = fitted == null ? null : fitted.columns(0, inputs);
            if (targetScaler != null) {
                FittedScaler all = fitted != null && scaler == targetScaler ? fitted
                        : fitScaler(data, chunks, trainKeep, train, targetScaler, classes, features, test);
                fittedTargets = all.columns(inputs, targetCount).forTargets();
            }
            fitted = rowScaler(featureScaler, fittedTargets, inputs, targetCount, weight);
        }
        if (sequences != null && this.scaler != null) {
            // docs/data-preparation.md, "Sequences": per feature over the training sequences' real steps, repeated
            // over the T steps (what the model stores); the length column (and any targets) as the row scaler says
            if (java.util.Arrays.stream(before).sum() == 0) {
                throw new DataFormatException(what + " is empty; there is nothing to fit a scaler on.");
            }
            featureScaler = SequenceScaling.fit(train, this.scaler, sequences);
            fitted = rowScaler(featureScaler, fittedTargets, features - targetCount, targetCount);
        }
        int sequenceSteps = sequences == null ? 0 : sequences.steps();
        long foldSeed = SplitMix.derive(s, fold);
        // Stored blocks are storage units of a few MiB (few, large arrays: cheap for the garbage collector);
        // each epoch repacks them into minibatches of batchSize (trainBlocks(epoch)).
        int stored = Math.max(batchSize, RowChunk.capacity(features));
        int[] batches = globalBatch ? shares(batchSize, w) : same(batchSize, w);
        JavaRDD<Block> blocks;
        boolean bytes = data.byteChunks();
        int windowRows = windowRows(features, bytes);
        long total = java.util.Arrays.stream(before).sum();
        long targets = resampling.isNone() ? total : java.util.Arrays.stream(resampling.targets(before)).sum();
        long perWorkerMax = trainPartitionRows != null && perPartClass != null && perPartClass.length == w
                ? java.util.Arrays.stream(trainPartitionRows).max().orElse(0) : (targets + w - 1) / w;
        // A bounded window only mixes what lies near each other: rows stay in input order only when that order
        // is mixed by class at chunk scale; otherwise they are dealt out (ordered by a seeded hash).
        boolean orderMixed = perWorkerMax <= windowRows || data.chunksMixed();
        StorageLevel level = storage != null ? storage : storageFor(rows.context(), perWorkerMax, features, bytes, w);
        boolean inPlace = resampling.isNone() && orderMixed && Packer.inPlace(perPartClass, w);
        if (split.kind() == SplitSpec.Kind.NONE && inPlace && chunks != null && !test) {
            // Every row trains, where it lies, and each epoch's repacking scales the values as it copies them:
            // the cached chunks are the stored blocks (the same arrays, no pass, no copy; on disk where the
            // read put them), and their counts are known.
            Packer.checkEnough(java.util.Arrays.stream(trainPartitionRows).sum(), w, what);
            blocks = chunks.map(RowChunk::asBlock);
            return new PreparedFold(fold, fitted, blocks, null, before, before.clone(), trainPartitionRows.clone(), 0,
                    foldSeed, batches, windowRows, data.storageLevel()).sharingSourceCache()
                    .regression(targetCount, featureScaler, fittedTargets).sequences(sequences, featureScaler)
                    .weighted(data.weighted(), featureScaler);
        }
        if (trainKeep != null && inPlace) {
            Packer.checkEnough(java.util.Arrays.stream(trainPartitionRows).sum(), w, what);
            // raw bytes stay bytes (a quarter of the memory); each epoch's repacking scales them
            blocks = ChunkPasses.pack(chunks, trainKeep, stored, fitted, features, true);
        } else if (trainKeep != null && resampling.isNone() && orderMixed && Packer.evenMix(perPartClass, w)) {
            // the classes are well mixed but the sizes differ (a stratified split): move only the surplus
            Packer.checkEnough(java.util.Arrays.stream(trainPartitionRows).sum(), w, what);
            blocks = ChunkPasses.packBalanced(chunks, trainKeep, trainPartitionRows, Packer.targets(trainPartitionRows),
                    stored, fitted, features, foldSeed);
        } else {
            // the draws are per partition of the rows they expand: when the chunks were regrouped to one partition
            // per worker (GroupedRDD, above) the counts are per group, not per partition of train; count train's
            JavaRDD<Example> resampled = resampling.isNone() ? train
                    : resample(train, perPartClass.length == train.getNumPartitions() ? perPartClass
                            : Draws.countByPartitionAndClass(train, classes), before, resampling.targets(before),
                            foldSeed);
            blocks = Packer.packTraining(resampled, resampling.isNone() ? perPartClass : null, orderMixed, w, stored,
                    fitted, features, foldSeed, what);
        }
        blocks = blocks.persist(level);
        long[][] packed = blockCounts(blocks, classes);
        long[] after = new long[classes];
        long[] perWorker = new long[packed.length];
        for (int p = 0; p < packed.length; p++) {
            for (int c = 0; c < classes; c++) {
                after[c] += packed[p][c];
                perWorker[p] += packed[p][c];
            }
        }
        JavaRDD<Block> val = null;
        long valRows = 0;
        // evaluation predicts a block at once: small blocks keep activations small and predict fastest
        int evalRows = Math.max(batchSize, Math.min(stored, ScoringBlocks.PREDICT_ROWS));
        if (validation != null) {
            val = unweighted(valKeep != null ? ChunkPasses.pack(chunks, valKeep, evalRows, fitted, features)
                    : Packer.packInPlace(validation, evalRows, fitted, features), data).persist(level);
            for (long[] p : blockCounts(val, classes)) {
                for (long c : p) {
                    valRows += c;
                }
            }
            if (valRows == 0) {
                blocks.unpersist(false);
                val.unpersist(false);
                throw new DataFormatException("the validation part of fold " + (fold + 1) + " (" + split + ") of "
                        + data.source().name() + " is empty; use more rows or a larger validation share.");
            }
        }
        PreparedFold prepared = new PreparedFold(fold, fitted, blocks, val, before, after, perWorker, valRows, foldSeed,
                batches, windowRows, level).regression(targetCount, featureScaler, fittedTargets)
                .sequences(sequences, featureScaler).weighted(data.weighted(), featureScaler);
        if (test) {
            JavaRDD<Block> tb = unweighted(testKeep != null ? ChunkPasses.pack(chunks, testKeep, evalRows, fitted,
                    features) : Packer.packInPlace(testRows, evalRows, fitted, features), data).persist(level);
            long testCount = 0;
            for (long[] p : blockCounts(tb, classes)) {
                for (long c : p) {
                    testCount += c;
                }
            }
            prepared.withTest(tb, testCount);
            if (testCount == 0) {
                prepared.unpersist();
                throw new DataFormatException("the test part held out of " + data.source().name() + " is empty;"
                        + " use more rows or a larger test fraction.");
            }
        }
        return prepared;
    }

    /**
     * Evaluation blocks without the rows' weights (metrics are unweighted: docs/architecture.md, Conventions, "Row
     * weights"); {@code blocks} themselves for unweighted data.
     */
    private static JavaRDD<Block> unweighted(JavaRDD<Block> blocks, LabeledData data) {
        return data.weighted() ? blocks.map(Block::withoutLastValue) : blocks;
    }

    /** A scaler of kind {@code kind} fitted on the training part's rows (features and targets), in one pass. */
    private FittedScaler fitScaler(LabeledData data, JavaRDD<RowChunk> chunks, ChunkPasses.Keep trainKeep,
            JavaRDD<Example> train, FittedScaler.Kind kind, int classes, int features, boolean test) {
        boolean zscore = kind == FittedScaler.Kind.ZSCORE;
        if (split.kind() == SplitSpec.Kind.NONE && !test && data.summary(zscore) != null) {
            return data.summary(zscore).toScaler(); // every row trains: summarised while validating
        }
        if (chunks != null && trainKeep != null) {
            return ChunkPasses.scan(chunks, trainKeep, classes, kind, features).moments.toScaler();
        }
        return Moments.of(train, zscore, features).toScaler();
    }

    /**
     * The scaler of whole rows [x..., y...]: the feature scaler's columns, then the target scaler's, identity
     * (shift 0, scale 1: exact) for a part without one; null when neither is scaled. A feature scaler with fewer
     * columns than {@code inputs} (a sequence's T·F, where a sequence row's inputs end with its length) leaves the rest
     * of the inputs as they are.
     */
    public static FittedScaler rowScaler(FittedScaler features, FittedScaler targets, int inputs, int targetCount) {
        return rowScaler(features, targets, inputs, targetCount, 0);
    }

    /** As above, for rows that end with {@code kept} more values left as they are (a row weight). */
    static FittedScaler rowScaler(FittedScaler features, FittedScaler targets, int inputs, int targetCount, int kept) {
        if (features == null && targets == null) {
            return null;
        }
        float[] shift = new float[inputs + targetCount + kept];
        float[] scale = new float[inputs + targetCount + kept];
        java.util.Arrays.fill(scale, 1f);
        if (features != null) {
            int n = Math.min(inputs, features.featureCount());
            System.arraycopy(features.shift(), 0, shift, 0, n);
            System.arraycopy(features.scale(), 0, scale, 0, n);
        }
        if (targets != null) {
            System.arraycopy(targets.shift(), 0, shift, inputs, targetCount);
            System.arraycopy(targets.scale(), 0, scale, inputs, targetCount);
        }
        return FittedScaler.of(features != null ? features.kind() : targets.kind(), shift, scale);
    }

    /**
     * {@code MEMORY_AND_DISK} when a worker's stored blocks ({@code rows} of {@code features} values) take at
     * most half of one task's share of the smallest executor's storage memory, else {@code DISK_ONLY}. Spark
     * caches a partition whole or not at all; one partition per worker larger than its storage memory would
     * be unrolled into memory, given up on and written to disk again on every epoch
     * (docs/data-preparation.md, "Bounded memory").
     */
    static StorageLevel storageFor(org.apache.spark.SparkContext sc, long rows, int features, boolean bytes,
            int workers) {
        StorageLevel set = ReadOptions.setting(sc);
        if (set != null) {
            return set;
        }
        long perRow = (long) features * (bytes ? 1 : 4) + 12; // values, label, id
        return fits(sc, rows * perRow, rows * perRow * workers) ? StorageLevel.MEMORY_AND_DISK()
                : StorageLevel.DISK_ONLY();
    }

    /**
     * Whether partitions of {@code bytes} each, {@code total} together, fit in storage memory: each in half of
     * one task's share of the smallest executor's, all of them in 60% of all executors' (otherwise most would
     * be unrolled into memory and given up on, one after the other). One pass over the block managers.
     */
    static boolean fits(org.apache.spark.SparkContext sc, long bytes, long total) {
        scala.collection.Iterator<scala.Tuple2<org.apache.spark.storage.BlockManagerId, scala.Tuple2<Object, Object>>>
                it = sc.env().blockManager().master().getMemoryStatus().iterator();
        boolean local = sc.isLocal();
        long min = Long.MAX_VALUE;
        long sum = 0;
        int executors = 0;
        while (it.hasNext()) {
            scala.Tuple2<org.apache.spark.storage.BlockManagerId, scala.Tuple2<Object, Object>> e = it.next();
            if (!local && e._1().isDriver()) {
                continue;
            }
            long max = (Long) e._2()._1();
            executors++;
            min = Math.min(min, max);
            sum += max;
        }
        if (executors == 0) { // no executor has registered yet: a quarter of this JVM's heap
            min = sum = Runtime.getRuntime().maxMemory() / 4;
        }
        int slots = local || executors == 0 ? Math.max(1, sc.defaultParallelism())
                : Math.max(1, (int) Math.ceil((double) sc.defaultParallelism() / executors));
        return bytes <= min / slots / 2 && total <= sum / 10 * 6;
    }

    private static long[] sum(long[][] perPartClass, int classes) {
        long[] out = new long[classes];
        for (long[] p : perPartClass) {
            for (int c = 0; c < classes; c++) {
                out[c] += p[c];
            }
        }
        return out;
    }

    /** Down-sample classes above their target (exact, without replacement), up-sample those below. */
    private static JavaRDD<Example> resample(JavaRDD<Example> train, long[][] perPartClass, long[] before,
            long[] targets, long seed) {
        int classes = before.length;
        long[][] ranks = new long[classes][];
        long[] extra = new long[classes];
        boolean down = false;
        for (int c = 0; c < classes; c++) {
            if (targets[c] < before[c]) {
                ranks[c] = new long[] {targets[c]};
                down = true;
            } else {
                ranks[c] = new long[0];
                extra[c] = targets[c] - before[c];
            }
        }
        RankCuts cuts = down ? RankCuts.compute(train, classes, before, ranks, seed, Seeded.DOWN) : null;
        Draws draws = Draws.allocate(perPartClass, extra, seed, Seeded.UP, false);
        return train.mapPartitionsWithIndex((p, it) -> {
            java.util.Iterator<Example> kept = it;
            if (cuts != null) {
                kept = new FilterIterator(it, cuts);
            }
            return draws.expand(p, kept, true, false);
        }, true);
    }

    /** Rows per (partition, class) in blocks; computing it also fills the blocks' cache. */
    static long[][] blockCounts(JavaRDD<Block> blocks, int classes) {
        List<long[]> per = blocks.mapPartitionsWithIndex((p, it) -> {
            long[] c = new long[classes + 1];
            c[classes] = p;
            while (it.hasNext()) {
                Block b = it.next();
                for (int i = 0; i < b.size; i++) {
                    c[b.labels[i]]++;
                }
            }
            return List.of(c).iterator();
        }, true).collect();
        long[][] out = new long[blocks.getNumPartitions()][classes];
        for (long[] c : per) {
            System.arraycopy(c, 0, out[(int) c[classes]], 0, classes);
        }
        return out;
    }

    /** Keeps the rows below their class's cut (segment 0); classes without a cut keep every row. */
    private static final class FilterIterator implements java.util.Iterator<Example> {
        private final java.util.Iterator<Example> it;
        private final RankCuts cuts;
        private Example next;

        FilterIterator(java.util.Iterator<Example> it, RankCuts cuts) {
            this.it = it;
            this.cuts = cuts;
            advance();
        }

        private void advance() {
            next = null;
            while (it.hasNext()) {
                Example e = it.next();
                if (cuts.segment(e) == 0) {
                    next = e;
                    return;
                }
            }
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Example next() {
            Example e = next;
            advance();
            return e;
        }
    }
}
