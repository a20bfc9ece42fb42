package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.io.FittedScaler;

/**
 * Variable-length sequences from long-format CSV (docs/data-preparation.md, "Sequences"): grouped by sequence id,
 * steps sorted, padded to the model's T with the length after them; every problem named by file, line, sequence,
 * step and column; scaling per feature over the real steps only; the mask built when a minibatch is cut.
 */
class SequenceDataTest {
    private final SparkSession spark = SharedSpark.get();

    @TempDir
    Path tmp;

    /** T = 4 steps of F = 2 features, named "spec.yaml" in messages. */
    private static SequenceOptions longFormat() {
        return SequenceOptions.of(Shape.of(4, 2), "spec.yaml").columns("id", "t");
    }

    private Path csv(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private LabeledData read(Path p, ReadOptions o) {
        return Readers.csv(spark, p.toString(), o.sequences(longFormat()).partitions(2));
    }

    private static Map<Long, Example> byId(LabeledData d) {
        return d.rows().collect().stream().collect(Collectors.toMap(e -> e.id, e -> e));
    }

    @Test
    void longCsvBecomesOnePaddedRowPerSequenceWithItsLengthStepsSorted() throws Exception {
        // steps out of order and sequences interleaved in the file; the label cells of earlier steps are not read
        Path p = csv("s.csv", """
                id,t,a,label,b
                7,2,0.2,1,20
                3,1,1.0,0,10
                7,0,0.0,x,0
                9,5,5.5,1,55
                7,1,0.1,,10
                3,0,0.5,1,5
                """);
        LabeledData d = read(p, ReadOptions.classes(2));
        assertEquals(3, d.count());
        assertEquals(4, d.sequenceSteps());
        assertEquals(4 * 2 + 1, d.featureCount(), "T·F values and the length");
        Map<Long, Example> rows = byId(d);
        // sequence 7: steps 0, 1, 2 (sorted by t), features (a, b), padded to 4 steps, length 3; the label is step 2's
        // (the last); steps 0 and 1 hold 'x' and nothing, which are not read
        assertArrayEquals(new float[] {0.0f, 0, 0.1f, 10, 0.2f, 20, 0, 0, 3}, rows.get(7L).features);
        assertEquals(1, rows.get(7L).label);
        assertArrayEquals(new float[] {0.5f, 5, 1.0f, 10, 0, 0, 0, 0, 2}, rows.get(3L).features);
        assertEquals(0, rows.get(3L).label, "step 1's label (the last), not step 0's");
        assertArrayEquals(new float[] {5.5f, 55, 0, 0, 0, 0, 0, 0, 1}, rows.get(9L).features);
        assertEquals(1, rows.get(9L).label);
        d.unpersist();
    }

    /** The one message reading {@code text} fails with. */
    private String error(String text) throws Exception {
        Path p = csv("bad.csv", text);
        DataFormatException e = assertThrows(DataFormatException.class, () -> read(p, ReadOptions.classes(2)));
        assertTrue(e.getMessage().contains("bad.csv"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void everyBadStepIsNamedByFileLineSequenceStepAndColumn() throws Exception {
        String header = "id,t,a,b,label\n";
        String m = error(header + "1,0,1,2,0\n1,1,1,2,0\n2,0,1,2,1\n2,1,1,2,1\n2,1,3,4,1\n");
        assertTrue(m.contains("line 6") && m.contains("sequence id=2, step 1") && m.contains("second row for the same"
                + " step"), m);
        m = error(header + "1,0,1,2,0\n5,0,1,2,0\n5,1,1,2,0\n5,2,1,2,0\n5,3,1,2,0\n5,4,1,2,0\n5,5,1,2,0\n");
        assertTrue(m.contains("sequence id=5 has 6 steps; the model takes at most 4 (input: [4, 2] in spec.yaml)")
                && m.contains("line 7"), m);
        m = error(header + "1,0,1,2,0\n3,0,1,2,1\n3,1,1,abc,1\n");
        assertTrue(m.contains("line 4") && m.contains("sequence id=3, step 1") && m.contains("column 'b' holds 'abc'"),
                m);
        m = error(header + "1,0,1,2,0\n3,0,1,2,1\n3,1,1,1\n");
        assertTrue(m.contains("line 4") && m.contains("sequence id=3, step 1") && m.contains("4 columns but the header"
                + " has 5"), m);
        m = error(header + "1,0,1,2,0\n3,0,1,NaN,1\n");
        assertTrue(m.contains("line 3") && m.contains("sequence id=3, step 0") && m.contains("column 'b' holds NaN"), m);
        m = error(header + "1,0,1,2,0\n,0,1,2,1\n"); // a text id is an id (PerStepSequenceDataTest); none is not
        assertTrue(m.contains("line 3") && m.contains("sequence column 'id' is empty"), m);
        m = error(header + "1,0,1,2,0\n3,later,1,2,1\n");
        assertTrue(m.contains("line 3") && m.contains("sequence id=3") && m.contains("step column 't' holds 'later'"), m);
        m = error(header + "1,0,1,2,0\n3,0,1,2,1\n3,1,1,2,\n");
        assertTrue(m.contains("line 4") && m.contains("sequence id=3, step 1 (its last") && m.contains("label column"
                + " 'label' holds ''"), m);
        m = error(header + "1,0,1,2,0\n3,0,1,2,1\n3,1,1,2,4\n");
        assertTrue(m.contains("line 4") && m.contains("sequence id=3, step 1") && m.contains("label 4 is outside"), m);
        // a header without the sequence column, or with another number of features per step than the spec's F
        m = error("seq,t,a,b,label\n1,0,1,2,0\n");
        assertTrue(m.contains("no sequence column 'id'") && m.contains("--sequence-col"), m);
        Path p = csv("wide.csv", "id,t,a,b,c,label\n1,0,1,2,3,0\n");
        m = assertThrows(DataFormatException.class, () -> read(p, ReadOptions.classes(2))).getMessage();
        assertTrue(m.contains("3 feature columns per step [a, b, c]") && m.contains("input: [4, 2] in spec.yaml"), m);
    }

    @Test
    void theFastPathGivesTheGeneralParsersBits() {
        String[] header = {"t", "a", "id", "b", "label"};
        int[] features = {1, 3};
        int[] labels = {4};
        int[] at = SequenceCsv.places(5, 2, 0, features, labels);
        String[] lines = {"3,0.1,17,-2.5,1", " 10 , 123.4567 , 9 , -0 , 0 ", "-0.25,1e3,4,2,1", "0.12345678901234,1,5,"
                + "0.0000000001,1", "7,16777217,3,1,0", "7,1,3.0,1,0", "7,\"1\",3,1,0", "7,1,3,1", "1,2,3,4,",
                "2.5,3.14159,42,2.718281,1"};
        int fast = 0;
        for (String line : lines) {
            byte[] b = line.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            scala.Tuple2<SequenceCsv.Key, SequenceCsv.Step> f = SequenceCsv.parseFast(99, b, b.length, ',', at, 2, 1);
            scala.Tuple2<SequenceCsv.Key, SequenceCsv.Step> g = SequenceCsv.parse(99, CsvSource.split(line, ','),
                    header, 2, 0, features, labels);
            if (f == null) {
                continue; // the general parser reads it (an exponent, a quote, a missing cell, too many digits)
            }
            fast++;
            assertEquals(g._1().sequence, f._1().sequence, line);
            assertEquals(Double.doubleToRawLongBits(g._1().step), Double.doubleToRawLongBits(f._1().step), line);
            assertEquals(g._2().values.length, f._2().values.length, line);
            for (int k = 0; k < g._2().values.length; k++) {
                assertEquals(Float.floatToRawIntBits(g._2().values[k]), Float.floatToRawIntBits(f._2().values[k]),
                        line + " value " + k);
            }
        }
        assertEquals(4, fast, "plain lines take the fast path, the others the general one");
    }

    @Test
    void droppingBadRowsDropsTheWholeSequence() throws Exception {
        Path p = csv("drop.csv", "id,t,a,b,label\n1,0,1,2,0\n1,1,1,2,0\n2,0,1,2,1\n2,1,x,2,1\n2,2,1,2,1\n"
                + "3,0,5,6,1\n");
        LabeledData d = read(p, ReadOptions.classes(2).dropBadRows(true));
        assertEquals(2, d.count());
        assertEquals(1, d.report().rowsDropped(), "one sequence, whatever its lines");
        assertEquals(java.util.Set.of(1L, 3L), byId(d).keySet());
        d.unpersist();
    }

    @Test
    void regressionTargetsComeFromTheLastStepAfterTheLength() throws Exception {
        Path p = csv("r.csv", "id,t,a,b,y\n4,1,1,2,7.5\n4,0,3,4,\n");
        LabeledData d = Readers.csv(spark, p.toString(), ReadOptions.regression(List.of("y"))
                .sequences(longFormat()));
        assertEquals(1, d.targetCount());
        assertEquals(4 * 2 + 1 + 1, d.featureCount());
        assertEquals(4 * 2 + 1, d.inputCount());
        assertArrayEquals(new float[] {3, 4, 1, 2, 0, 0, 0, 0, 2, 7.5f}, d.rows().first().features);
        d.unpersist();
    }

    @Test
    void aMinibatchZeroesThePaddingAndCarriesTheMask() {
        Block b = new Block(2, 2 * 3 + 1 + 1); // T = 3, F = 2, one target
        b.features = new float[] {
            1, 2, 3, 4, -9, -9, 2, 0.5f, // length 2: the third step is padding, whatever it holds
            5, 6, 7, 8, 9, 10, 3, 1.5f};
        b.labels = new int[] {0, 1};
        MiniBatch mb = b.toMiniBatch(1, 3);
        assertArrayEquals(new float[] {1, 2, 3, 4, 0, 0, 5, 6, 7, 8, 9, 10}, mb.features);
        assertArrayEquals(new float[] {1, 1, 0, 1, 1, 1}, mb.mask);
        assertArrayEquals(new float[] {0.5f, 1.5f}, mb.targets);
        assertEquals(3, Block.sequenceSteps(8, 1, Shape.of(3, 2)));
        assertEquals(0, Block.sequenceSteps(7, 1, Shape.of(3, 2)));
        assertThrows(IllegalStateException.class, () -> Block.sequenceSteps(9, 1, Shape.of(3, 2)));
        b.features[6] = 4; // a length beyond T
        assertThrows(IllegalStateException.class, () -> b.toMiniBatch(1, 3));
    }

    @Test
    void scalingCountsRealStepsOnlyPerFeatureAndLeavesPaddingZero() throws Exception {
        // feature a over the real steps: 1, 3, 5, 7, 9 (mean 5); b: 10, 10, 10, 30, 30 (mean 18); padding would
        // pull both means toward 0 if it were counted
        Path p = csv("z.csv", "id,t,a,b,label\n1,0,1,10,0\n1,1,3,10,0\n2,0,5,10,1\n2,1,7,30,1\n2,2,9,30,1\n");
        LabeledData d = read(p, ReadOptions.classes(2));
        PreparedFold fold = DataPipeline.defaults().split(SplitSpec.none()).scaler(FittedScaler.Kind.ZSCORE)
                .workers(1).batchSize(2).seed(1).prepare(d).fold(0);
        FittedScaler s = fold.scaler();
        assertEquals(4 * 2, s.featureCount(), "T·F columns: the model's input");
        double sdA = Math.sqrt((16 + 4 + 0 + 4 + 16) / 4.0);
        double sdB = Math.sqrt((64 * 3 + 144 * 2) / 4.0);
        for (int t = 0; t < 4; t++) { // the same per-feature statistics at every step
            assertEquals(5f, s.shift()[2 * t], 1e-6);
            assertEquals(18f, s.shift()[2 * t + 1], 1e-5);
            assertEquals(1 / sdA, s.scale()[2 * t], 1e-6);
            assertEquals(1 / sdB, s.scale()[2 * t + 1], 1e-6);
        }
        assertEquals(4, fold.sequenceSteps());
        int rows = 0;
        for (Block b : fold.trainBlocks(1).collect()) {
            MiniBatch mb = b.toMiniBatch(fold.targetCount(), fold.sequenceSteps());
            for (int r = 0; r < b.size; r++) {
                int length = b.labels[r] == 0 ? 2 : 3;
                for (int t = 0; t < 4; t++) {
                    assertEquals(t < length ? 1f : 0f, mb.mask[r * 4 + t]);
                    if (t >= length) {
                        assertEquals(0f, mb.features[r * 8 + 2 * t], "padding stays 0 after scaling");
                        assertEquals(0f, mb.features[r * 8 + 2 * t + 1]);
                    }
                }
                float a0 = b.labels[r] == 0 ? 1 : 5;
                assertEquals((a0 - 5) / sdA, mb.features[r * 8], 1e-5, "a real step is scaled");
                rows++;
            }
        }
        assertEquals(2, rows);
        fold.unpersist();
        d.unpersist();
    }

    private Path parquet(String name, org.apache.spark.sql.types.DataType features, List<org.apache.spark.sql.Row> rows) {
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("label", org.apache.spark.sql.types.DataTypes.IntegerType)
                .add("seq", features);
        Path p = tmp.resolve(name);
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(p.toString());
        return p;
    }

    private static org.apache.spark.sql.Row row(int label, Object seq) {
        return org.apache.spark.sql.RowFactory.create(label, seq);
    }

    private static List<Float> floats(float... v) {
        List<Float> out = new java.util.ArrayList<>();
        for (float x : v) {
            out.add(x);
        }
        return out;
    }

    private static final org.apache.spark.sql.types.DataType FLOATS =
            org.apache.spark.sql.types.DataTypes.createArrayType(org.apache.spark.sql.types.DataTypes.FloatType);

    @Test
    void parquetNestedAndFlatArraysGiveTheSamePaddedRows() throws Exception {
        Path nested = parquet("nested.parquet", org.apache.spark.sql.types.DataTypes.createArrayType(FLOATS), List.of(
                row(1, List.of(floats(1, 2), floats(3, 4), floats(5, 6))),
                row(0, List.of(floats(7, 8)))));
        Path flat = parquet("flat.parquet", FLOATS, List.of(
                row(1, floats(1, 2, 3, 4, 5, 6)),
                row(0, floats(7, 8))));
        SequenceOptions seq = SequenceOptions.of(Shape.of(4, 2), "spec.yaml");
        for (LabeledData d : List.of(
                Readers.parquet(spark, nested.toString(), ReadOptions.classes(2).featuresColumn("seq").sequences(seq)),
                Readers.parquet(spark, flat.toString(), ReadOptions.classes(2).featuresColumn("seq")
                        .sequences(seq.stepFeatures(2))))) {
            assertEquals(4, d.sequenceSteps());
            List<Example> rows = d.rows().collect().stream().sorted(Comparator.comparingLong(e -> e.id)).toList();
            assertEquals(2, rows.size());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 0, 0, 3}, rows.get(0).features);
            assertEquals(1, rows.get(0).label);
            assertArrayEquals(new float[] {7, 8, 0, 0, 0, 0, 0, 0, 1}, rows.get(1).features);
            d.unpersist();
        }
    }

    @Test
    void aParquetIdColumnNamesTheSequences() throws Exception {
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("label", org.apache.spark.sql.types.DataTypes.IntegerType)
                .add("features", org.apache.spark.sql.types.DataTypes.createArrayType(FLOATS))
                .add("id", org.apache.spark.sql.types.DataTypes.LongType);
        Path p = tmp.resolve("ids.parquet");
        spark.createDataFrame(List.of(org.apache.spark.sql.RowFactory.create(1, List.of(floats(1, 2)), 70L),
                org.apache.spark.sql.RowFactory.create(0, List.of(floats(3, 4), floats(5, 6)), 71L)), schema)
                .write().parquet(p.toString());
        LabeledData d = Readers.parquet(spark, p.toString(), ReadOptions.classes(2)
                .sequences(SequenceOptions.of(Shape.of(4, 2), "spec.yaml").columns("id", null)));
        Map<Long, Example> rows = byId(d);
        assertEquals(java.util.Set.of(70L, 71L), rows.keySet());
        assertArrayEquals(new float[] {3, 4, 5, 6, 0, 0, 0, 0, 2}, rows.get(71L).features);
        assertTrue(d.source().idsAreKeys(), "score keys its rows by the ids");
        d.unpersist();
    }

    @Test
    void parquetSequenceErrorsNameFileRowStepAndColumn() throws Exception {
        org.apache.spark.sql.types.DataType nestedType = org.apache.spark.sql.types.DataTypes.createArrayType(FLOATS);
        SequenceOptions seq = SequenceOptions.of(Shape.of(4, 2), "spec.yaml");
        Path wide = parquet("wide.parquet", nestedType, List.of(row(0, List.of(floats(1, 2))),
                row(1, List.of(floats(1, 2), floats(1, 2, 3)))));
        String m = assertThrows(DataFormatException.class, () -> Readers.parquet(spark, wide.toString(),
                ReadOptions.classes(2).featuresColumn("seq").sequences(seq))).getMessage();
        assertTrue(m.contains(".parquet, row 2") && m.contains("step 2 (counting from 1) has 3 features; the model"
                + " takes 2 per step (input: [4, 2] in spec.yaml)") && m.contains("column 'seq'"), m);
        Path tooLong = parquet("long.parquet", nestedType, List.of(row(0, List.of(floats(1, 2), floats(1, 2),
                floats(1, 2), floats(1, 2), floats(1, 2)))));
        m = assertThrows(DataFormatException.class, () -> Readers.parquet(spark, tooLong.toString(),
                ReadOptions.classes(2).featuresColumn("seq").sequences(seq))).getMessage();
        assertTrue(m.contains("row 1") && m.contains("has 5 steps; the model takes at most 4 (input: [4, 2] in"
                + " spec.yaml)"), m);
        Path empty = parquet("empty.parquet", nestedType, List.of(row(0, List.of())));
        m = assertThrows(DataFormatException.class, () -> Readers.parquet(spark, empty.toString(),
                ReadOptions.classes(2).featuresColumn("seq").sequences(seq))).getMessage();
        assertTrue(m.contains("row 1") && m.contains("has no steps"), m);
        Path ragged = parquet("ragged.parquet", FLOATS, List.of(row(0, floats(1, 2, 3))));
        m = assertThrows(DataFormatException.class, () -> Readers.parquet(spark, ragged.toString(),
                ReadOptions.classes(2).featuresColumn("seq").sequences(seq.stepFeatures(2)))).getMessage();
        assertTrue(m.contains("row 1") && m.contains("holds 3 values, not whole steps of 2 (--step-features 2"), m);
        Path nan = parquet("nan.parquet", nestedType, List.of(row(0, List.of(floats(1, 2), floats(Float.NaN, 2)))));
        m = assertThrows(DataFormatException.class, () -> Readers.parquet(spark, nan.toString(),
                ReadOptions.classes(2).featuresColumn("seq").sequences(seq))).getMessage();
        assertTrue(m.contains("row 1") && m.contains("step 2 (counting from 1), feature 0 is NaN"), m);
        assertThrows(DataFormatException.class, () -> seq.stepFeatures(3), "F of the spec is 2");
    }

    /** Every row of {@code blocks}, cut as the engine gets it, has the mask and the padding of its sequence's length. */
    private static long checkMasks(List<Block> blocks, int steps, java.util.function.LongToIntFunction length) {
        long rows = 0;
        for (Block b : blocks) {
            MiniBatch mb = b.toMiniBatch(0, steps);
            for (int r = 0; r < b.size; r++) {
                int expect = length.applyAsInt(b.ids[r]);
                for (int t = 0; t < steps; t++) {
                    assertEquals(t < expect ? 1f : 0f, mb.mask[r * steps + t], "sequence " + b.ids[r] + " step " + t);
                    if (t < expect) {
                        assertEquals(b.ids[r] * 10 + t, mb.features[r * steps + t], 1e-4, "a real step, unscaled");
                    } else {
                        assertEquals(0f, mb.features[r * steps + t], "padding");
                    }
                }
                rows++;
            }
        }
        return rows;
    }

    @Test
    void everyPathThatRepacksRowsCarriesTheLengths() throws Exception {
        // 60 sequences, id k of length 1 + k % 4 (T = 4, F = 1), step t's value 10·k + t; class 1 for every 5th
        StringBuilder sb = new StringBuilder("id,t,x,label\n");
        for (int k = 0; k < 60; k++) {
            for (int t = 1 + k % 4 - 1; t >= 0; t--) { // steps written last first
                sb.append(k).append(',').append(t).append(',').append(10 * k + t).append(',')
                        .append(k % 5 == 0 ? 1 : 0).append('\n');
            }
        }
        Path p = csv("paths.csv", sb.toString());
        SequenceOptions seq = SequenceOptions.of(Shape.of(4, 1), "spec.yaml").columns("id", "t");
        LabeledData d = Readers.csv(spark, p.toString(), ReadOptions.classes(2).sequences(seq).partitions(3));
        java.util.function.LongToIntFunction length = id -> 1 + (int) (id % 4);
        // holdout with up-sampling, a 3-row shuffle window (windowed epochs), minibatches of 4 on 2 workers
        PreparedFold holdout = DataPipeline.defaults().split(SplitSpec.holdout(0.3)).scaler(null)
                .resampling(Resampling.balanceUp()).shuffleWindow(3).workers(2).batchSize(4).seed(2).prepare(d).fold(0);
        long trained = 0;
        for (int epoch = 1; epoch <= 2; epoch++) {
            trained = checkMasks(holdout.trainBlocks(epoch).collect(), 4, length);
        }
        assertEquals(holdout.trainRows(), trained);
        assertTrue(holdout.trainRows() > 42, "up-sampled copies: " + holdout.trainRows());
        assertEquals(holdout.validationRows(), checkMasks(holdout.validationBlocks().collect(), 4, length));
        holdout.unpersist();
        // k-fold and bootstrap
        PreparedData folds = DataPipeline.defaults().split(SplitSpec.kFold(3)).scaler(null).workers(2).batchSize(5)
                .seed(4).prepare(d);
        long validated = 0;
        for (int f = 0; f < 3; f++) {
            PreparedFold fold = folds.fold(f);
            checkMasks(fold.trainBlocks(1).collect(), 4, length);
            validated += checkMasks(fold.validationBlocks().collect(), 4, length);
            fold.unpersist();
        }
        assertEquals(60, validated, "every sequence validates once");
        PreparedFold boot = DataPipeline.defaults().split(SplitSpec.bootstrap()).scaler(null).workers(2).batchSize(8)
                .seed(5).prepare(d).fold(0);
        assertEquals(boot.trainRows(), checkMasks(boot.trainBlocks(1).collect(), 4, length));
        checkMasks(boot.validationBlocks().collect(), 4, length);
        boot.unpersist();
        // no split: the read's chunks are the stored blocks, repacked per epoch
        PreparedFold all = DataPipeline.defaults().split(SplitSpec.none()).scaler(null).workers(3).batchSize(7)
                .seed(6).prepare(d).fold(0);
        assertEquals(60, checkMasks(all.trainBlocks(1).collect(), 4, length));
        // scoring blocks
        assertEquals(60, checkMasks(ScoringBlocks.pack(d, null, 16).collect(), 4, length));
        all.unpersist();
        d.unpersist();
    }
}
