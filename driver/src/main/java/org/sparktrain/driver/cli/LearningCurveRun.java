package org.sparktrain.driver.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.eval.DistributedEvaluation;
import org.sparktrain.driver.eval.LearningCurve;
import org.sparktrain.driver.eval.ParallelFolds;
import org.sparktrain.driver.report.RunReport;
import org.sparktrain.driver.train.AtomicWrite;
import org.sparktrain.driver.train.DistributedTraining;
import org.sparktrain.driver.train.RunOptions;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.metrics.ClassificationMetrics;
import org.sparktrain.partitioning.LabeledData;
import org.sparktrain.partitioning.PreparedFold;
import org.sparktrain.partitioning.SplitSpec;

/**
 * {@code evaluate --learning-curve}: one model per fraction of the training part, on nested subsets, all validated
 * on the same rows (docs/architecture.md, "Learning curves"); the points, the bias/variance reading
 * ({@link LearningCurve#read}) and the run directory (metrics.json, metrics.jsonl, report.html).
 */
final class LearningCurveRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LearningCurveRun() {
    }

    /**
     * The data of the point at {@code fraction}: a stratified {@code validation} share of {@code rows} held out first
     * (the same rows at every fraction: same seed, same ranks), then {@code fraction} of the rest, taken from the top
     * of the same seeded per-class ranking, trains, so a smaller fraction's training rows are a subset of a larger
     * one's. The validation rows are the fold's {@link PreparedFold#testBlocks()}; its validation blocks are the
     * training part's rows this fraction leaves out, not used.
     */
    static PreparedFold subset(RunOptions run, LabeledData rows, double fraction, double validation, int workers,
                               long seed) {
        SplitSpec split = fraction < 1 ? SplitSpec.holdout(1 - fraction) : SplitSpec.none();
        return run.pipeline(split, workers, seed).testHoldout(validation).prepare(rows).fold(0);
    }

    static int run(JavaSparkContext sc, RunOptions run, LabeledData rows, List<Double> fractions, double validation,
                   int workers, int parallel, String outDir, String metricsOut, String dataPath, Map<String, String> provenance,
                   PrintStream out)
            throws Exception {
        long seed = run.config().seed();
        FoldEpochLog epochLog = new FoldEpochLog(sc.hadoopConfiguration(), outDir + "/metrics.jsonl");
        long[] validationRows = new long[1];
        List<ObjectNode> points = ParallelFolds.run(sc, run.name(), fractions.size(), parallel, i -> {
            double fraction = fractions.get(i);
            long t0 = System.nanoTime();
            PreparedFold f = subset(run, rows, fraction, validation, workers, seed);
            DistributedTraining.Validator val = n -> DistributedEvaluation.evaluate(sc, n, f.testBlocks());
            DistributedTraining.Options watch = DistributedTraining.Options.quiet().validation(val)
                    .listening(epochLog.run(i, Map.of("fraction", fraction, "train_rows", f.trainRows())));
            DistributedTraining.Trained trained = DistributedTraining.train(sc,
                    run.withName(run.name() + " size " + (i + 1)), f, watch);
            Network net = trained.network();
            // classifiers only (EvaluateCommand refuses a regression spec's learning curve)
            ClassificationMetrics vm = (ClassificationMetrics) val.evaluate(net);
            ClassificationMetrics tm = (ClassificationMetrics) DistributedEvaluation.evaluate(sc, net, f.trainBlocks(1));
            double secs = (System.nanoTime() - t0) / 1e9;
            synchronized (out) {
                out.printf(Locale.ROOT, "size %d/%d: %d training rows (%s), training accuracy %.4f, validation"
                                + " accuracy %.4f (%.1fs)%n", i + 1, fractions.size(), f.trainRows(),
                        LearningCurve.percentOf(fraction), tm.accuracy(), vm.accuracy(), secs);
            }
            synchronized (validationRows) {
                validationRows[0] = f.testRows();
            }
            ObjectNode p = JSON.createObjectNode();
            p.put("fraction", fraction);
            p.put("train_rows", f.trainRows());
            p.put("train_loss", tm.logLoss());
            p.put("train_acc", tm.accuracy());
            p.put("val_loss", vm.logLoss());
            p.put("val_acc", vm.accuracy());
            p.put("epochs", trained.result().epochsRun());
            p.put("seconds", secs);
            f.unpersist();
            return p;
        });
        List<LearningCurve.Point> curve = new ArrayList<>();
        for (ObjectNode p : points) {
            curve.add(new LearningCurve.Point(p.path("fraction").asDouble(), p.path("train_rows").asLong(),
                    p.path("train_loss").asDouble(), p.path("train_acc").asDouble(), p.path("val_loss").asDouble(),
                    p.path("val_acc").asDouble()));
        }
        LearningCurve.Reading reading = LearningCurve.read(curve);
        out.println();
        out.print(table(curve, validation, validationRows[0]));
        out.println(reading.text());

        ObjectNode json = JSON.createObjectNode();
        json.put("method", "learning-curve");
        json.put("data", dataPath);
        json.put("validation_fraction", validation);
        json.put("validation_rows", validationRows[0]);
        json.put("seed", seed);
        json.put("high_error", LearningCurve.HIGH_ERROR);
        json.put("large_gap", LearningCurve.LARGE_GAP);
        ArrayNode arr = json.putArray("points");
        points.forEach(arr::add);
        ObjectNode r = json.putObject("reading");
        r.put("kind", reading.kind().name().toLowerCase(Locale.ROOT));
        r.put("words", reading.kind().words);
        r.put("text", reading.text());
        ObjectNode prov = json.putObject("provenance");
        provenance.forEach(prov::put);
        json.put("spec", run.spec().text());
        byte[] bytes = (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        AtomicWrite.write(sc.hadoopConfiguration(), outDir + "/metrics.json", o -> o.write(bytes));
        if (metricsOut != null) {
            AtomicWrite.write(sc.hadoopConfiguration(), metricsOut, o -> o.write(bytes));
        }
        byte[] page = RunReport.html(sc.hadoopConfiguration(), outDir).getBytes(StandardCharsets.UTF_8);
        AtomicWrite.write(sc.hadoopConfiguration(), outDir + "/" + RunReport.FILE, o -> o.write(page));
        out.println("learning curve and report written to " + outDir + " (metrics.json, metrics.jsonl, "
                + RunReport.FILE + ")");
        lastCurve = curve;
        return 0;
    }

    static String table(List<LearningCurve.Point> curve, double validation, long validationRows) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "learning curve, validated on %d rows (%s of"
                + " the data)%n", validationRows, LearningCurve.percentOf(validation)));
        sb.append(String.format(Locale.ROOT, "%9s %10s %10s %9s %9s %9s %9s%n", "fraction", "train rows", "train loss",
                "train err", "val loss", "val err", "gap"));
        for (LearningCurve.Point p : curve) {
            sb.append(String.format(Locale.ROOT, "%9s %10d %10.4f %9.4f %9.4f %9.4f %9.4f%n",
                    LearningCurve.percentOf(p.fraction()), p.trainRows(), p.trainLoss(), p.trainError(), p.valLoss(),
                    p.valError(), p.gap()));
        }
        return sb.toString();
    }

    /** The last curve computed in this JVM (for tests). */
    static volatile List<LearningCurve.Point> lastCurve;
}
