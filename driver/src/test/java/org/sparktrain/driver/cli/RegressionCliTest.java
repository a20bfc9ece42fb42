package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.engine.io.FittedScaler;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;

/**
 * Regression through the command line (docs/architecture.md, "Regression"): a known answer y = f(x) + N(0, σ²),
 * the target scaler in the model file, predictions in the targets' units, refusals and located bad targets.
 */
class RegressionCliTest {
    static final double SIGMA = 2.0;

    static final String SPEC = """
            name: reg-mlp
            input: [3]
            outputs: 1
            layers:
              - {type: dense, units: 16, activation: tanh}
              - {type: dense, units: 1}
            loss: mse
            optimizer: {type: adam, lr: 0.01}
            training: {batch_size: 64, epochs: 40, seed: 11, early_stopping: {patience: 8, metric: loss}}
            """;

    /** f(x) = 50 + 8·x1 − 5·x2 + 3·tanh(2·x3): in units far from 1, so a missing inversion shows. */
    static double f(double x1, double x2, double x3) {
        return 50 + 8 * x1 - 5 * x2 + 3 * Math.tanh(2 * x3);
    }

    /** {@code n} rows "x1,x2,y,x3" (the target between features) with Gaussian noise of SIGMA. */
    static void writeCsv(Path file, int n, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder("x1,x2,y,x3\n");
        for (int i = 0; i < n; i++) {
            double x1 = r.nextGaussian();
            double x2 = r.nextGaussian();
            double x3 = r.nextGaussian();
            double y = f(x1, x2, x3) + SIGMA * r.nextGaussian();
            sb.append((float) x1).append(',').append((float) x2).append(',').append((float) y).append(',')
                    .append((float) x3).append('\n');
        }
        Files.writeString(file, sb.toString());
    }

    @Test
    void learnsAKnownAnswerAndScoresInTheTargetsUnits(@TempDir Path dir) throws Exception {
        Path train = dir.resolve("train.csv");
        Path test = dir.resolve("test.csv");
        writeCsv(train, 2000, 1);
        writeCsv(test, 1000, 2);
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, SPEC);
        Path out = dir.resolve("run");
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", train.toString(),
                "--test", test.toString(), "--label-col", "y", "--scale", "zscore", "--validation", "0.2",
                "--workers", "2", "--transport", "job", "--averaging-frequency", "5", "--out", out.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("val_rmse"), r.out());
        JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        double rmse = metrics.get("rmse").asDouble();
        // the noise alone gives SIGMA; the bar is 1.1 σ
        assertTrue(rmse <= 1.1 * SIGMA, "test RMSE " + rmse + " > 1.1 σ = " + 1.1 * SIGMA + "\n" + r.out());
        assertTrue(metrics.get("r2").asDouble() > 0.9, metrics.toString());
        assertEquals(1000, metrics.get("count").asInt());
        String lastEpoch = Files.readAllLines(out.resolve("metrics.jsonl")).get(0);
        assertTrue(lastEpoch.contains("\"val_rmse\"") && lastEpoch.contains("\"val_r2\""), lastEpoch);
        assertTrue(Files.readString(out.resolve("report.html")).contains("rmse"), "the report shows RMSE");

        // the target scaler was fitted on the training part and is in the model file
        ModelContents m = ModelFile.load(out.resolve("model.sptr"));
        FittedScaler ts = m.targetScaler().orElseThrow();
        assertEquals(FittedScaler.Kind.ZSCORE, ts.kind());
        assertTrue(Math.abs(ts.shift()[0] - 50) < 2, "target mean " + ts.shift()[0]);
        assertEquals(3, m.scaler().orElseThrow().featureCount(), "the feature scaler covers the features only");
        assertEquals("y", m.provenance().get("targets"));

        // score: the target as read and the prediction, both in the data's units
        Path scored = dir.resolve("scored");
        MainTest.Result s = MainTest.run("score", "--model-file", out.resolve("model.sptr").toString(), "--data",
                test.toString(), "--out", scored.toString(), "--format", "csv");
        assertEquals(0, s.status(), s.err() + s.out());
        assertTrue(s.out().contains("rmse"), s.out());
        double sq = 0;
        int rows = 0;
        try (Stream<Path> parts = Files.list(scored)) {
            for (Path p : parts.filter(p -> p.toString().endsWith(".csv")).toList()) {
                List<String> lines = Files.readAllLines(p);
                assertEquals("row_id,y,prediction", lines.get(0));
                for (String line : lines.subList(1, lines.size())) {
                    String[] c = line.split(",");
                    double d = Double.parseDouble(c[2]) - Double.parseDouble(c[1]);
                    sq += d * d;
                    rows++;
                }
            }
        }
        assertEquals(1000, rows);
        assertEquals(rmse, Math.sqrt(sq / rows), 1e-3 * rmse, "score's predictions are train's test predictions");
    }

    @Test
    void twoTargetsGiveOnePredictionColumnEach(@TempDir Path dir) throws Exception {
        SplittableRandom r = new SplittableRandom(5);
        StringBuilder sb = new StringBuilder("a,b,y1,y2\n");
        for (int i = 0; i < 300; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            sb.append((float) a).append(',').append((float) b).append(',').append((float) (a + b)).append(',')
                    .append((float) (1000 + 10 * (a - b) + r.nextGaussian())).append('\n');
        }
        Path data = dir.resolve("two.csv");
        Files.writeString(data, sb.toString());
        Path spec = dir.resolve("two.yaml");
        Files.writeString(spec, SPEC.replace("input: [3]", "input: [2]").replace("outputs: 1", "outputs: 2")
                .replace("units: 1}", "units: 2}").replace("loss: mse", "loss: {type: huber, delta: 1.0}")
                .replace("epochs: 40", "epochs: 3").replace(", early_stopping: {patience: 8, metric: loss}", ""));
        Path out = dir.resolve("run");
        MainTest.Result t = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                "--label-cols", "y1,y2", "--scale-target", "minmax", "--workers", "2", "--transport", "job",
                "--out", out.toString());
        assertEquals(0, t.status(), t.err() + t.out());
        JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(2, metrics.get("per_output").size(), metrics.toString());
        FittedScaler ts = ModelFile.load(out.resolve("model.sptr")).targetScaler().orElseThrow();
        assertEquals(FittedScaler.Kind.MINMAX, ts.kind());
        assertEquals(2, ts.featureCount());
        Path scored = dir.resolve("scored");
        MainTest.Result s = MainTest.run("score", "--model-file", out.resolve("model.sptr").toString(), "--data",
                data.toString(), "--out", scored.toString(), "--format", "csv");
        assertEquals(0, s.status(), s.err() + s.out());
        try (Stream<Path> parts = Files.list(scored)) {
            Path p = parts.filter(x -> x.toString().endsWith(".csv")).findFirst().orElseThrow();
            assertEquals("row_id,y1,y2,prediction_0,prediction_1", Files.readAllLines(p).get(0));
        }
    }

    @Test
    void aBadTargetIsNamedByFileLineAndColumn(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, SPEC);
        for (String bad : new String[] {"abc", "", "NaN"}) {
            Path data = dir.resolve("bad.csv");
            Files.writeString(data, "x1,x2,y,x3\n1,2,3,4\n1,2," + bad + ",4\n1,2,3,4\n");
            Path out = dir.resolve("o");
            MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                    "--label-col", "y", "--out", out.toString());
            assertEquals(1, r.status(), r.out());
            assertTrue(r.err().contains("bad.csv, line 3") && r.err().contains("target column 'y'"), r.err());
            assertFalse(Files.exists(out.resolve("model.sptr")));
        }
    }

    @Test
    void classBalancingFlagsAndMismatchedTargetsAreRefusedBeforeSparkStarts(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, SPEC);
        Path data = dir.resolve("d.csv");
        Files.writeString(data, "x1,x2,y,x3\n1,2,3,4\n");
        String[][] cases = {{"--resample", "up"}, {"--class-weight", "balanced"}, {"--label-cols", "y,x3"}};
        String[] expect = {"--resample", "--class-weight", "outputs: 1"};
        for (int i = 0; i < cases.length; i++) {
            MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                    cases[i][0], cases[i][1], "--out", dir.resolve("o").toString());
            assertEquals(2, r.status(), r.out() + r.err());
            assertTrue(r.err().contains(expect[i]) && r.err().contains("spec.yaml"), r.err());
            assertFalse(r.out().contains("starting Spark"), r.out());
        }
        Path classifier = dir.resolve("cls.yaml");
        Files.writeString(classifier, CsvTrainingTest.SPEC);
        MainTest.Result r = MainTest.run("train", "--model", classifier.toString(), "--data", data.toString(),
                "--scale-target", "zscore", "--out", dir.resolve("o").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--scale-target is for regression"), r.err());
    }

    @Test
    void evaluateKFoldReportsRegressionMetricsPerFold(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("d.csv");
        writeCsv(data, 300, 3);
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, SPEC.replace("epochs: 40", "epochs: 2"));
        Path out = dir.resolve("cv");
        MainTest.Result r = MainTest.run("evaluate", "--method", "kfold", "--folds", "3", "--model", spec.toString(),
                "--data", data.toString(), "--label-col", "y", "--workers", "1", "--transport", "job",
                "--out", out.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("validation rmse") && r.out().contains("r2"), r.out());
        JsonNode summary = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(3, summary.get("folds").size());
        assertTrue(summary.has("rmse") && summary.has("r2_sd"), summary.toString());
        for (JsonNode f : summary.get("folds")) {
            assertEquals(100, f.get("validation_rows").asInt(), "stratified folds of 300 rows: 100 each");
        }
        assertTrue(Files.readString(out.resolve("report.html")).contains("<th>rmse</th>"), "the report shows RMSE per fold");
    }
}
