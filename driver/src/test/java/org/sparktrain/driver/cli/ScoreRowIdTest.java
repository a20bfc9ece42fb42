package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.TestSpark;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.io.FittedScaler;
import org.sparktrain.engine.io.IdxDataset;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;

/**
 * {@code score}'s {@code row_id} is the 0-based number of the row in input order, for every format and flag
 * (CSV with and without labels, IDX, Parquet with and without labels, several files and partitions), and
 * each row's probabilities are the model's (its fitted z-score scaler applied first) on that very row:
 * checked against the network run here on the input rows taken in order.
 */
class ScoreRowIdTest {
    private static final int F = 16;
    /** Rows per input file: sizes that differ, so splits and Spark's size-ordered Parquet splits reorder. */
    private static final int[] FILE_ROWS = {37, 120, 9};

    @TempDir
    static Path dir;
    static Path model;
    static Network net;
    static FittedScaler scaler;

    @BeforeAll
    static void trainAModelWithAScaler() throws Exception {
        Path idx = dir.resolve("idx");
        TinyIdx.write(idx, "train", 300, 4, 3, 1);
        TinyIdx.write(idx, "t10k", 90, 4, 3, 2);
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, MainTest.SPEC);
        Path run = dir.resolve("run");
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", idx.toString(), "--out",
                run.toString(), "--scale", "zscore", "--epochs", "1");
        assertEquals(0, r.status(), r.err());
        model = run.resolve("model.sptr");
        ModelContents m;
        try (InputStream in = Files.newInputStream(model)) {
            m = ModelFile.read(in, model.toString());
        }
        assertTrue(m.scaler().isPresent(), "the model carries the scaler fitted on its training rows");
        scaler = m.scaler().get();
        net = Network.restore(m, model.toString());
    }

    /** Row i of the synthetic inputs: features unique per row, a label from a scrambled sequence. */
    static float[] features(int i) {
        float[] x = new float[F];
        for (int k = 0; k < F; k++) {
            x[k] = ((i * 7 + k * 3) % 11) / 10f + (i % 13) / 100f;
        }
        return x;
    }

    static int label(int i) {
        return (i * 5 + i / 7) % 3;
    }

    /** The model's probabilities for these rows (scaled first), row by row. */
    static float[][] expected(List<float[]> rows) {
        float[][] out = new float[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            float[] x = rows.get(i).clone();
            scaler.apply(x, 0, 1);
            out[i] = new float[3];
            net.predict(x, 1, out[i]);
        }
        return out;
    }

    /** Scores {@code data} into a new directory and returns row_id → row of the predictions. */
    static Map<Long, Row> score(String data, boolean labelled, String format) throws Exception {
        Path out = dir.resolve("scored-" + System.nanoTime());
        List<String> args = new ArrayList<>(List.of("score", "--model-file", model.toString(), "--data", data,
                "--out", out.toString(), "--format", format));
        if (!labelled) {
            args.add("--no-labels");
        }
        MainTest.Result r = MainTest.run(args.toArray(new String[0]));
        assertEquals(0, r.status(), r.err());
        SparkSession s = TestSpark.session();
        Dataset<Row> d = format.equals("csv") ? s.read().option("header", "true").option("inferSchema", "true")
                .csv(out.toString()) : s.read().parquet(out.toString());
        Map<Long, Row> byId = new HashMap<>();
        for (Row row : d.collectAsList()) {
            long id = ((Number) row.getAs("row_id")).longValue();
            assertTrue(byId.put(id, row) == null, "row_id " + id + " twice");
        }
        return byId;
    }

    static void check(Map<Long, Row> byId, List<float[]> rows, List<Integer> labels, String what) {
        assertEquals(rows.size(), byId.size(), what + ": one output row per input row");
        float[][] want = expected(rows);
        for (int i = 0; i < rows.size(); i++) {
            Row r = byId.get((long) i);
            assertTrue(r != null, what + ": no row_id " + i + " (row ids " + byId.keySet() + ")");
            if (labels != null) {
                assertEquals(labels.get(i), ((Number) r.getAs("label")).intValue(), what + ": label of row " + i);
            }
            for (int c = 0; c < 3; c++) {
                assertEquals(want[i][c], ((Number) r.getAs("prob_" + c)).floatValue(), 1e-6,
                        what + ": probability " + c + " of row " + i);
            }
        }
    }

    @Test
    void csvRowIdsAreRowNumbersAcrossFilesAndPartitionsWithAndWithoutLabels() throws Exception {
        Path labelled = dir.resolve("csv-labelled");
        Path plain = dir.resolve("csv-plain");
        Files.createDirectories(labelled);
        Files.createDirectories(plain);
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int i = 0;
        for (int f = 0; f < FILE_ROWS.length; f++) {
            StringBuilder a = new StringBuilder();
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < F; k++) {
                a.append("x").append(k).append(',');
                b.append(k == 0 ? "" : ",").append("x").append(k);
            }
            a.append("label\n");
            b.append('\n');
            for (int r = 0; r < FILE_ROWS[f]; r++, i++) {
                float[] x = features(i);
                for (int k = 0; k < F; k++) {
                    a.append(x[k]).append(',');
                    b.append(k == 0 ? "" : ",").append(x[k]);
                }
                a.append(label(i)).append('\n');
                b.append('\n');
                if (r == 3) {
                    a.append('\n'); // a blank line is not a row
                }
                rows.add(x);
                labels.add(label(i));
            }
            Files.writeString(labelled.resolve("part-" + f + ".csv"), a);
            Files.writeString(plain.resolve("part-" + f + ".csv"), b);
        }
        check(score(labelled.toString(), true, "parquet"), rows, labels, "labelled CSV");
        check(score(labelled.toString(), true, "csv"), rows, labels, "labelled CSV, CSV output");
        check(score(plain.toString(), false, "parquet"), rows, null, "unlabelled CSV");
    }

    @Test
    void parquetRowIdsFollowTheFilesInOrderWithAndWithoutLabels() throws Exception {
        SparkSession s = TestSpark.session();
        StructType withLabel = new StructType(new StructField[] {
            DataTypes.createStructField("label", DataTypes.IntegerType, false),
            DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)});
        StructType noLabel = new StructType(new StructField[] {withLabel.fields()[1]});
        Path labelled = dir.resolve("pq-labelled");
        Path plain = dir.resolve("pq-plain");
        int i = 0;
        for (int n : FILE_ROWS) {
            List<Row> a = new ArrayList<>();
            List<Row> b = new ArrayList<>();
            for (int r = 0; r < n; r++, i++) {
                float[] x = features(i);
                Float[] boxed = new Float[F];
                for (int k = 0; k < F; k++) {
                    boxed[k] = x[k];
                }
                a.add(RowFactory.create(label(i), boxed));
                b.add(RowFactory.create((Object) boxed));
            }
            s.createDataFrame(a, withLabel).coalesce(1).write().mode(SaveMode.Append).parquet(labelled.toString());
            s.createDataFrame(b, noLabel).coalesce(1).write().mode(SaveMode.Append).parquet(plain.toString());
        }
        // input order: the files by name, each file's rows in order
        for (Path d : new Path[] {labelled, plain}) {
            List<float[]> rows = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            List<Path> files;
            try (Stream<Path> st = Files.list(d)) {
                files = st.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
            }
            assertEquals(FILE_ROWS.length, files.size());
            for (Path f : files) {
                for (Row r : s.read().parquet(f.toString()).coalesce(1).collectAsList()) {
                    List<Float> v = r.getList(r.fieldIndex("features"));
                    float[] x = new float[F];
                    for (int k = 0; k < F; k++) {
                        x[k] = v.get(k);
                    }
                    rows.add(x);
                    if (d == labelled) {
                        labels.add(r.getInt(r.fieldIndex("label")));
                    }
                }
            }
            boolean hasLabels = d == labelled;
            check(score(d.toString(), hasLabels, "parquet"), rows, hasLabels ? labels : null, d.getFileName().toString());
        }
    }

    @Test
    void idxRowIdsAreExampleIndices() throws Exception {
        Path idx = dir.resolve("idx");
        IdxDataset t = IdxDataset.load(idx, "t10k");
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        float[] pixels = t.images().pixels();
        for (int i = 0; i < t.labels().length; i++) {
            rows.add(java.util.Arrays.copyOfRange(pixels, i * F, (i + 1) * F));
            labels.add(t.labels()[i]);
        }
        check(score(idx.toString(), true, "parquet"), rows, labels, "IDX");
    }

    @Test
    void anExistingOutIsLeftExactlyAsItWas() throws Exception {
        Path out = dir.resolve("existing");
        Files.createDirectories(out.resolve("sub"));
        Files.writeString(out.resolve("part-0.parquet"), "someone's earlier predictions");
        Files.writeString(out.resolve("sub/notes.txt"), "keep me");
        String before = hash(out);
        MainTest.Result r = MainTest.run("score", "--model-file", model.toString(), "--data",
                dir.resolve("idx").toString(), "--out", out.toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("exists already"), r.err());
        assertEquals(before, hash(out));
        assertArrayEquals(new String[] {"part-0.parquet", "sub"}, list(out));
    }

    static String[] list(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    /** A hash of every path, size and content under {@code d}. */
    static String hash(Path d) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted().toList()) {
                md.update(d.relativize(p).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                if (Files.isRegularFile(p)) {
                    md.update(Files.readAllBytes(p));
                }
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
