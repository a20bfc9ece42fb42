package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.TestSpark;
import org.sparktrain.driver.eval.FoldResult;

/**
 * Many-to-many sequences through the command line (docs/data-preparation.md, "Sequences"): every step of a
 * long-format CSV carries its own label (the sign of the running sum of feature a up to that step), a per-step LSTM
 * trains on them, metrics count every real step, {@code score} writes one row per real step; padded steps change no
 * bit; text sequence ids round-trip; bad step labels are named by file, line, sequence, step and column.
 */
class SequenceTaggingCliTest {
    /** A per-step classifier of sequences of at most {@code steps} steps of 2 features. */
    static String spec(int steps) {
        return """
                name: tagger
                input: [%d, 2]
                classes: 2
                layers:
                  - {type: lstm, units: 16, return_sequences: true}
                  - {type: time_distributed, units: 2}
                loss: softmax_cross_entropy
                optimizer: {type: adam, lr: 0.02}
                training: {batch_size: 32, epochs: 15, seed: 5}
                """.formatted(steps);
    }

    /** The sequences written: id (as written) → the label of every step, in order. */
    static Map<String, List<Integer>> write(Path file, int n, long seed, int firstId, String prefix) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, List<Integer>> labels = new TreeMap<>();
        List<String> lines = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            String id = prefix + (firstId + s);
            int length = 3 + r.nextInt(10);
            double sum = 0;
            List<Integer> y = new ArrayList<>();
            for (int t = 0; t < length; t++) {
                double a = r.nextGaussian();
                sum += a;
                int label = sum > 0 ? 1 : 0;
                y.add(label);
                double b = 100 + 20 * r.nextGaussian();
                lines.add((10 * (t + 1)) + "," + (float) a + "," + label + "," + id + "," + (float) b);
            }
            labels.put(id, y);
        }
        Collections.shuffle(lines, new java.util.Random(seed));
        Files.writeString(file, "t,a,label,id,b\n" + String.join("\n", lines) + "\n");
        return labels;
    }

    /** A scored CSV directory's rows by "id,step": the rest of each line. */
    static Map<String, String> scored(Path dir, String header) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> parts = Files.list(dir)) {
            for (Path p : parts.filter(p -> p.toString().endsWith(".csv")).toList()) {
                List<String> lines = Files.readAllLines(p);
                assertEquals(header, lines.get(0));
                for (String line : lines.subList(1, lines.size())) {
                    String[] c = line.split(",", 3);
                    assertTrue(out.put(c[0] + "," + c[1], c[2]) == null, "one row per step: " + line);
                }
            }
        }
        return out;
    }

    static int steps(Map<String, List<Integer>> labels) {
        return labels.values().stream().mapToInt(List::size).sum();
    }

    @Test
    void trainsScoresAndEvaluatesALabelPerStep(@TempDir Path dir) throws Exception {
        Path train = dir.resolve("train.csv");
        Path test = dir.resolve("test.csv");
        write(train, 300, 1, 1, "");
        Map<String, List<Integer>> truth = write(test, 80, 2, 1001, "");
        Path spec = dir.resolve("tagger.yaml");
        Files.writeString(spec, spec(12));
        Path out = dir.resolve("run");
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", train.toString(),
                "--test", test.toString(), "--sequence-col", "id", "--step-col", "t", "--scale", "zscore",
                "--validation", "0.2", "--workers", "2", "--out", out.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        int realSteps = steps(truth);
        assertTrue(r.out().contains("per step: " + realSteps + " real steps over 80 sequences"), r.out());
        JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(realSteps, metrics.get("count").asInt(), "every real test step is an example, no padded one");
        assertEquals(80, metrics.get("per_step").get("sequences").asInt());
        double accuracy = metrics.get("accuracy").asDouble();
        assertTrue(accuracy >= 0.95, "test accuracy over real steps " + accuracy + "\n" + r.out());

        // score: exactly the real steps, keyed by (id, step), each with the label read
        Path scoredDir = dir.resolve("scored");
        MainTest.Result sr = MainTest.run("score", "--model-file", out.resolve("model.sptr").toString(), "--data",
                test.toString(), "--out", scoredDir.toString(), "--format", "csv");
        assertEquals(0, sr.status(), sr.err() + sr.out());
        Map<String, String> rows = scored(scoredDir, "id,step,label,prediction,prob_0,prob_1");
        assertEquals(realSteps, rows.size());
        long right = 0;
        for (Map.Entry<String, List<Integer>> e : truth.entrySet()) {
            for (int t = 0; t < e.getValue().size(); t++) {
                String[] v = rows.get(e.getKey() + "," + t).split(",");
                assertEquals(e.getValue().get(t).toString(), v[0], "sequence " + e.getKey() + ", step " + t);
                right += v[0].equals(v[1]) ? 1 : 0;
            }
        }
        assertEquals(accuracy, right / (double) realSteps, 1e-9, "score predicts what train's test metrics measured");
        assertTrue(sr.out().contains("per step: " + realSteps + " real steps over 80 sequences"), sr.out());
        // rows to score without labels: the same predictions, no label column
        List<String> unlabelled = new ArrayList<>();
        for (String line : Files.readAllLines(test)) {
            String[] c = line.split(",");
            unlabelled.add(c[0] + "," + c[1] + "," + c[3] + "," + c[4]); // t,a,id,b
        }
        Path bare = dir.resolve("bare.csv");
        Files.writeString(bare, String.join("\n", unlabelled) + "\n");
        Path bareDir = dir.resolve("bare-scored");
        MainTest.Result br = MainTest.run("score", "--model-file", out.resolve("model.sptr").toString(), "--data",
                bare.toString(), "--no-labels", "--out", bareDir.toString(), "--format", "csv");
        assertEquals(0, br.status(), br.err() + br.out());
        Map<String, String> bareRows = scored(bareDir, "id,step,prediction,prob_0,prob_1");
        assertEquals(rows.keySet(), bareRows.keySet());
        for (Map.Entry<String, String> e : bareRows.entrySet()) {
            assertEquals(rows.get(e.getKey()).substring(rows.get(e.getKey()).indexOf(',') + 1), e.getValue(),
                    "step " + e.getKey() + ": the labels change no prediction");
        }

        // evaluate: k-fold splits whole sequences (stratified by the last step's label), metrics per real step
        MainTest.Result e = MainTest.run("evaluate", "--model", spec.toString(), "--data", train.toString(),
                "--sequence-col", "id", "--step-col", "t", "--method", "kfold", "--folds", "3", "--epochs", "2",
                "--workers", "2", "--out", dir.resolve("cv").toString());
        assertEquals(0, e.status(), e.err() + e.out());
        List<FoldResult> folds = EvaluateCommand.lastResults;
        assertEquals(300, folds.stream().mapToLong(FoldResult::validationRows).sum(), "sequences, never split");
        assertEquals(300, folds.stream().mapToLong(f -> f.metrics().sequences()).sum());
        assertTrue(folds.stream().allMatch(f -> f.metrics().count() > f.metrics().sequences()), "steps are counted");
        assertTrue(e.out().contains("real steps over"), e.out());
    }

    @Test
    void paddedStepsChangeNoPredictedBit(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("d.csv");
        Map<String, List<Integer>> truth = write(data, 96, 3, 1, "");
        Map<String, String> first = null;
        for (int t : new int[] {12, 20}) {
            Path spec = dir.resolve("tagger" + t + ".yaml");
            Files.writeString(spec, spec(t));
            Path out = dir.resolve("run" + t);
            MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                    "--sequence-col", "id", "--step-col", "t", "--scale", "zscore", "--test-fraction", "0",
                    "--epochs", "2", "--workers", "2", "--threads", "2", "--out", out.toString());
            assertEquals(0, r.status(), r.err() + r.out());
            Path scoredDir = dir.resolve("scored" + t);
            MainTest.Result sr = MainTest.run("score", "--model-file", out.resolve("model.sptr").toString(), "--data",
                    data.toString(), "--out", scoredDir.toString(), "--format", "csv");
            assertEquals(0, sr.status(), sr.err() + sr.out());
            Map<String, String> rows = scored(scoredDir, "id,step,label,prediction,prob_0,prob_1");
            assertEquals(steps(truth), rows.size(), "T = " + t + ": the real steps only");
            if (first == null) {
                first = rows;
            } else {
                assertEquals(first, rows, "T = 12 vs T = 20: the same predictions, bit for bit");
            }
        }
    }

    @Test
    void textSequenceIdsRoundTripThroughScore(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("walks.csv");
        Map<String, List<Integer>> truth = write(data, 60, 4, 1, "walk-");
        Path spec = dir.resolve("tagger.yaml");
        Files.writeString(spec, spec(12));
        Path out = dir.resolve("run");
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                "--sequence-col", "id", "--step-col", "t", "--test-fraction", "0.25", "--epochs", "2",
                "--workers", "2", "--out", out.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        Path scoredDir = dir.resolve("scored");
        MainTest.Result sr = MainTest.run("score", "--model-file", out.resolve("model.sptr").toString(), "--data",
                data.toString(), "--out", scoredDir.toString(), "--format", "csv");
        assertEquals(0, sr.status(), sr.err() + sr.out());
        Map<String, String> rows = scored(scoredDir, "id,step,label,prediction,prob_0,prob_1");
        java.util.Set<String> expected = new java.util.TreeSet<>();
        truth.forEach((id, y) -> {
            for (int t = 0; t < y.size(); t++) {
                expected.add(id + "," + t);
            }
        });
        assertEquals(expected, rows.keySet(), "every real step under its text id");

        // Parquet: a string id column and an array<int> of one label per step
        List<org.apache.spark.sql.Row> prow = new ArrayList<>();
        SplittableRandom g = new SplittableRandom(6);
        for (int s = 0; s < 40; s++) {
            List<List<Float>> x = new ArrayList<>();
            List<Integer> y = new ArrayList<>();
            double sum = 0;
            for (int t = 0, n = 3 + g.nextInt(10); t < n; t++) {
                double a = g.nextGaussian();
                sum += a;
                x.add(List.of((float) a, (float) g.nextGaussian()));
                y.add(sum > 0 ? 1 : 0);
            }
            prow.add(org.apache.spark.sql.RowFactory.create("p" + s, y, x));
        }
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("name", org.apache.spark.sql.types.DataTypes.StringType)
                .add("label", org.apache.spark.sql.types.DataTypes.createArrayType(
                        org.apache.spark.sql.types.DataTypes.IntegerType))
                .add("features", org.apache.spark.sql.types.DataTypes.createArrayType(
                        org.apache.spark.sql.types.DataTypes.createArrayType(
                                org.apache.spark.sql.types.DataTypes.FloatType)));
        Path parquet = dir.resolve("tags.parquet");
        TestSpark.session().createDataFrame(prow, schema).coalesce(2).write().parquet(parquet.toString());
        Path pout = dir.resolve("prun");
        MainTest.Result pr = MainTest.run("train", "--model", spec.toString(), "--data", parquet.toString(),
                "--sequence-col", "name", "--test-fraction", "0", "--epochs", "1", "--workers", "2",
                "--out", pout.toString());
        assertEquals(0, pr.status(), pr.err() + pr.out());
        Path pscored = dir.resolve("pscored");
        MainTest.Result ps = MainTest.run("score", "--model-file", pout.resolve("model.sptr").toString(), "--data",
                parquet.toString(), "--out", pscored.toString(), "--format", "csv");
        assertEquals(0, ps.status(), ps.err() + ps.out());
        Map<String, String> prows = scored(pscored, "name,step,label,prediction,prob_0,prob_1");
        assertTrue(prows.containsKey("p0,0") && prows.containsKey("p39,0"), prows.keySet().toString());
        int psteps = 0;
        for (org.apache.spark.sql.Row row : prow) {
            psteps += ((List<?>) row.get(1)).size();
        }
        assertEquals(psteps, prows.size());
    }

    @Test
    void badStepLabelsAndRefusedFlagsAreNamed(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("tagger.yaml");
        Files.writeString(spec, spec(4));
        Path data = dir.resolve("bad.csv");
        Files.writeString(data, "id,t,a,b,label\n1,0,1,2,0\n2,0,1,2,1\n2,1,1,2,\n2,2,1,2,1\n");
        Path run = dir.resolve("run");
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                "--sequence-col", "id", "--step-col", "t", "--out", run.toString());
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("bad.csv, line 4") && r.err().contains("sequence id=2, step 1")
                && r.err().contains("label column 'label' holds '' (a missing value)"), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.contains("sparktrain")).count(), "one message: " + r.err());
        assertFalse(Files.exists(run.resolve("model.sptr")));

        // Parquet: a label array shorter than its sequence
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("label", org.apache.spark.sql.types.DataTypes.createArrayType(
                        org.apache.spark.sql.types.DataTypes.IntegerType))
                .add("features", org.apache.spark.sql.types.DataTypes.createArrayType(
                        org.apache.spark.sql.types.DataTypes.createArrayType(
                                org.apache.spark.sql.types.DataTypes.FloatType)));
        Path parquet = dir.resolve("short.parquet");
        TestSpark.session().createDataFrame(List.of(
                org.apache.spark.sql.RowFactory.create(List.of(0, 1), List.of(List.of(1f, 2f), List.of(3f, 4f))),
                org.apache.spark.sql.RowFactory.create(List.of(1), List.of(List.of(1f, 2f), List.of(3f, 4f)))),
                schema).coalesce(1).write().parquet(parquet.toString());
        r = MainTest.run("train", "--model", spec.toString(), "--data", parquet.toString(), "--out", run.toString());
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("short.parquet") && r.err().contains("row 2") && r.err().contains("label column"
                + " 'label' holds 1 step labels but the sequence has 2 steps"), r.err());

        // balancing whole rows does not balance steps: refused, naming the flag
        Path good = dir.resolve("good.csv");
        write(good, 10, 7, 1, "");
        for (List<String> flag : List.of(List.of("--resample", "up"), List.of("--class-weight", "balanced"))) {
            List<String> argv = new ArrayList<>(List.of("train", "--model", spec.toString(), "--data", good.toString(),
                    "--sequence-col", "id", "--step-col", "t", "--out", run.toString()));
            argv.addAll(flag);
            r = MainTest.run(argv.toArray(new String[0]));
            assertEquals(2, r.status(), r.err());
            assertTrue(r.err().contains(flag.get(0)) && r.err().contains("one output per step"), r.err());
        }
    }

    @Test
    void aRegressionTargetPerStepTrainsAndScoresOverRealSteps(@TempDir Path dir) throws Exception {
        // y_t = 3 · (mean of a over steps 0..t): a target on every step (in units that need no target scaler)
        SplittableRandom r = new SplittableRandom(9);
        List<String> lines = new ArrayList<>();
        int realSteps = 0;
        for (int s = 0; s < 240; s++) {
            double sum = 0;
            for (int t = 0, n = 3 + r.nextInt(10); t < n; t++) {
                double a = r.nextGaussian();
                sum += a;
                lines.add(s + "," + t + "," + (float) a + "," + (float) r.nextGaussian() + ","
                        + (float) (3 * sum / (t + 1)));
                realSteps++;
            }
        }
        Collections.shuffle(lines, new java.util.Random(9));
        Path data = dir.resolve("r.csv");
        Files.writeString(data, "id,t,a,b,y\n" + String.join("\n", lines) + "\n");
        Path spec = dir.resolve("reg.yaml");
        Files.writeString(spec, """
                name: step-reg
                input: [12, 2]
                outputs: 1
                layers:
                  - {type: lstm, units: 16, return_sequences: true}
                  - {type: time_distributed, units: 1}
                loss: mse
                optimizer: {type: adam, lr: 0.02}
                training: {batch_size: 32, epochs: 15, seed: 3}
                """);
        Path out = dir.resolve("run");
        MainTest.Result t = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                "--label-col", "y", "--sequence-col", "id", "--step-col", "t", "--scale", "zscore",
                "--test-fraction", "0.2", "--workers", "2", "--out", out.toString());
        assertEquals(0, t.status(), t.err() + t.out());
        JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(48, metrics.get("per_step").get("sequences").asInt(), "a fifth of the sequences held out");
        assertEquals(metrics.get("per_step").get("steps").asInt(), metrics.get("count").asInt());
        assertTrue(metrics.get("count").asInt() > 48 * 3 - 1, "every real step of the test sequences");
        assertTrue(metrics.get("r2").asDouble() > 0.8, metrics.toString() + "\n" + t.out());
        Path scoredDir = dir.resolve("scored");
        MainTest.Result sr = MainTest.run("score", "--model-file", out.resolve("model.sptr").toString(), "--data",
                data.toString(), "--out", scoredDir.toString(), "--format", "csv");
        assertEquals(0, sr.status(), sr.err() + sr.out());
        assertEquals(realSteps, scored(scoredDir, "id,step,y,prediction").size());
        // a target scaler per step is not built: refused, naming the flag
        MainTest.Result refused = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                "--label-col", "y", "--sequence-col", "id", "--step-col", "t", "--scale-target", "zscore",
                "--out", dir.resolve("run2").toString());
        assertEquals(2, refused.status(), refused.err());
        assertTrue(refused.err().contains("--scale-target"), refused.err());
    }

    @Test
    void textIdsOfManyToOneSequencesRoundTripThroughScore(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("walks.csv");
        Map<String, List<Integer>> truth = write(data, 40, 5, 1, "walk-");
        Path spec = dir.resolve("seq.yaml");
        Files.writeString(spec, SequenceCliTest.spec(12)); // one label per sequence: its last step's
        Path out = dir.resolve("run");
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                "--sequence-col", "id", "--step-col", "t", "--test-fraction", "0", "--epochs", "1", "--workers", "2",
                "--out", out.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        Path scoredDir = dir.resolve("scored");
        MainTest.Result sr = MainTest.run("score", "--model-file", out.resolve("model.sptr").toString(), "--data",
                data.toString(), "--out", scoredDir.toString(), "--format", "csv");
        assertEquals(0, sr.status(), sr.err() + sr.out());
        Map<String, String> rows = new TreeMap<>();
        try (Stream<Path> parts = Files.list(scoredDir)) {
            for (Path p : parts.filter(p -> p.toString().endsWith(".csv")).toList()) {
                List<String> lines = Files.readAllLines(p);
                assertEquals("id,label,prediction,prob_0,prob_1", lines.get(0));
                for (String line : lines.subList(1, lines.size())) {
                    rows.put(line.substring(0, line.indexOf(',')), line);
                }
            }
        }
        assertEquals(truth.keySet(), rows.keySet(), "one row per sequence under its text id");
        for (Map.Entry<String, List<Integer>> e : truth.entrySet()) {
            List<Integer> y = e.getValue();
            assertEquals(y.get(y.size() - 1).toString(), rows.get(e.getKey()).split(",")[1], "its last step's label");
        }
    }

    @Test
    void theBundledTaggingSpecTrainsOnLongCsv(@TempDir Path dir) throws Exception {
        Path spec = Path.of("..", "conf", "models", "sequence-tagging-lstm.yaml");
        assertTrue(Files.isRegularFile(spec), spec.toAbsolutePath().toString());
        // its input is [50, 3]: sequences of 3 features, a label per step
        SplittableRandom r = new SplittableRandom(8);
        List<String> lines = new ArrayList<>();
        int realSteps = 0;
        for (int s = 0; s < 40; s++) {
            double sum = 0;
            for (int t = 0, n = 5 + r.nextInt(20); t < n; t++) {
                double a = r.nextGaussian();
                sum += a;
                lines.add("q" + s + "," + t + "," + (float) a + "," + (float) r.nextGaussian() + ","
                        + (float) r.nextGaussian() + "," + (sum > 0 ? 1 : 0));
                realSteps++;
            }
        }
        Path data = dir.resolve("tags.csv");
        Files.writeString(data, "id,t,x1,x2,x3,label\n" + String.join("\n", lines) + "\n");
        Path out = dir.resolve("run");
        MainTest.Result t = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(), "--test",
                data.toString(), "--sequence-col", "id", "--step-col", "t", "--scale", "zscore", "--epochs", "1",
                "--workers", "1", "--out", out.toString());
        assertEquals(0, t.status(), t.err() + t.out());
        JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(realSteps, metrics.get("count").asInt());
        assertEquals(40, metrics.get("per_step").get("sequences").asInt());
    }
}
