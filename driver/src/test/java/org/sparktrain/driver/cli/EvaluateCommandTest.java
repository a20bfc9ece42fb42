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
}
