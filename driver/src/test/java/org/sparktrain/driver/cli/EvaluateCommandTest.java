package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.TestSpark;
import org.sparktrain.driver.eval.FoldResult;

/** k-fold cross-validation: k distinct results, folds trained as overlapping Spark jobs, mean ± sd. */
class EvaluateCommandTest {

    @Test
    void kFoldRunsFoldsConcurrentlyAndReportsEveryFold(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 240, 4, 3, 11);
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, MainTest.SPEC);
        // job intervals per fold, from a listener on the shared context
        Map<Integer, String> groupOfJob = new ConcurrentHashMap<>();
        Map<String, long[]> span = new ConcurrentHashMap<>();
        SparkListener listener = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart s) {
                String g = s.properties() == null ? null : s.properties().getProperty("spark.jobGroup.id");
                if (g != null && g.contains("-fold-")) {
                    groupOfJob.put(s.jobId(), g);
                    span.merge(g, new long[] {s.time(), s.time()}, (x, y) -> new long[] {Math.min(x[0], y[0]),
                        Math.max(x[1], y[1])});
                }
            }

            @Override
            public void onJobEnd(SparkListenerJobEnd e) {
                String g = groupOfJob.get(e.jobId());
                if (g != null) {
                    span.merge(g, new long[] {e.time(), e.time()}, (x, y) -> new long[] {Math.min(x[0], y[0]),
                        Math.max(x[1], y[1])});
                }
            }
        };
        TestSpark.session().sparkContext().addSparkListener(listener);
        Path metrics = dir.resolve("cv.json");
        MainTest.Result r;
        try {
            r = MainTest.run("evaluate", "--out", dir.resolve("eval1").toString(),
                    "--model", spec.toString(), "--data", data.toString(), "--method", "kfold",
                    "--folds", "3", "--parallel-folds", "2", "--workers", "2", "--epochs", "2",
                    "--metrics-out", metrics.toString());
        } finally {
            TestSpark.session().sparkContext().removeSparkListener(listener);
        }
        assertEquals(0, r.status(), r.err());
        List<FoldResult> folds = EvaluateCommand.lastResults;
        assertEquals(3, folds.size());
        long validated = folds.stream().mapToLong(FoldResult::validationRows).sum();
        assertEquals(240, validated); // every row validates exactly once
        assertTrue(folds.stream().map(f -> f.metrics().loss()).distinct().count() == 3, "three distinct results");
        String json = Files.readString(metrics);
        assertTrue(json.contains("\"accuracy\"") && json.contains("\"accuracy_sd\"") && json.contains("\"folds\""), json);
        assertTrue(r.out().contains("accuracy") && r.out().contains("±"), r.out());
        // the run directory: the same summary, and a report with the spread and one row per fold
        assertEquals(json, Files.readString(dir.resolve("eval1").resolve("metrics.json")));
        String html = Files.readString(dir.resolve("eval1").resolve("report.html"));
        assertTrue(html.contains("id=\"spread\"") && html.contains("src=\"data:image/png;base64,")
                && html.contains("id=\"confusion\""), "spread chart and summed confusion matrix");
        assertEquals(3, html.split("<tr><td>", -1).length - 1, "one row per fold");
        // metrics.jsonl: every fold's epochs, numbered; the report draws them on one chart per metric
        com.fasterxml.jackson.databind.ObjectMapper om = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> lines = Files.readAllLines(dir.resolve("eval1").resolve("metrics.jsonl"));
        assertEquals(6, lines.size(), "3 folds x 2 epochs: " + lines);
        for (int i = 0; i < 6; i++) {
            var n = om.readTree(lines.get(i));
            assertEquals(i / 2 + 1, n.path("fold").asInt(), lines.get(i));
            assertEquals(i % 2 + 1, n.path("epoch").asInt(), lines.get(i));
            assertTrue(n.has("loss") && n.has("val_loss") && n.has("val_acc"), lines.get(i));
        }
        // the last epoch's validation accuracy of each fold is the fold's final metric (no early stopping)
        for (FoldResult f : folds) {
            var last = om.readTree(lines.get(f.fold() * 2 + 1));
            assertEquals(((org.sparktrain.engine.metrics.ClassificationMetrics) f.metrics()).accuracy(), last.path("val_acc").asDouble(), 1e-12, last.toString());
        }
        assertTrue(html.contains("id=\"curves\""), "the folds' curves");
        assertEquals(3, html.split("src=\"data:image/png;base64,", -1).length - 1,
                "loss and validation accuracy of every fold, and the spread");
        // folds 1 and 2 ran at once: their jobs' time spans overlap
        long[] a = null;
        long[] b = null;
        for (Map.Entry<String, long[]> e : span.entrySet()) {
            if (e.getKey().endsWith("-fold-1")) {
                a = e.getValue();
            } else if (e.getKey().endsWith("-fold-2")) {
                b = e.getValue();
            }
        }
        assertTrue(a != null && b != null, "jobs of folds 1 and 2 were seen: " + span.keySet());
        assertTrue(a[0] < b[1] && b[0] < a[1], "fold 1 [" + a[0] + "," + a[1] + "] and fold 2 [" + b[0] + "," + b[1]
                + "] should overlap");
    }

    @Test
    void badMethodIsAUsageError() {
        MainTest.Result r = MainTest.run("evaluate", "--model", "x.yaml", "--data", "d", "--method", "loo");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--method must be holdout, kfold or bootstrap"), r.err());
    }

    @Test
    void parallelFoldsDecideConcurrencyNotWhatAFoldLearns(@TempDir Path dir) throws Exception {
        // docs/architecture.md, "The global minibatch": every fold trains with the run's workers whatever
        // --parallel-folds is, so one at a time and two at once give the same per-fold results, bit for bit
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 180, 4, 3, 12);
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, MainTest.SPEC);
        double[][] loss = new double[2][];
        for (int p = 1; p <= 2; p++) {
            MainTest.Result r = MainTest.run("evaluate", "--out", dir.resolve("eval2").toString(),
                    "--model", spec.toString(), "--data", data.toString(),
                    "--method", "kfold", "--folds", "3", "--parallel-folds", Integer.toString(p), "--workers", "2",
                    "--epochs", "2");
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("2 worker(s) each"), r.out());
            loss[p - 1] = EvaluateCommand.lastResults.stream().sorted(java.util.Comparator.comparingInt(
                    FoldResult::fold)).mapToDouble(f -> f.metrics().loss()).toArray();
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(loss[0], loss[1]);
    }

    @Test
    void learningCurveOnACsvHasAPointPerFractionAndAReading(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("train.csv");
        CsvTrainingTest.writeCsv(data, 300, 5);
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, CsvTrainingTest.SPEC);
        Path out = dir.resolve("curve");
        MainTest.Result r = MainTest.run("evaluate", "--model", spec.toString(), "--data", data.toString(),
                "--label-col", "target", "--learning-curve", "0.25,0.5,1", "--epochs", "2", "--workers", "2",
                "--parallel-folds", "1", "--out", out.toString(), "--metrics-out", dir.resolve("lc.json").toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertEquals(Files.readString(out.resolve("metrics.json")), Files.readString(dir.resolve("lc.json")));
        List<org.sparktrain.driver.eval.LearningCurve.Point> curve = LearningCurveRun.lastCurve;
        assertEquals(3, curve.size(), "one point per fraction");
        assertTrue(curve.get(0).trainRows() < curve.get(1).trainRows()
                && curve.get(1).trainRows() < curve.get(2).trainRows(), "growing sizes");
        // 30% validates (90 rows), the rest trains: 210 at 100%, a quarter and a half of it (per class, rounded)
        assertEquals(210, curve.get(2).trainRows());
        assertEquals(105, curve.get(1).trainRows(), 1);
        assertEquals(52, curve.get(0).trainRows(), 2);
        var reading = org.sparktrain.driver.eval.LearningCurve.read(curve);
        assertTrue(r.out().contains(reading.text()), "the reading printed is the curve's: " + r.out());
        com.fasterxml.jackson.databind.ObjectMapper om = new com.fasterxml.jackson.databind.ObjectMapper();
        var json = om.readTree(Files.readString(out.resolve("metrics.json")));
        assertEquals(3, json.path("points").size());
        assertEquals(90, json.path("validation_rows").asLong());
        assertEquals(reading.kind().name().toLowerCase(java.util.Locale.ROOT), json.path("reading").path("kind")
                .asText());
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(6, lines.size(), "3 sizes x 2 epochs");
        assertEquals(0.25, om.readTree(lines.get(0)).path("fraction").asDouble());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("id=\"learning-curve\"") && html.contains("id=\"reading\"")
                && html.contains(reading.kind().words), "the curve and its reading");
        assertEquals(3, html.split("src=\"data:image/png;base64,", -1).length - 1, "error, loss and epochs charts");
        assertTrue(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"),
                "self-contained");

        MainTest.Result wrong = MainTest.run("evaluate", "--model", spec.toString(), "--data", data.toString(),
                "--learning-curve", "0.5,2", "--out", dir.resolve("x").toString());
        assertEquals(2, wrong.status());
        assertTrue(wrong.err().contains("(0, 1]"), wrong.err());
        wrong = MainTest.run("evaluate", "--model", spec.toString(), "--data", data.toString(), "--learning-curve",
                "--method", "kfold");
        assertEquals(2, wrong.status());
        assertTrue(wrong.err().contains("does not go with --method kfold"), wrong.err());
    }

    @Test
    void learningCurveSubsetsAreNestedAndValidateOnTheSameRows(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("train.csv");
        CsvTrainingTest.writeCsv(data, 300, 6);
        org.sparktrain.engine.spec.ModelSpec spec = org.sparktrain.engine.spec.ModelSpec.parse(CsvTrainingTest.SPEC,
                "spec");
        org.sparktrain.driver.train.RunOptions run = org.sparktrain.driver.train.RunOptions.of(spec).withWorkers(2);
        org.sparktrain.partitioning.LabeledData rows = DataSources.read(TestSpark.session(), data.toString(), "train",
                new DataSources.Options(2, spec.input(), "target", false));
        java.util.Set<Long> previous = java.util.Set.of();
        java.util.Set<Long> validation = null;
        for (double f : new double[] {0.1, 0.25, 0.5, 1.0}) {
            org.sparktrain.partitioning.PreparedFold fold = LearningCurveRun.subset(run, rows, f, 0.3, 2, 7);
            java.util.Set<Long> train = ids(fold.trainBlocks());
            java.util.Set<Long> val = ids(fold.testBlocks());
            assertEquals(fold.trainRows(), train.size());
            assertTrue(train.containsAll(previous), "fraction " + f + " holds every row of the smaller subset");
            assertTrue(train.size() > previous.size(), "fraction " + f + " adds rows");
            if (validation != null) {
                assertEquals(validation, val, "the same validation rows at fraction " + f);
            }
            java.util.Set<Long> overlap = new java.util.HashSet<>(train);
            overlap.retainAll(val);
            assertTrue(overlap.isEmpty(), "no validation row trains");
            validation = val;
            previous = train;
            fold.unpersist();
        }
        assertEquals(300 - validation.size(), previous.size(), "at 1.0 every row but the validation rows trains");
    }

    private static java.util.Set<Long> ids(org.apache.spark.api.java.JavaRDD<org.sparktrain.partitioning.Block> b) {
        java.util.Set<Long> s = new java.util.HashSet<>();
        for (org.sparktrain.partitioning.Block x : b.collect()) {
            for (int i = 0; i < x.size; i++) {
                s.add(x.ids[i]);
            }
        }
        return s;
    }
}
