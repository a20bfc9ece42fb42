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
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;

/**
 * Multi-label classification through the command line (docs/architecture.md, "Multi-label"): three yes/no labels,
 * each a threshold of a different feature (a learnable answer), the threshold in the model file, score's per-label
 * probability and decision columns, refusals and located bad label values.
 */
class MultiLabelCliTest {

    static final String SPEC = """
            name: tags
            input: [3]
            labels: 3
            layers:
              - {type: dense, units: 16, activation: tanh}
              - {type: dense, units: 3, activation: sigmoid}
            loss: sigmoid_binary_cross_entropy
            optimizer: {type: adam, lr: 0.02}
            training: {batch_size: 32, epochs: 12, seed: 7}
            """;

    /** {@code n} rows "x1,a,x2,b,x3,c" (labels between features): a = x1 > 0, b = x2 > 0.5, c = x3 < -0.3. */
    static void writeCsv(Path file, int n, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder("x1,a,x2,b,x3,c\n");
        for (int i = 0; i < n; i++) {
            double x1 = r.nextGaussian();
            double x2 = r.nextGaussian();
            double x3 = r.nextGaussian();
            sb.append((float) x1).append(',').append(x1 > 0 ? 1 : 0).append(',').append((float) x2).append(',')
                    .append(x2 > 0.5 ? 1 : 0).append(',').append((float) x3).append(',').append(x3 < -0.3 ? 1 : 0)
                    .append('\n');
        }
        Files.writeString(file, sb.toString());
    }

    @Test
    void learnsThreeThresholdLabelsAndScoresOneProbabilityAndDecisionPerLabel(@TempDir Path dir) throws Exception {
        Path train = dir.resolve("train.csv");
        Path test = dir.resolve("test.csv");
        writeCsv(train, 2000, 1);
        writeCsv(test, 600, 2);
        Path spec = dir.resolve("tags.yaml");
        Files.writeString(spec, SPEC);
        Path out = dir.resolve("run");
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", train.toString(),
                "--test", test.toString(), "--label-cols", "a,b,c", "--threshold", "0.4", "--scale", "zscore",
                "--validation", "0.2", "--workers", "2", "--transport", "job", "--out", out.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("val_micro_f1"), r.out());
        assertTrue(r.out().contains("test micro F1") && r.out().contains("       b "), "labels named: " + r.out());
        JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        double micro = metrics.get("micro_f1").asDouble();
        assertTrue(micro > 0.9, "test micro F1 " + micro + "\n" + r.out());
        assertEquals(600, metrics.get("count").asInt());
        assertEquals(3, metrics.get("per_label").size());
        assertTrue(metrics.get("hamming_loss").asDouble() < 0.1, metrics.toString());
        assertTrue(metrics.get("loss").isNumber(), metrics.toString());
        String epoch = Files.readAllLines(out.resolve("metrics.jsonl")).get(0);
        assertTrue(epoch.contains("\"val_loss\"") && epoch.contains("\"val_micro_f1\""), epoch);

        String report = Files.readString(out.resolve("report.html"));
        assertTrue(report.contains("Test set, per label") && report.contains("<td>b</td>")
                && report.contains("micro F1 against epochs"), "the report: a per-label table and the micro F1 curve");

        ModelContents m = ModelFile.load(out.resolve("model.sptr"));
        assertEquals("a,b,c", m.provenance().get("labels"));
        assertEquals("0.4", m.provenance().get("threshold"));
        assertTrue(m.targetScaler().isEmpty(), "0/1 labels are never scaled");

        // score decides at the model's threshold, one probability and one decision per label
        Path scored = dir.resolve("scored");
        MainTest.Result s = MainTest.run("score", "--model-file", out.resolve("model.sptr").toString(), "--data",
                test.toString(), "--out", scored.toString(), "--format", "csv");
        assertEquals(0, s.status(), s.err() + s.out());
        assertTrue(s.out().contains("threshold 0.4"), s.out());
        int rows = 0;
        int tp = 0;
        int wrong = 0;
        try (Stream<Path> parts = Files.list(scored)) {
            for (Path p : parts.filter(x -> x.toString().endsWith(".csv")).toList()) {
                List<String> lines = Files.readAllLines(p);
                assertEquals("row_id,a,b,c,prob_a,prob_b,prob_c,pred_a,pred_b,pred_c", lines.get(0));
                for (String line : lines.subList(1, lines.size())) {
                    String[] c = line.split(",");
                    for (int j = 0; j < 3; j++) {
                        int truth = Integer.parseInt(c[1 + j]);
                        int pred = Integer.parseInt(c[7 + j]);
                        assertEquals(Float.parseFloat(c[4 + j]) >= 0.4f ? 1 : 0, pred, line);
                        tp += truth == 1 && pred == 1 ? 1 : 0;
                        wrong += truth != pred ? 1 : 0;
                    }
                    rows++;
                }
            }
        }
        assertEquals(600, rows);
        double scoredMicro = 2.0 * tp / (2.0 * tp + wrong);
        assertEquals(micro, scoredMicro, 1e-3, "score's decisions are train's test decisions");

        // unlabelled rows: the label names come from the model file
        Path features = dir.resolve("features.csv");
        Files.writeString(features, "x1,x2,x3\n1.5,2.0,-1.0\n-1.5,-2.0,1.0\n");
        Path scored2 = dir.resolve("scored2");
        MainTest.Result u = MainTest.run("score", "--model-file", out.resolve("model.sptr").toString(), "--data",
                features.toString(), "--no-labels", "--threshold", "0.5", "--out", scored2.toString(), "--format",
                "csv");
        assertEquals(0, u.status(), u.err() + u.out());
        try (Stream<Path> parts = Files.list(scored2)) {
            List<String> lines = new java.util.ArrayList<>();
            for (Path p : parts.filter(x -> x.toString().endsWith(".csv")).sorted().toList()) {
                List<String> l = Files.readAllLines(p);
                assertEquals("row_id,prob_a,prob_b,prob_c,pred_a,pred_b,pred_c", l.get(0));
                lines.addAll(l.subList(1, l.size()));
            }
            lines.sort(null);
            assertEquals(List.of("1", "1", "1"), List.of(lines.get(0).split(",")).subList(4, 7), lines.get(0));
            assertEquals(List.of("0", "0", "0"), List.of(lines.get(1).split(",")).subList(4, 7), lines.get(1));
        }
    }

    @Test
    void aLabelOtherThanZeroOrOneIsNamedByFileLineAndColumn(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("tags.yaml");
        Files.writeString(spec, SPEC);
        for (String bad : new String[] {"2", "0.5", "-1"}) {
            Path data = dir.resolve("bad.csv");
            Files.writeString(data, "x1,a,x2,b,x3,c\n1,0,2,1,3,0\n1,1,2," + bad + ",3,0\n1,0,2,1,3,1\n");
            Path out = dir.resolve("o");
            MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                    "--label-cols", "a,b,c", "--test-fraction", "0", "--out", out.toString());
            assertEquals(1, r.status(), r.out());
            assertTrue(r.err().contains("bad.csv, line 3") && r.err().contains("label column 'b'")
                    && r.err().contains("0 (no) or 1 (yes)"), r.err());
            assertFalse(Files.exists(out.resolve("model.sptr")));
        }
    }

    @Test
    void flagsThatDoNotFitAMultiLabelSpecAreRefusedBeforeSparkStarts(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("tags.yaml");
        Files.writeString(spec, SPEC);
        Path data = dir.resolve("d.csv");
        Files.writeString(data, "x1,a,x2,b,x3,c\n1,0,2,1,3,0\n");
        String[][] cases = {{"--resample", "up"}, {"--class-weight", "balanced"}, {"--scale-target", "zscore"},
            {"--threshold", "1.5"}, {"--label-cols", "a,b"}};
        String[] expect = {"--resample", "--class-weight", "--scale-target", "--threshold", "labels: 3"};
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new java.util.ArrayList<>(List.of("train", "--model", spec.toString(), "--data",
                    data.toString(), cases[i][0], cases[i][1], "--out", dir.resolve("o").toString()));
            if (!cases[i][0].equals("--label-cols")) {
                args.addAll(List.of("--label-cols", "a,b,c"));
            }
            MainTest.Result r = MainTest.run(args.toArray(new String[0]));
            assertEquals(2, r.status(), r.out() + r.err());
            assertTrue(r.err().contains(expect[i]), r.err());
            assertTrue(i == 3 || r.err().contains("tags.yaml"), r.err());
            assertFalse(r.out().contains("starting Spark"), r.out());
        }
        Path classifier = dir.resolve("cls.yaml");
        Files.writeString(classifier, CsvTrainingTest.SPEC);
        MainTest.Result r = MainTest.run("train", "--model", classifier.toString(), "--data", data.toString(),
                "--threshold", "0.3", "--out", dir.resolve("o").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--threshold") && r.err().contains("not a multi-label spec"), r.err());
    }

    @Test
    void evaluateKFoldIsStratifiedOnTheFirstLabelAndReportsMultiLabelMetrics(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("d.csv");
        writeCsv(data, 300, 3);
        Path spec = dir.resolve("tags.yaml");
        Files.writeString(spec, SPEC.replace("epochs: 12", "epochs: 2"));
        Path out = dir.resolve("cv");
        MainTest.Result r = MainTest.run("evaluate", "--method", "kfold", "--folds", "3", "--model", spec.toString(),
                "--data", data.toString(), "--label-cols", "a,b,c", "--workers", "1", "--transport", "job",
                "--out", out.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("validation micro F1") && r.out().contains("hamming_loss"), r.out());
        JsonNode summary = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(3, summary.get("folds").size());
        assertTrue(summary.has("micro_f1") && summary.has("subset_accuracy_sd"), summary.toString());
        long positives = Files.readAllLines(data).stream().skip(1).filter(l -> l.split(",")[1].equals("1")).count();
        int rows = 0;
        for (JsonNode f : summary.get("folds")) {
            int v = f.get("validation_rows").asInt();
            rows += v;
            assertTrue(Math.abs(v - 100) <= 1, "folds of 300 rows: 100 each (± 1 for rounding per stratum): " + v);
            // stratified on the first label: every fold's validation rows hold a third of its positives (± 1)
            long support = f.get("metrics").get("per_label").get(0).get("support").asLong();
            assertTrue(Math.abs(support - positives / 3.0) <= 1, support + " of " + positives);
        }
        assertEquals(300, rows, "every row validated once");
        assertTrue(Files.readString(out.resolve("report.html")).contains("<th>micro F1</th>"), "per-fold table");
    }

    /** A model file without the multi-label provenance keys (older, or written elsewhere) still scores: 0.5, 0..K-1. */
    @Test
    void aModelWithoutStoredThresholdOrLabelNamesDecidesAtOneHalf() {
        ModelContents old = new ModelContents(SPEC, new float[0], new float[0], java.util.Optional.empty(),
                java.util.Map.of("seed", "7"));
        assertEquals(0.5, ScoreCommand.storedThreshold(old));
        assertEquals(List.of("prob_0", "prob_1", "prob_2"), ScoreCommand.probabilityColumns(old, null, 3));
        ModelContents stored = new ModelContents(SPEC, new float[0], new float[0], java.util.Optional.empty(),
                java.util.Map.of("threshold", "0.3", "labels", "a,b,c"));
        assertEquals(0.3, ScoreCommand.storedThreshold(stored));
        assertEquals(List.of("prob_a", "prob_b", "prob_c"), ScoreCommand.probabilityColumns(stored, null, 3));
    }
}
