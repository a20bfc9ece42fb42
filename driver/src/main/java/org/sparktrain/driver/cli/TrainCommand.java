package org.sparktrain.driver.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparktrain.driver.eval.DistributedEvaluation;
import org.sparktrain.driver.report.RunReport;
import org.sparktrain.driver.barrier.BarrierEpoch;
import org.sparktrain.driver.spark.SparkSetup;
import org.sparktrain.driver.train.AtomicWrite;
import org.sparktrain.driver.round.Averaging;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.train.DistributedTraining;
import org.sparktrain.driver.train.RunOptions;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;
import org.sparktrain.engine.kernel.Gemms;
import org.sparktrain.engine.metrics.ClassificationMetrics;
import org.sparktrain.engine.metrics.Metrics;
import org.sparktrain.engine.metrics.MultiLabelMetrics;
import org.sparktrain.engine.metrics.RegressionMetrics;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.Warmup;
import org.sparktrain.partitioning.Block;
import org.sparktrain.partitioning.LabeledData;
import org.sparktrain.partitioning.PreparedFold;
import org.sparktrain.partitioning.ScoringBlocks;
import org.sparktrain.partitioning.SplitSpec;

/** {@code sparktrain train}: data-parallel training on Spark, then the test metrics. */
final class TrainCommand {
    static final String HELP = """
            usage: sparktrain train --model SPEC --data DATA [flags]

              --model SPEC            model spec (YAML or JSON), e.g. conf/models/lenet5.yaml
              --data DATA             {formats}
              --test DATA             test data (default: the t10k-* files of an IDX --data directory)
              --test-fraction F       without a test set (a CSV/Parquet --data and no --test): hold out a
                                      stratified fraction F of --data as the test set (default 0.1; 0: no
                                      test set, no test metrics, no metrics.json)
              --label-col NAME        the label column of CSV/Parquet data (default: label); for a regression
                                      spec (outputs: 1) its target column
              --label-cols Y1,Y2,...  regression: the float target columns, one per output of the spec;
                                      multi-label (labels: K): the K 0/1 label columns
              --sequence-col ID       long-format CSV sequences (a spec with input: [T, F]): the column of each
                                      row's sequence id (an integer, or any other text); rows of one id are
                                      one sequence, grouped by a Spark shuffle. The sequence's label is its
                                      LAST step's (other steps' label cells are not read), unless the spec's
                                      output is one per step ([T, K]: return_sequences + time_distributed):
                                      then EVERY step's label (or targets) is read and metrics count every
                                      real step; at most T steps, padded to T and masked
              --step-col T            with --sequence-col: the column steps are sorted by (numbers; a step
                                      repeated within a sequence is an error)
              --step-features F       Parquet sequences in an array<float> column 'features' of steps*F values
                                      (F: the spec's features per step); array<array<float>> columns need no
                                      flag; with Parquet, --sequence-col alone names an id column (integer or
                                      string); a per-step spec's label column is an array, one per step
              --threshold T           multi-label: a label is yes when its probability is >= T (default
                                      0.5); stored in the model for score
              --scale-target zscore|minmax|none  regression: scale the targets, fitted on the training part,
                                      stored in the model and inverted on every prediction (default zscore)
              --drop-bad-rows         drop (and count) rows that fail validation instead of stopping
              --weight-col NAME       weigh each --data row's loss by column NAME (a number >= 0; CSV,
                                      Parquet): sum of w*L / B per minibatch, as the row repeated w times in
                                      expectation; metrics stay unweighted (--test must hold the column
                                      too; its weights are checked, not used); not with --resample (both
                                      reweigh rows) or sequences
              --epochs N              override the spec's training.epochs
              --batch-size M          override the spec's training.batch_size (the global minibatch: each
                                      worker takes its share of every step)
              --seed S                override the spec's training.seed
              --validation F          hold out a stratified fraction F of the training data for validation
                                      and early stopping (default 0: none)
              --scale zscore|minmax|none  feature scaling fitted on the training part (default none);
                                      sequences: per feature over the real steps, padding stays 0
              --resample up|down|none     balance the classes of the training part (default none; not for
                                      regression or a per-step spec)
              --limit-train K         use about the first K training examples (quick runs)
              --shuffle-window ROWS   rows each worker permutes together per epoch (default: the rows in
                                      64 MiB of stored values, e.g. 65,536 rows of 256 floats); a worker
                                      with more rows streams its stored blocks a window at a time, so
                                      memory stays bounded whatever the data's size
              --workers W             data-parallel workers: Spark partitions, one task each per round
                                      (default: the cores Spark has, e.g. 2 on local[*] with 2 cores)
              --master URL            Spark master (default: as spark-submit set it, else local[*])
              --mode {modes}  average parameters every K steps (default) or gradients every step
              --averaging-frequency K  local steps per round in parameter mode (default 5), or K per epoch:
                                      1,5,20 = 1 in epoch 1, 5 in epoch 2, 20 from epoch 3 on
              --sync-epochs E         the first E epochs average gradients every step (synchronous), then the
                                      mode's rounds begin (default 0)
              --optimizer-state average|reset  parameter mode: average the optimizer state with the
                                      parameters (default) or reset it after every average
              --outer-momentum B      parameter mode: SlowMo's outer momentum beta in [0, 1) on the averaged
                                      update (Wang et al., ICLR 2020; default 0 = off): u = B*u +
                                      (x0 - avg)/lr, next start x0 - A*lr*u; refused with --mode gradient
              --outer-lr A            SlowMo's outer learning rate alpha > 0 (default 1); B = 0 with A = 1 is
                                      plain averaging
              --sync-batchnorm        gradient mode: BatchNorm normalises over the whole global minibatch,
                                      its statistics summed over the workers inside every step (default:
                                      over each worker's share); barrier transport
              --class-weight balanced|w0,w1,...  weight the loss per class: balanced = N / (k * rows of
                                      the class) over the training part, or one weight per class (the
                                      expectation of up-sampling, without extra rows)
              --warmup-rounds N       first N rounds average after every step (default 0)
              --lr-scaling-reference B  opt-in linear scaling rule (Goyal et al. 2017): the spec's learning
                                      rate was tuned for B rows per step; it becomes lr * batch_size / B,
                                      reached in equal steps over --lr-warmup-epochs E (default 5)
              --transport barrier|job how a round travels: one barrier stage per epoch whose tasks average
                                      among themselves over direct TCP (default; needs all W tasks running
                                      at once; ports, timeouts and encryption, which follows Spark's:
                                      spark.sparktrain.allreduce.*, docs/architecture.md), or one
                                      Spark job per round (the reference; ~30 ms more per round)
              --threads T             engine threads in every worker task (barrier transport; default
                                      spark.task.cpus, i.e. 1): each takes a slice of its task's rows, and the
                                      task, not the thread, joins the all-reduce. W x T shares of every
                                      global minibatch; on a cluster give spark.task.cpus=T as well
              --divergence-factor F   stop the run when the mean training loss of the last N rounds is above
                                      F times the best such mean (default 10; 0 turns the guard off)
              --divergence-rounds N   the divergence guard's N (default 50)
              --checkpoint-every N    also write the checkpoint every N averaging rounds, not only after every
                                      epoch (default 0: every epoch only); --resume continues from it to the
                                      same bits as an uninterrupted run
              --resume                continue from the checkpoint in --out, if there is one
              --out DIR               where the model file, checkpoint and metrics go (default runs/<model
                                      name>); any Hadoop path (file:, hdfs:, s3a:)
              --metrics-out FILE      also write the final test metrics as JSON to FILE
              --help                  this text

            Prints one line per epoch and the test metrics (of --test, the t10k-* part, or the rows held out
            by --test-fraction). A checkpoint is written after every epoch; the
            model file DIR/model.sptr only when the run succeeds, atomically: a failed run leaves an existing
            model untouched.
            """.replace("{formats}", DataSources.dataHelp("training data: "))
            .replace("{modes}", String.join("|", java.util.Arrays.stream(AveragingMode.values())
                    .map(AveragingMode::flagName).toList()));

    /** The share of a --data without a test set that {@code train} holds out as one (--test-fraction). */
    static final double DEFAULT_TEST_FRACTION = 0.1;

    private TrainCommand() {
    }

    static String percent(double fraction) {
        return java.math.BigDecimal.valueOf(fraction).movePointRight(2).stripTrailingZeros().toPlainString();
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws IOException {
        Args a = new Args("sparktrain train", argv, 1,
                RunFlags.valued("test", "out", "test-fraction", "checkpoint-every"), RunFlags.switches("resume"));
        if (a.flag("help")) {
            out.print(HELP);
            return 0;
        }
        double valFraction = RunFlags.fraction(a, "validation");
        int checkpointEvery = a.intValue("checkpoint-every", 0, 0);
        double testFraction = a.has("test-fraction") ? RunFlags.fraction(a, "test-fraction") : DEFAULT_TEST_FRACTION;
        RunFlags f = new RunFlags(a);
        RunOptions run = f.run();
        ModelSpec spec = run.spec();
        TrainingConfig cfg = run.config();
        String outDir = a.get("out", "runs/" + spec.name());
        // everything that can be checked before Spark starts is (docs/architecture.md, "Failing cleanly")
        Network probe = Preflight.spec(run, f.specFile);
        Preflight.input("--data", f.dataPath);
        if (a.has("test")) {
            Preflight.input("--test", a.get("test", ""));
        }
        Preflight.outputDir("--out", outDir, false);
        if (a.has("metrics-out")) {
            Preflight.outputFile("--metrics-out", a.get("metrics-out", ""));
        }
        int classes = run.classes(probe);

        out.printf("sparktrain train: %s (%s) on %s; starting Spark (%s) ...%n", spec.name(), f.specFile, f.dataPath,
                Logs.master(a.get("master", null)));
        Logs.beforeSpark(a.get("master", null));
        // local masters train in this JVM: warm its JIT on the model's shapes while Spark starts and the data is
        // prepared (docs/architecture.md, "Measured facts"); results do not change
        Warmup warmup = localMaster(a.get("master", null)) && !"0".equals(System.getenv("SPARKTRAIN_WARMUP"))
                ? Warmup.start(spec, cfg, run.stepRows(run.workers() > 0 ? run.workers()
                        : Runtime.getRuntime().availableProcessors()), 2000)
                : null;
        SparkSession session = SparkSetup.session("sparktrain train " + spec.name(), a.get("master", null),
                java.util.Map.of(), f.sparkSettings());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
        checkOutDir(sc, outDir);
        run = run.withWorkers(run.workers(sc));
        int workers = run.workers();
        if (!"0".equals(System.getenv("SPARKTRAIN_WARMUP"))) {
            // a cluster's executors are other JVMs: warm them while the data is read and prepared (does nothing on
            // a local master, whose executors are this JVM; docs/architecture.md, "Cold JVMs")
            org.sparktrain.driver.train.ExecutorWarmup.start(sc, spec, cfg, run.stepRows(workers), 2000);
        }
        DataSources.Options read = new DataSources.Options(classes, spec.input(), a.get("label-col", null),
                a.flag("drop-bad-rows")).targets(spec, f.targets).sequences(f.sequences);
        long t0 = System.nanoTime();
        out.println("reading and validating " + f.dataPath + " ...");
        Progress progress = Progress.forOutput(out);
        // the scalers' summaries are made while reading when every row trains (no split, no resampling): the fit then
        // needs no pass of its own; otherwise the read makes none (the folds' scan fits them)
        org.sparktrain.partitioning.ReadOptions.Summaries summaries = valFraction == 0 && run.resampling().isNone()
                ? org.sparktrain.partitioning.ReadOptions.Summaries.forScaler(run.scaler())
                        .and(org.sparktrain.partitioning.ReadOptions.Summaries.forScaler(run.targetScaler()))
                : org.sparktrain.partitioning.ReadOptions.Summaries.NONE;
        LabeledData train = ReadProgress.reading(progress, sc.sc(), f.dataPath,
                () -> DataSources.read(session, f.dataPath, "train", read.partitions(workers), f.weightCol, summaries));
        if (train.report().rowsDropped() > 0) {
            err.println("sparktrain: warning: " + train.report());
        }
        if (f.limit != null && f.limit < train.count()) {
            train = train.limit(f.limit);
        }
        LabeledData test = null;
        if (a.has("test")) {
            // read with the weight column too (the same columns as --data), whose values the metrics do not use
            test = DataSources.read(session, a.get("test", ""), "t10k", read, f.weightCol);
        } else if (isIdxDirWithTest(session, f.dataPath)) {
            test = DataSources.read(session, f.dataPath, "t10k", read);
        }
        double heldOut = 0;
        if (test == null && testFraction > 0) {
            heldOut = testFraction;
            out.printf(Locale.ROOT, "no test set for %s (no --test): holding out a stratified %s%% of its rows as the"
                    + " test set (--test-fraction)%n", f.dataPath, percent(testFraction));
        } else if (test == null) {
            err.println("sparktrain: warning: --test-fraction 0 and no --test: this run ends without test metrics and"
                    + " writes no metrics.json");
        } else if (a.has("test-fraction")) {
            err.println("sparktrain: note: --test-fraction is not used: " + (a.has("test") ? "--test "
                    + a.get("test", "") : f.dataPath + "'s t10k-* part") + " is the test set");
        }
        if (run.regression() && (valFraction > 0 || heldOut > 0)) {
            // stratify the validation and test parts by the first target's quantile bins, as a classifier's are by
            // class (docs/architecture.md, "Regression")
            train = train.binnedByTarget(org.sparktrain.partitioning.ReadOptions.TARGET_BINS, cfg.seed());
        }
        long tPack = System.nanoTime();
        PreparedFold fold;
        try (Progress.Phase packing = progress.start(() -> String.format(Locale.ROOT, "splitting, scaling and packing"
                + " the rows: %.0f s", (System.nanoTime() - tPack) / 1e9))) {
            fold = run.pipeline(valFraction > 0 ? SplitSpec.holdout(valFraction) : SplitSpec.none(), workers,
                    cfg.seed()).testHoldout(heldOut).prepare(train).fold(0);
        }
        if (!fold.usesSourceCache()) {
            train.unpersist(); // the fold holds its own blocks: the read's cache is not needed any more
        }
        out.printf(Locale.ROOT, "prepared %d training rows in %.1f s (read, validated, %s, packed; %s,"
                        + " shuffle window %d rows per worker)%n", fold.trainRows(), (System.nanoTime() - t0) / 1e9,
                run.scaler() == null ? "not scaled" : "scaler fitted", storageName(fold.storage()),
                fold.shuffleWindow());
        double[] lengths = train.sequenceLengths();
        if (lengths != null) { // docs/data-preparation.md, "Sequences"
            int steps = train.sequenceSteps();
            out.printf(Locale.ROOT, "sequences: %d of %.0f-%.0f steps (mean %.1f), each padded to the model's %d and"
                    + " masked%n", train.count(), lengths[0], lengths[2], lengths[1], steps);
            if (lengths[2] * 2 < steps) {
                err.printf(Locale.ROOT, "sparktrain: note: the longest sequence has %.0f steps and the model takes %d"
                        + " (input: %s in %s): every row holds %d steps, padding included; a smaller T costs less"
                        + " memory and gives the same predictions%n", lengths[2], steps, spec.input(), f.specFile,
                        steps);
            }
        }
        if (heldOut > 0) {
            out.printf(Locale.ROOT, "test set: %d rows held out of %s (stratified %s%%, scaled like the training"
                    + " rows, never trained on)%n", fold.testRows(), f.dataPath, percent(heldOut));
        }
        if (!run.resampling().isNone()) {
            out.printf("resampling %s: training rows per class %s -> %s%n", run.resampling(),
                    java.util.Arrays.toString(fold.classCountsBefore()), java.util.Arrays.toString(fold.classCountsAfter()));
        }
        if (valFraction == 0 && cfg.patience() > 0) {
            err.println("sparktrain: warning: the spec asks for early stopping but there is no validation data;"
                    + " pass --validation 0.1 to hold out 10% of the training data");
        }
        Averaging avg = run.averaging();
        int threads = BarrierEpoch.threadsPerTask(sc);
        out.printf("sparktrain: %s, %d parameters, %d training examples%s; %d workers%s on %s, %s (%s transport);"
                        + " GEMM kernel %s%n", spec.name(), probe.params().length,
                fold.trainRows(), valFraction > 0 ? ", " + fold.validationRows() + " for validation" : "", workers,
                threads > 1 ? " x " + threads + " threads" : "",
                sc.master(), avg.describe(), run.transport().name().toLowerCase(Locale.ROOT), Gemms.fastest().name());

        boolean testWeighted = test != null && test.weighted(); // its blocks drop the weights: metrics are unweighted
        JavaRDD<Block> testBlocks = test == null ? fold.testBlocks()
                : ScoringBlocks.pack(test, fold.rowScaler(testWeighted), ScoringBlocks.PREDICT_ROWS)
                        .map(b -> testWeighted ? b.withoutLastValue() : b).persist(StorageLevel.MEMORY_AND_DISK());
        JavaRDD<Block> valBlocks = fold.validationBlocks();
        DistributedTraining.Options watch = DistributedTraining.Options.quiet().printingTo(out)
                .checkpoints(outDir, a.flag("resume")).checkpointEvery(checkpointEvery)
                .loggingEpochsTo(outDir + "/metrics.jsonl")
                .validation(valBlocks == null ? null : evaluator(sc, fold, valBlocks, f.threshold))
                .perEpochTest(testBlocks == null ? null : evaluator(sc, fold, testBlocks, f.threshold));
        if (warmup != null) {
            warmup.close();
        }
        DistributedTraining.Trained trained;
        try (EpochProgress epochLine = new EpochProgress(progress)) {
            trained = DistributedTraining.train(sc, run, fold, watch.listening(epochLine));
        }
        DistributedTraining.Result fit = trained.result();
        Network net = trained.network();
        if (trained.trainer().config().classWeights() != null) {
            out.println("class weights (" + run.classWeights() + "): "
                    + java.util.Arrays.toString(trained.trainer().config().classWeights()));
        }

        Metrics testMetrics = testBlocks == null ? null : evaluator(sc, fold, testBlocks, f.threshold).evaluate(net);
        Map<String, String> provenance = RunProvenance.of(f, run, sc);
        if (heldOut > 0) {
            provenance.put("test", "held out of data: stratified " + percent(heldOut) + "%, " + fold.testRows() + " rows");
        }
        if (valFraction > 0) {
            provenance.put("validation", Double.toString(valFraction));
        }
        provenance.put("training.examples", Long.toString(fold.trainRows()));
        provenance.put("epochs", Integer.toString(fit.epochsRun()));
        provenance.put("best.epoch", Integer.toString(fit.bestEpoch()));
        float[] weights = trained.trainer().config().classWeights();
        if (weights != null) {
            provenance.put("class.weights", run.classWeights() + " = " + java.util.Arrays.toString(weights));
        }
        if (spec.multiLabel()) { // docs/architecture.md, "Multi-label": score reads both
            provenance.put("labels", String.join(",", f.targets));
            provenance.put("threshold", Double.toString(f.threshold));
        }
        provenance.put("optimizer", trained.trainer().optimizer().describe());
        provenance.put("created", Instant.now().toString());
        ModelContents model = net.toModel(Optional.ofNullable(fold.scaler()), Optional.ofNullable(fold.targetScaler()),
                provenance);
        String modelFile = outDir + "/model.sptr";
        AtomicWrite.write(sc.hadoopConfiguration(), modelFile, o -> ModelFile.write(o, model));
        if (testMetrics != null) {
            out.println();
            out.println(testMetrics instanceof MultiLabelMetrics ml ? ml.summary(f.targets) : testMetrics.summary());
            if (testMetrics instanceof MultiLabelMetrics m) {
                out.printf("test micro F1 %.4f  test macro F1 %.4f  test hamming loss %.4f  test subset accuracy %.4f"
                        + "  test loss %.4f  (%d examples, threshold %s)%n", m.microF1(), m.macroF1(), m.hammingLoss(),
                        m.subsetAccuracy(), m.loss(), m.count(), f.threshold);
            } else if (testMetrics instanceof RegressionMetrics r) {
                out.printf("test rmse %.4g  test mae %.4g  test r2 %.4f  (%d examples%s, in the targets' units)%n",
                        r.rmse(), r.mae(), r.r2(), r.count(), r.perStepNote());
            } else {
                ClassificationMetrics c = (ClassificationMetrics) testMetrics;
                out.printf("test accuracy %.4f  test loss %.4f  (%d examples%s)%n", c.accuracy(), c.logLoss(), c.count(),
                        c.perStepNote());
            }
            byte[] json = (org.sparktrain.driver.report.MetricsJson.text(testMetrics) + "\n").getBytes(StandardCharsets.UTF_8);
            AtomicWrite.write(sc.hadoopConfiguration(), outDir + "/metrics.json", o -> o.write(json));
            if (a.has("metrics-out")) {
                AtomicWrite.write(sc.hadoopConfiguration(), a.get("metrics-out", ""), o -> o.write(json));
            }
        }
        String report = outDir + "/" + RunReport.FILE;
        byte[] page = RunReport.html(sc.hadoopConfiguration(), outDir).getBytes(StandardCharsets.UTF_8);
        AtomicWrite.write(sc.hadoopConfiguration(), report, o -> o.write(page));
        out.println("model written to " + modelFile + "; report: " + report);
        fold.unpersist();
        return 0;
    }

    /**
     * The metrics of a network on blocks of this fold's kind: a classifier's, or a regressor's with the fold's target
     * scaler inverted (docs/architecture.md, "Regression").
     */
    static DistributedTraining.Validator evaluator(JavaSparkContext sc, PreparedFold fold, JavaRDD<Block> blocks) {
        return evaluator(sc, fold, blocks, RunFlags.DEFAULT_THRESHOLD);
    }

    /**
     * As above; a multi-label network's (docs/architecture.md, "Multi-label") decides its labels at {@code threshold}.
     */
    static DistributedTraining.Validator evaluator(JavaSparkContext sc, PreparedFold fold, JavaRDD<Block> blocks,
            double threshold) {
        if (fold.stepTargets() > 0 && !fold.stepClasses()) { // a per-step regressor: over the real steps
            return n -> DistributedEvaluation.evaluateStepRegression(sc, n, blocks);
        }
        if (fold.targetCount() > 0) {
            return n -> n.spec().multiLabel()
                    ? DistributedEvaluation.evaluateMultiLabel(sc, n, blocks, fold.targetCount(), threshold)
                    : DistributedEvaluation.evaluateRegression(sc, n, blocks, fold.targetCount(), fold.targetScaler());
        }
        return n -> DistributedEvaluation.evaluate(sc, n, blocks);
    }

    /** Whether the run trains in this JVM: a local master, given or (as spark-submit sets it) in spark.master. */
    static boolean localMaster(String flag) {
        String m = flag != null ? flag : System.getProperty("spark.master", "local[*]");
        return m.startsWith("local");
    }

    /** {@code --out} on any Hadoop file system (local ones were checked before Spark started): not a file. */
    static void checkOutDir(JavaSparkContext sc, String outDir) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(outDir);
        org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(sc.hadoopConfiguration());
        if (fs.exists(p) && !fs.getFileStatus(p).isDirectory()) {
            throw new Args.UsageException("--out " + outDir + " is a file, not a directory: --out names the directory"
                    + " the run writes into");
        }
    }

    static String storageName(StorageLevel l) {
        return l.useMemory() ? (l.useDisk() ? "stored in memory, spilling to disk" : "stored in memory")
                : l.useDisk() ? "stored on disk" : "not stored: the input is read again every epoch";
    }

    static boolean isIdxDirWithTest(SparkSession s, String path) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(s.sparkContext().hadoopConfiguration());
        return fs.isDirectory(p) && DataSources.hasIdx(fs, p, "t10k");
    }
}
