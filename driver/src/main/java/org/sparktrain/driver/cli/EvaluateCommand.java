package org.sparktrain.driver.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.driver.eval.DistributedEvaluation;
import org.sparktrain.driver.eval.FoldResult;
import org.sparktrain.driver.eval.LearningCurve;
import org.sparktrain.driver.eval.ParallelFolds;
import org.sparktrain.driver.eval.Summary;
import org.sparktrain.driver.report.RunReport;
import org.sparktrain.driver.spark.SparkSetup;
import org.sparktrain.driver.train.AtomicWrite;
import org.sparktrain.driver.train.DistributedTraining;
import org.sparktrain.driver.train.RunOptions;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.metrics.ClassificationMetrics;
import org.sparktrain.engine.metrics.Metrics;
import org.sparktrain.engine.metrics.MultiLabelMetrics;
import org.sparktrain.engine.metrics.RegressionMetrics;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.partitioning.LabeledData;
import org.sparktrain.partitioning.PreparedData;
import org.sparktrain.partitioning.PreparedFold;
import org.sparktrain.partitioning.SplitSpec;

/**
 * {@code sparktrain evaluate}: how well a model spec (classifier or regressor) generalises — holdout,
 * stratified k-fold cross-validation with the folds trained as concurrent Spark jobs, or bootstrap with out-of-bag
 * validation — reported as mean ± standard deviation and one row per fold.
 */
final class EvaluateCommand {
    static final String HELP = """
            usage: sparktrain evaluate --model SPEC --data DATA [--method holdout|kfold|bootstrap] [flags]

            Default: stratified k-fold with 10 folds, so a bare 'evaluate' trains 10 models (2 at a time);
            --method holdout trains one.

              --method M              holdout (stratified, --validation F, default 0.3 = 7:3), kfold
                                      (stratified, --folds K, default 10) or bootstrap (--rounds B, default 10:
                                      n draws with replacement each, validated on the out-of-bag rows)
              --folds K               k for kfold (default 10)
              --rounds B              bootstrap samples (default 10)
              --parallel-folds P      folds trained at once, as concurrent Spark jobs in FAIR pools (default: as
                                      many as the task slots hold, slots / W, at least 1). Every fold trains
                                      with --workers W (default: Spark's parallelism), so the results do not
                                      depend on P; folds beyond the slots wait for free ones
              --validation F          holdout's (and the learning curve's) validation fraction (default 0.3)
              --learning-curve [F,F,...]  instead of the method: a holdout split (--validation F), then one model
                                      per fraction of its training part (default 0.1,0.25,0.5,1), on nested
                                      subsets (same seed), all validated on the same rows; prints and draws
                                      training and validation error against the training rows, with a
                                      bias/variance reading of the numbers
              --model, --data, --label-col, --drop-bad-rows, --epochs, --batch-size, --seed, --scale,
              --resample, --limit-train, --shuffle-window, --workers, --master, --averaging-frequency, --mode,
              --warmup-rounds, --sync-epochs, --optimizer-state, --outer-momentum, --outer-lr, --sync-batchnorm,
              --lr-scaling-reference, --lr-warmup-epochs,
              --class-weight, --threads, --label-cols, --scale-target, --threshold, --divergence-factor,
              --divergence-rounds, --sequence-col, --step-col, --step-features, --weight-col,
              --transport  as for 'sparktrain train' (scaling and resampling happen inside each
                                      fold, on its training part only; a regression spec's holdout and
                                      k-fold are stratified on 10 quantile bins of the first target, and
                                      every run reports RMSE, MAE and R2 in the targets' units; a
                                      multi-label spec's are stratified on its first label, and every run
                                      reports micro and macro F1, Hamming loss and subset accuracy)
              --out DIR               where metrics.json (the summary and every run's metrics), metrics.jsonl
                                      (every run's epochs, one JSON line each, with the run's number) and
                                      report.html (the runs' curves on one chart, the spread over the runs,
                                      each run's metrics, the summed confusion matrix) go (default
                                      runs/<model name>-<method>)
              --metrics-out FILE      also write the summary and every fold's metrics as JSON to FILE
              --help                  this text
            """;

    private EvaluateCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a = new Args("sparktrain evaluate", optionalValue(argv, "--learning-curve"), 1, RunFlags.valued("method",
                "folds", "rounds", "parallel-folds", "out", "learning-curve"), RunFlags.switches());
        if (a.flag("help")) {
            out.print(HELP);
            return 0;
        }
        String method = a.get("method", "kfold");
        if (!Set.of("holdout", "kfold", "bootstrap").contains(method)) {
            throw new Args.UsageException("--method must be holdout, kfold or bootstrap, got '" + method + "'");
        }
        List<Double> curve = null;
        if (a.has("learning-curve")) {
            if (a.has("weight-col")) { // it evaluates the training blocks, which carry the weights
                throw new Args.UsageException("--learning-curve is not built for --weight-col; drop one of them");
            }
            if (a.has("method") && !method.equals("holdout")) {
                throw new Args.UsageException("--learning-curve trains on a holdout split (--validation F); it does"
                        + " not go with --method " + method);
            }
            if (a.has("folds") || a.has("rounds")) {
                throw new Args.UsageException("--learning-curve trains on a holdout split; --folds and --rounds do not"
                        + " apply");
            }
            try {
                curve = LearningCurve.fractions(a.get("learning-curve", ""));
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException(e.getMessage());
            }
            method = "learning-curve";
        }
        int folds = a.intValue("folds", 10, 2);
        int rounds = a.intValue("rounds", 10, 1);
        Integer parallelFlag = a.has("parallel-folds") ? a.intValue("parallel-folds", 1, 1) : null;
        double valFraction = a.has("validation") ? RunFlags.fraction(a, "validation") : 0.3;
        if ((method.equals("holdout") || curve != null) && valFraction == 0) {
            throw new Args.UsageException("--validation must be > 0 for " + method);
        }
        RunFlags flags = new RunFlags(a);
        final RunOptions options = flags.run();
        if (curve != null && options.spec().multiLabel()) {
            throw new Args.UsageException("--learning-curve reads training and validation error (1 - accuracy) and is"
                    + " built for single-label classifiers; " + flags.specFile + " is a multi-label spec (labels:):"
                    + " use --method holdout or kfold");
        }
        if (curve != null && options.regression()) {
            throw new Args.UsageException("--learning-curve reads training and validation error (1 - accuracy) and is"
                    + " built for classifiers; " + flags.specFile + " is a regression spec (outputs:): use --method"
                    + " holdout or kfold");
        }
        ModelSpec spec = options.spec();
        final TrainingConfig cfg = options.config();
        // everything that can be checked before Spark starts is (docs/architecture.md, "Failing cleanly")
        Network probe = Preflight.spec(options, flags.specFile);
        Preflight.input("--data", flags.dataPath);
        String outDir = a.get("out", "runs/" + spec.name() + "-" + method);
        Preflight.outputDir("--out", outDir, false);
        if (a.has("metrics-out")) {
            Preflight.outputFile("--metrics-out", a.get("metrics-out", ""));
        }

        int runs = switch (method) {
            case "kfold" -> folds;
            case "bootstrap" -> rounds;
            case "learning-curve" -> curve.size();
            default -> 1;
        };
        out.printf("sparktrain evaluate: %s of %s (%s) on %s, %d model(s); starting Spark (%s) ...%n", method,
                spec.name(), flags.specFile, flags.dataPath, runs, Logs.master(a.get("master", null)));
        Logs.beforeSpark(a.get("master", null));
        SparkSession session = SparkSetup.session("sparktrain evaluate " + spec.name(), a.get("master", null),
                java.util.Map.of("spark.scheduler.allocation.file", poolFile(runs)), flags.sparkSettings());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
        out.println("reading and validating " + flags.dataPath + " ...");
        LabeledData data = ReadProgress.reading(Progress.forOutput(out), sc.sc(), flags.dataPath,
                () -> DataSources.read(session, flags.dataPath, "train", new DataSources.Options(
                        options.classes(probe), spec.input(), a.get("label-col", null), a.flag("drop-bad-rows"))
                        .targets(spec, flags.targets).sequences(flags.sequences), flags.weightCol));
        if (flags.limit != null) {
            data = data.limit(flags.limit);
        }
        if (options.regression() && !method.equals("bootstrap")) {
            // k-fold and holdout stratified on the first target's quantile bins (docs/architecture.md, "Regression")
            data = data.binnedByTarget(org.sparktrain.partitioning.ReadOptions.TARGET_BINS, cfg.seed());
        }
        // Every fold trains with the run's W workers whatever P is: what a fold learns must not depend on how
        // many folds share the cluster (docs/architecture.md, "The global minibatch"). Folds queue for slots.
        int slots = sc.defaultParallelism();
        int perFold = options.workers(sc);
        int p = Math.min(parallelFlag != null ? parallelFlag : Math.max(1, slots / perFold), runs);
        out.printf("sparktrain evaluate: %s of %s on %d rows; %d run(s), %d at a time as concurrent Spark jobs,"
                        + " %d worker(s) each (%d slots)%n", method, spec.name(), data.count(), runs, p, perFold, slots);
        if (perFold * p > slots) {
            err.println("sparktrain: note: " + p + " parallel folds × " + perFold + " workers exceed the " + slots
                    + " task slots: folds wait for each other's slots (their results do not change)");
        }
        final RunOptions perFoldRun = options.withWorkers(perFold);
        final LabeledData rows = data;
        Map<String, String> provenance = provenance(flags, perFoldRun, sc, method, folds, rounds, valFraction);
        if (curve != null) {
            return LearningCurveRun.run(sc, perFoldRun, rows, curve, valFraction, perFold, p, outDir,
                    a.get("metrics-out", null), flags.dataPath, provenance, out);
        }
        final PreparedData shared = method.equals("bootstrap") ? null
                : perFoldRun.pipeline(method.equals("kfold") ? SplitSpec.kFold(folds) : SplitSpec.holdout(valFraction),
                        perFold, cfg.seed()).prepare(rows);
        FoldEpochLog epochLog = new FoldEpochLog(sc.hadoopConfiguration(), outDir + "/metrics.jsonl");
        List<FoldResult> results = ParallelFolds.run(sc, spec.name(), runs, p, fold -> {
            long t0 = System.nanoTime();
            PreparedData prepared = shared != null ? shared
                    : perFoldRun.pipeline(SplitSpec.bootstrap(), perFold, cfg.seed() + fold).prepare(rows);
            PreparedFold f = prepared.fold(shared != null ? fold : 0);
            DistributedTraining.Validator val = TrainCommand.evaluator(sc, f, f.validationBlocks(), flags.threshold);
            DistributedTraining.Trained trained = DistributedTraining.train(sc,
                    perFoldRun.withName(spec.name() + " fold " + (fold + 1)), f,
                    DistributedTraining.Options.quiet().validation(val).listening(epochLog.run(fold, Map.of())));
            DistributedTraining.Result r = trained.result();
            Network net = trained.network();
            Metrics m = val.evaluate(net);
            long t1 = System.nanoTime();
            synchronized (out) {
                if (m instanceof ClassificationMetrics c) {
                    out.printf(Locale.ROOT, "run %d/%d: %d epochs, validation accuracy %.4f, loss %.4f%s (%.1fs)%n",
                            fold + 1, runs, r.epochsRun(), c.accuracy(), c.logLoss(), c.perStepNote(),
                            (t1 - t0) / 1e9);
                } else if (m instanceof MultiLabelMetrics ml) { // docs/architecture.md, "Multi-label"
                    out.printf(Locale.ROOT, "run %d/%d: %d epochs, validation micro F1 %.4f, macro F1 %.4f, hamming loss"
                            + " %.4f, loss %.4f (%.1fs)%n", fold + 1, runs, r.epochsRun(), ml.microF1(), ml.macroF1(),
                            ml.hammingLoss(), ml.loss(), (t1 - t0) / 1e9);
                } else {
                    RegressionMetrics g = (RegressionMetrics) m;
                    out.printf(Locale.ROOT, "run %d/%d: %d epochs, validation rmse %.4g, mae %.4g, r2 %.4f%s (%.1fs)%n",
                            fold + 1, runs, r.epochsRun(), g.rmse(), g.mae(), g.r2(), g.perStepNote(),
                            (t1 - t0) / 1e9);
                }
            }
            FoldResult fr = new FoldResult(fold, f.trainRows(), f.validationRows(), r.epochsRun(), (t1 - t0) / 1e9, m,
                    t0, t1);
            f.unpersist();
            return fr;
        });
        out.println();
        out.print(Summary.table(method, results));
        byte[] json = (withProvenance(Summary.json(method, results), provenance, spec.text()) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        AtomicWrite.write(sc.hadoopConfiguration(), outDir + "/metrics.json", o -> o.write(json));
        if (a.has("metrics-out")) {
            AtomicWrite.write(sc.hadoopConfiguration(), a.get("metrics-out", ""), o -> o.write(json));
        }
        byte[] page = RunReport.html(sc.hadoopConfiguration(), outDir).getBytes(StandardCharsets.UTF_8);
        AtomicWrite.write(sc.hadoopConfiguration(), outDir + "/" + RunReport.FILE, o -> o.write(page));
        out.println("summary and report written to " + outDir + " (metrics.json, metrics.jsonl, " + RunReport.FILE
                + ")");
        lastResults = new ArrayList<>(results);
        return 0;
    }

    /**
     * What decides what an evaluate run learns, under the keys a train run's model file uses
     * ({@link RunProvenance}), and the method's own: method, folds or bootstrap rounds, validation fraction, epochs.
     */
    static Map<String, String> provenance(RunFlags flags, RunOptions run, JavaSparkContext sc, String method,
                                          int folds, int rounds, double validation) {
        Map<String, String> p = RunProvenance.of(flags, run, sc);
        p.put("method", method);
        switch (method) {
            case "kfold" -> p.put("folds", Integer.toString(folds));
            case "bootstrap" -> p.put("rounds", Integer.toString(rounds));
            default -> p.put("validation", Double.toString(validation));
        }
        p.put("epochs", Integer.toString(run.config().epochs()));
        p.put("created", java.time.Instant.now().toString());
        return p;
    }

    /** {@code summary} (a JSON object) with {@code provenance} and the spec's text ({@code spec}) added. */
    static String withProvenance(String summary, Map<String, String> provenance, String specText)
            throws java.io.IOException {
        ObjectNode json = (ObjectNode) JSON.readTree(summary);
        ObjectNode p = json.putObject("provenance");
        provenance.forEach(p::put);
        json.put("spec", specText);
        return JSON.writeValueAsString(json);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * {@code argv} with {@code flag}'s value made explicit: a flag given last or followed by another flag gets an
     * empty value (its default), so it may be written alone ({@code --learning-curve}) or with one.
     */
    static String[] optionalValue(String[] argv, String flag) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            out.add(argv[i]);
            if (argv[i].equals(flag) && (i + 1 == argv.length || argv[i + 1].startsWith("--"))) {
                out.add("");
            }
        }
        return out.toArray(new String[0]);
    }

    /**
     * Spark's FAIR scheduler allocation file naming the pool of each fold ({@code fold-1 .. fold-runs}, as
     * {@code ParallelFolds} names them), each FIFO inside (a fold runs its jobs one after the other) with weight 1 and no minimum share: what Spark gives a pool it
     * does not know, without its warning for every fold. A temporary file, deleted when the JVM exits.
     */
    static String poolFile(int runs) throws java.io.IOException {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("sparktrain-pools-", ".xml");
        file.toFile().deleteOnExit();
        java.nio.file.Files.writeString(file, pools(runs));
        return file.toUri().toString();
    }

    static String pools(int runs) {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\"?>\n<allocations>\n");
        for (int f = 1; f <= runs; f++) {
            b.append("  <pool name=\"fold-").append(f).append("\"><schedulingMode>FIFO</schedulingMode>")
                    .append("<weight>1</weight><minShare>0</minShare></pool>\n");
        }
        return b.append("</allocations>\n").toString();
    }

    /** The last run's results (for tests in this JVM). */
    static volatile List<FoldResult> lastResults;
}
