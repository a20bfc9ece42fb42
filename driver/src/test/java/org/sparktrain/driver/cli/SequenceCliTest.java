package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.sparktrain.engine.io.FittedScaler;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;

/**
 * Variable-length sequences through the command line (docs/data-preparation.md, "Sequences"): a tiny long-format CSV
 * of sequences of 3-12 steps whose class is the sign of one feature's mean, trained, evaluated and scored in local
 * mode; padded steps change nothing; bad input named by file, line, sequence and step.
 */
class SequenceCliTest {
    static String spec(int steps) {
        return spec(steps, "lstm");
    }

    /** A classifier of sequences of at most {@code steps} steps of 2 features: a recurrent {@code cell}, dense softmax. */
    static String spec(int steps, String cell) {
        return """
                name: seq-%s
                input: [%d, 2]
                classes: 2
                layers:
                  - {type: %s, units: 12, return_sequences: false}
                  - {type: dense, units: 2, activation: softmax}
                loss: softmax_cross_entropy
                optimizer: {type: adam, lr: 0.02}
                training: {batch_size: 32, epochs: 12, seed: 5}
                """.formatted(cell, steps, cell);
    }

    /**
     * {@code n} sequences "t,a,label,id,b" (the columns in an odd order), lengths 3-12, steps written in a shuffled
     * order, step values 10, 20, ...: class 1 when feature a has mean +0.7 per step, class 0 when -0.7 (noise 1),
     * b pure noise in other units. Sequence ids from {@code firstId}.
     */
    static void writeSequences(Path file, int n, long seed, int firstId) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> lines = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            int label = r.nextInt(2);
            int length = 3 + r.nextInt(10);
            for (int t = 0; t < length; t++) {
                double a = (label == 1 ? 0.7 : -0.7) + r.nextGaussian();
                double b = 100 + 20 * r.nextGaussian();
                lines.add((10 * (t + 1)) + "," + (float) a + "," + label + "," + (firstId + s) + "," + (float) b);
            }
        }
        Collections.shuffle(lines, new java.util.Random(seed));
        Files.writeString(file, "t,a,label,id,b\n" + String.join("\n", lines) + "\n");
    }

    /** The rows of a scored CSV directory by their first column (the sequence id): the rest of each line. */
    static Map<Long, String> scored(Path dir, String header) throws Exception {
        Map<Long, String> out = new TreeMap<>();
        try (Stream<Path> parts = Files.list(dir)) {
            for (Path p : parts.filter(p -> p.toString().endsWith(".csv")).toList()) {
                List<String> lines = Files.readAllLines(p);
                assertEquals(header, lines.get(0));
                for (String line : lines.subList(1, lines.size())) {
                    int comma = line.indexOf(',');
                    out.put(Long.parseLong(line.substring(0, comma)), line.substring(comma + 1));
                }
            }
        }
        return out;
    }

    @Test
    void trainsEvaluatesAndScoresLongFormatSequences(@TempDir Path dir) throws Exception {
        Path train = dir.resolve("train.csv");
        Path test = dir.resolve("test.csv");
        writeSequences(train, 240, 1, 1);
        writeSequences(test, 80, 2, 1001);
        Path spec = dir.resolve("seq.yaml");
        Files.writeString(spec, spec(12));
        Path out = dir.resolve("run");
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", train.toString(),
                "--test", test.toString(), "--sequence-col", "id", "--step-col", "t", "--scale", "zscore",
                "--validation", "0.2", "--workers", "2", "--out", out.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("sequences: 240 of 3-12 steps (mean "), r.out());
        JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(80, metrics.get("count").asInt(), "one test row per sequence");
        double accuracy = metrics.get("accuracy").asDouble();
        assertTrue(accuracy >= 0.9, "test accuracy " + accuracy + "\n" + r.out());

        // the model stores the per-feature scaler over the T·F inputs: feature b's mean ~100 at every step
        ModelContents m = ModelFile.load(out.resolve("model.sptr"));
        FittedScaler s = m.scaler().orElseThrow();
        assertEquals(12 * 2, s.featureCount());
        for (int t = 0; t < 12; t++) {
            assertEquals(s.shift()[1], s.shift()[2 * t + 1]);
            assertEquals(s.scale()[0], s.scale()[2 * t]);
        }
        assertTrue(Math.abs(s.shift()[1] - 100) < 3, "feature b's mean over real steps " + s.shift()[1]);

        // score: one row per sequence, keyed by its id; the same accuracy as train's test metrics
        Path scoredDir = dir.resolve("scored");
        MainTest.Result sr = MainTest.run("score", "--model-file", out.resolve("model.sptr").toString(), "--data",
                test.toString(), "--sequence-col", "id", "--step-col", "t", "--out", scoredDir.toString(),
                "--format", "csv");
        assertEquals(0, sr.status(), sr.err() + sr.out());
        Map<Long, String> rows = scored(scoredDir, "id,label,prediction,prob_0,prob_1");
        assertEquals(80, rows.size());
        assertEquals(1001L, ((TreeMap<Long, String>) rows).firstKey());
        assertEquals(1080L, ((TreeMap<Long, String>) rows).lastKey());
        long right = rows.values().stream().filter(v -> v.split(",")[0].equals(v.split(",")[1])).count();
        assertEquals(accuracy, right / 80.0, 1e-9, "score predicts what train's test metrics measured");

        // evaluate: k-fold splits whole sequences, every sequence validates once
        MainTest.Result e = MainTest.run("evaluate", "--model", spec.toString(), "--data", train.toString(),
                "--sequence-col", "id", "--step-col", "t", "--scale", "minmax", "--method", "kfold", "--folds", "3",
                "--epochs", "3", "--workers", "2", "--out", dir.resolve("cv").toString());
        assertEquals(0, e.status(), e.err() + e.out());
        List<FoldResult> folds = EvaluateCommand.lastResults;
        assertEquals(3, folds.size());
        assertEquals(240, folds.stream().mapToLong(FoldResult::validationRows).sum(), "sequences, not steps");
    }

    @Test
    void paddedStepsChangeNothing(@TempDir Path dir) throws Exception {
        // The same sequences trained for a model of T = 12 and one of T = 20, on the barrier transport with 2 workers of
        // 2 threads each (the mask sliced with the rows in every task): the engine's contract is that a padded
        // step carries the state unchanged, and that the per-feature scaler and the data path see the same real steps;
        // so the same seed gives the same predictions bit for bit. (It relies on the recurrent layers computing the
        // real steps alike whatever T is: see the engine's packed-mask work.)
        Path data = dir.resolve("d.csv");
        writeSequences(data, 96, 3, 1);
        for (String cell : List.of("lstm", "gru", "simple_rnn")) {
            paddedStepsChangeNothing(dir.resolve(cell), data, cell);
        }
    }

    private void paddedStepsChangeNothing(Path dir, Path data, String cell) throws Exception {
        Map<Long, String> first = null;
        for (int t : new int[] {12, 20}) {
            Path spec = dir.resolve("seq" + t + ".yaml");
            Files.createDirectories(dir);
            Files.writeString(spec, spec(t, cell));
            Path out = dir.resolve("run" + t);
            MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                    "--sequence-col", "id", "--step-col", "t", "--scale", "zscore", "--test-fraction", "0",
                    "--epochs", "2", "--workers", "2", "--threads", "2", "--out", out.toString());
            assertEquals(0, r.status(), r.err() + r.out());
            Path scoredDir = dir.resolve("scored" + t);
            // without --sequence-col/--step-col: the columns the model was trained with (its provenance)
            MainTest.Result sr = MainTest.run("score", "--model-file", out.resolve("model.sptr").toString(), "--data",
                    data.toString(), "--out", scoredDir.toString(), "--format", "csv");
            assertEquals(0, sr.status(), sr.err() + sr.out());
            Map<Long, String> rows = scored(scoredDir, "id,label,prediction,prob_0,prob_1");
            assertEquals(96, rows.size());
            if (first == null) {
                first = rows;
            } else {
                for (Map.Entry<Long, String> e : first.entrySet()) {
                    assertEquals(e.getValue(), rows.get(e.getKey()), cell + ", sequence " + e.getKey()
                            + ": T = 12 vs T = 20");
                }
            }
        }
    }

    @Test
    void parquetSequencesWithAnIdColumnTrainAndScoreKeyedByIt(@TempDir Path dir) throws Exception {
        // one sequence per row: an array<array<float>> column 'features', the label, an integer id column 'seq'
        SplittableRandom r = new SplittableRandom(4);
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (int s = 0; s < 160; s++) {
            int label = r.nextInt(2);
            List<List<Float>> steps = new ArrayList<>();
            for (int t = 0, n = 3 + r.nextInt(10); t < n; t++) {
                steps.add(List.of((float) ((label == 1 ? 0.7 : -0.7) + r.nextGaussian()), (float) r.nextGaussian()));
            }
            rows.add(org.apache.spark.sql.RowFactory.create(500L + s, label, steps));
        }
        org.apache.spark.sql.types.DataType floats = org.apache.spark.sql.types.DataTypes.createArrayType(
                org.apache.spark.sql.types.DataTypes.FloatType);
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("seq", org.apache.spark.sql.types.DataTypes.LongType)
                .add("label", org.apache.spark.sql.types.DataTypes.IntegerType)
                .add("features", org.apache.spark.sql.types.DataTypes.createArrayType(floats));
        Path data = dir.resolve("seqs.parquet");
        TestSpark.session().createDataFrame(rows, schema).coalesce(2).write().parquet(data.toString());
        Path spec = dir.resolve("seq.yaml");
        Files.writeString(spec, spec(12));
        Path out = dir.resolve("run");
        MainTest.Result t = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                "--sequence-col", "seq", "--scale", "zscore", "--test-fraction", "0.25", "--workers", "2",
                "--out", out.toString());
        assertEquals(0, t.status(), t.err() + t.out());
        JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(40, metrics.get("count").asInt());
        assertTrue(metrics.get("accuracy").asDouble() >= 0.85, metrics.toString() + "\n" + t.out());
        Path scoredDir = dir.resolve("scored");
        MainTest.Result sr = MainTest.run("score", "--model-file", out.resolve("model.sptr").toString(), "--data",
                data.toString(), "--out", scoredDir.toString(), "--format", "csv");
        assertEquals(0, sr.status(), sr.err() + sr.out());
        Map<Long, String> scored = scored(scoredDir, "seq,label,prediction,prob_0,prob_1");
        assertEquals(160, scored.size());
        assertEquals(500L, ((TreeMap<Long, String>) scored).firstKey());
        assertEquals(659L, ((TreeMap<Long, String>) scored).lastKey());
    }

    @Test
    void aRegressionTargetPerSequenceFromItsLastStep(@TempDir Path dir) throws Exception {
        // y = 10 + 5 · (mean of a over the sequence), written on every step (the last step's counts)
        SplittableRandom r = new SplittableRandom(9);
        List<String> lines = new ArrayList<>();
        for (int s = 0; s < 200; s++) {
            int length = 3 + r.nextInt(10);
            double[] a = new double[length];
            double sum = 0;
            for (int t = 0; t < length; t++) {
                a[t] = r.nextGaussian();
                sum += a[t];
            }
            double y = 10 + 5 * sum / length;
            for (int t = 0; t < length; t++) {
                lines.add(s + "," + t + "," + (float) a[t] + "," + (float) r.nextGaussian() + "," + (float) y);
            }
        }
        Collections.shuffle(lines, new java.util.Random(9));
        Path data = dir.resolve("r.csv");
        Files.writeString(data, "id,t,a,b,y\n" + String.join("\n", lines) + "\n");
        Path spec = dir.resolve("reg.yaml");
        Files.writeString(spec, """
                name: seq-reg
                input: [12, 2]
                outputs: 1
                layers:
                  - {type: lstm, units: 12, return_sequences: false}
                  - {type: dense, units: 1}
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
        assertEquals(40, metrics.get("count").asInt());
        assertTrue(metrics.get("r2").asDouble() > 0.8, metrics.toString() + "\n" + t.out());
        Path scoredDir = dir.resolve("scored");
        MainTest.Result sr = MainTest.run("score", "--model-file", out.resolve("model.sptr").toString(), "--data",
                data.toString(), "--out", scoredDir.toString(), "--format", "csv");
        assertEquals(0, sr.status(), sr.err() + sr.out());
        assertEquals(200, scored(scoredDir, "id,y,prediction").size());
    }

    @Test
    void badSequencesAreNamedByFileLineSequenceAndStep(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("seq.yaml");
        Files.writeString(spec, spec(4));
        Path data = dir.resolve("bad.csv");
        Files.writeString(data, "id,t,a,b,label\n1,0,1,2,0\n2,0,1,2,1\n2,1,1,2,1\n2,2,1,2,1\n2,3,1,2,1\n2,4,1,2,1\n");
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                "--sequence-col", "id", "--step-col", "t", "--out", dir.resolve("run").toString());
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("bad.csv, line 7") && r.err().contains("sequence id=2 has 5 steps; the model takes"
                + " at most 4 (input: [4, 2] in " + spec + ")"), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.contains("sparktrain")).count(), "one message: " + r.err());
        Files.writeString(data, "id,t,a,b,label\n1,0,1,2,0\n2,0,1,2,1\n2,0,1,2,1\n");
        r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                "--sequence-col", "id", "--step-col", "t", "--out", dir.resolve("run").toString());
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("bad.csv, line 4") && r.err().contains("sequence id=2, step 0"), r.err());
        // the flags go together, and with a model taking [T, F]
        r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(), "--sequence-col", "id");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("--step-col"), r.err());
        r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(), "--step-features", "3");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("--step-features 3 does not match") && r.err().contains("input: [4, 2]"), r.err());
    }
}
