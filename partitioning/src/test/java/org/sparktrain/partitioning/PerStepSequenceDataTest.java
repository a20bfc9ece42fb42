package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.data.MiniBatch;

/**
 * Many-to-many sequences (docs/data-preparation.md, "Sequences"): every step's label (or targets) read from long
 * CSV and Parquet into the row after its length, cut into per-step labels or targets and the mask; text sequence ids;
 * a bad or missing step label named by file, line or row, sequence, step and column.
 */
class PerStepSequenceDataTest {
    private final SparkSession spark = SharedSpark.get();

    @TempDir
    Path tmp;

    /** T = 4 steps of F = 2 features, one class label per step. */
    private static SequenceOptions tagging() {
        return SequenceOptions.of(Shape.of(4, 2), "spec.yaml").columns("id", "t").perStep(1, true);
    }

    private Path csv(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static Map<Long, Example> byId(LabeledData d) {
        return d.rows().collect().stream().collect(Collectors.toMap(e -> e.id, e -> e));
    }

    /** Every block of {@code d} (unscaled), in order. */
    private static List<Block> blocks(LabeledData d) {
        return ScoringBlocks.pack(d, null, 8).collect();
    }

    /** The block row of id {@code id}, and the block holding it. */
    private static int rowOf(Block b, long id) {
        for (int r = 0; r < b.size; r++) {
            if (b.ids[r] == id) {
                return r;
            }
        }
        return -1;
    }

    @Test
    void longCsvGivesEveryStepItsOwnClassAndTheMaskMarksTheRealSteps() throws Exception {
        Path p = csv("s.csv", """
                id,t,a,label,b
                7,2,0.2,1,20
                3,1,1.0,0,10
                7,0,0.0,0,0
                7,1,0.1,2,10
                3,0,0.5,1,5
                """);
        LabeledData d = Readers.csv(spark, p.toString(), ReadOptions.classes(3).sequences(tagging()).partitions(2));
        assertEquals(2, d.count());
        assertEquals(0, d.targetCount(), "the steps' labels ride with the length, not as the row's targets");
        assertEquals(4 * 2 + 1 + 4, d.featureCount(), "T·F values, the length, T labels");
        Map<Long, Example> rows = byId(d);
        // sequence 7: steps sorted by t; labels 0, 2, 1 (step by step) then the padded step's 0; the row's label is
        // its last step's (splits stratify on it)
        assertArrayEquals(new float[] {0.0f, 0, 0.1f, 10, 0.2f, 20, 0, 0, 3, 0, 2, 1, 0}, rows.get(7L).features);
        assertEquals(1, rows.get(7L).label);
        assertArrayEquals(new float[] {0.5f, 5, 1.0f, 10, 0, 0, 0, 0, 2, 1, 0, 0, 0}, rows.get(3L).features);
        assertEquals(0, rows.get(3L).label);
        // the engine's minibatch: a label per step (b·T + t) and the mask
        int seen = 0;
        for (Block b : blocks(d)) {
            MiniBatch mb = b.toMiniBatch(0, 4, 1, true);
            assertNull(mb.targets);
            assertEquals(b.size * 4, mb.labels.length);
            int r7 = rowOf(b, 7L);
            if (r7 >= 0) {
                assertArrayEquals(new int[] {0, 2, 1, 0}, java.util.Arrays.copyOfRange(mb.labels, r7 * 4, r7 * 4 + 4));
                assertArrayEquals(new float[] {1, 1, 1, 0}, java.util.Arrays.copyOfRange(mb.mask, r7 * 4, r7 * 4 + 4));
                assertArrayEquals(new float[] {0.0f, 0, 0.1f, 10, 0.2f, 20, 0, 0},
                        java.util.Arrays.copyOfRange(mb.features, r7 * 8, r7 * 8 + 8));
                seen++;
            }
            int r3 = rowOf(b, 3L);
            if (r3 >= 0) {
                assertArrayEquals(new int[] {1, 0, 0, 0}, java.util.Arrays.copyOfRange(mb.labels, r3 * 4, r3 * 4 + 4));
                assertArrayEquals(new float[] {1, 1, 0, 0}, java.util.Arrays.copyOfRange(mb.mask, r3 * 4, r3 * 4 + 4));
                seen++;
            }
        }
        assertEquals(2, seen);
        d.unpersist();
    }

    @Test
    void longCsvRegressionTargetsPerStep() throws Exception {
        Path p = csv("r.csv", """
                id,t,a,y1,b,y2
                5,1,1.5,10,2,-1
                5,0,0.5,20,1,-2
                """);
        SequenceOptions seq = SequenceOptions.of(Shape.of(3, 2), "spec.yaml").columns("id", "t").perStep(2, false);
        LabeledData d = Readers.csv(spark, p.toString(), ReadOptions.regression(List.of("y1", "y2")).sequences(seq));
        assertEquals(0, d.targetCount());
        // x (3·2), length 2, then (y1, y2) for steps 0, 1 and the padded step 2
        assertArrayEquals(new float[] {0.5f, 1, 1.5f, 2, 0, 0, 2, 20, -2, 10, -1, 0, 0}, byId(d).get(5L).features);
        MiniBatch mb = blocks(d).get(0).toMiniBatch(0, 3, 2, false);
        assertArrayEquals(new float[] {20, -2, 10, -1, 0, 0}, mb.targets, "K = 2 targets per step, (b·T + t)·K");
        assertNull(mb.labels, "no labels: the per-step loss would read a row's label as its steps'");
        assertArrayEquals(new float[] {1, 1, 0}, mb.mask);
        d.unpersist();
    }

    @Test
    void textSequenceIdsGroupByTheTextAndKeepIt() throws Exception {
        Path p = csv("ids.csv", """
                id,t,a,label,b
                walk-a,1,1,1,1
                17,0,5,0,5
                walk-b,0,3,0,3
                walk-a,0,2,0,2
                """);
        LabeledData d = Readers.csv(spark, p.toString(), ReadOptions.classes(2).sequences(
                SequenceOptions.of(Shape.of(4, 2), "spec.yaml").columns("id", "t")).partitions(2));
        assertEquals(3, d.count(), "walk-a's two lines are one sequence");
        Map<Long, Example> rows = byId(d);
        Example a = rows.get(SequenceCsv.textId("walk-a"));
        assertEquals("walk-a", a.key);
        assertArrayEquals(new float[] {2, 2, 1, 1, 0, 0, 0, 0, 2}, a.features);
        assertEquals("walk-b", rows.get(SequenceCsv.textId("walk-b")).key);
        assertNull(rows.get(17L).key, "an integer id stays the row id, as before");
        assertTrue(d.hasTextIds());
        List<String> keys = new ArrayList<>();
        for (Block b : blocks(d)) {
            for (int r = 0; r < b.size; r++) {
                keys.add(b.keys == null ? null : b.keys[r]);
            }
        }
        keys.sort(java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()));
        assertEquals(java.util.Arrays.asList(null, "walk-a", "walk-b"), keys, "the blocks carry the text ids");
        d.unpersist();
    }

    /** The one message reading {@code text} per step fails with. */
    private String error(String text) throws Exception {
        Path p = csv("bad.csv", text);
        DataFormatException e = assertThrows(DataFormatException.class, () -> Readers.csv(spark, p.toString(),
                ReadOptions.classes(3).sequences(tagging())));
        assertTrue(e.getMessage().contains("bad.csv"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aMissingOrBadStepLabelIsNamedByLineSequenceStepAndColumn() throws Exception {
        String header = "id,t,a,b,label\n";
        // a middle step's label missing: many-to-one never read it; per step it is needed
        String m = error(header + "1,0,1,2,0\n3,0,1,2,1\n3,1,1,2,\n3,2,1,2,1\n");
        assertTrue(m.contains("line 4") && m.contains("sequence id=3, step 1") && m.contains("label column 'label'"
                + " holds '' (a missing value)"), m);
        m = error(header + "1,0,1,2,0\n3,0,1,2,7\n3,1,1,2,1\n");
        assertTrue(m.contains("line 3") && m.contains("sequence id=3, step 0") && m.contains("column 'label'"), m);
    }

    private static final DataType INTS = DataTypes.createArrayType(DataTypes.IntegerType);
    private static final DataType STEPS = DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType));

    private static List<List<Float>> steps(float... v) {
        List<List<Float>> out = new ArrayList<>();
        for (int i = 0; i < v.length; i += 2) {
            out.add(List.of(v[i], v[i + 1]));
        }
        return out;
    }

    @Test
    void parquetLabelArraysGiveEveryStepItsClassAndTextIdsNameTheRows() throws Exception {
        StructType schema = new StructType().add("name", DataTypes.StringType).add("label", INTS)
                .add("features", STEPS);
        Path p = tmp.resolve("tags.parquet");
        spark.createDataFrame(List.of(RowFactory.create("s1", List.of(2, 0, 1), steps(1, 2, 3, 4, 5, 6)),
                RowFactory.create("s2", List.of(1), steps(7, 8))), schema).coalesce(1).write().parquet(p.toString());
        SequenceOptions seq = SequenceOptions.of(Shape.of(4, 2), "spec.yaml").columns("name", null).perStep(1, true);
        LabeledData d = Readers.parquet(spark, p.toString(), ReadOptions.classes(3).sequences(seq));
        Map<Long, Example> rows = byId(d);
        Example s1 = rows.get(SequenceCsv.textId("s1"));
        assertEquals("s1", s1.key);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 0, 0, 3, 2, 0, 1, 0}, s1.features);
        assertEquals(1, s1.label, "its last step's");
        assertArrayEquals(new float[] {7, 8, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0}, rows.get(SequenceCsv.textId("s2"))
                .features);
        d.unpersist();
    }

    @Test
    void parquetRegressionTargetsPerStepFromArraysOfArrays() throws Exception {
        StructType schema = new StructType().add("y", STEPS).add("features", STEPS);
        Path p = tmp.resolve("reg.parquet");
        spark.createDataFrame(List.<Row>of(RowFactory.create(steps(1, -1, 2, -2), steps(1, 2, 3, 4))), schema)
                .coalesce(1).write().parquet(p.toString());
        SequenceOptions seq = SequenceOptions.of(Shape.of(3, 2), "spec.yaml").perStep(2, false);
        LabeledData d = Readers.parquet(spark, p.toString(), ReadOptions.regression(List.of("y")).sequences(seq));
        assertArrayEquals(new float[] {1, 2, 3, 4, 0, 0, 2, 1, -1, 2, -2, 0, 0}, d.rows().first().features);
        d.unpersist();
    }

    @Test
    void aParquetLabelArrayOfAnotherLengthIsNamedByFileRowAndColumn() throws Exception {
        StructType schema = new StructType().add("label", INTS).add("features", STEPS);
        Path p = tmp.resolve("short.parquet");
        spark.createDataFrame(List.of(RowFactory.create(List.of(0, 1), steps(1, 2, 3, 4)),
                RowFactory.create(List.of(0), steps(1, 2, 3, 4, 5, 6))), schema).coalesce(1).write().parquet(
                        p.toString());
        DataFormatException e = assertThrows(DataFormatException.class, () -> Readers.parquet(spark, p.toString(),
                ReadOptions.classes(2).sequences(SequenceOptions.of(Shape.of(4, 2), "spec.yaml").perStep(1, true))));
        String m = e.getMessage();
        assertTrue(m.contains("short.parquet") && m.contains("row 2") && m.contains("label column 'label' holds 1 step"
                + " labels but the sequence has 3 steps"), m);
        StructType nulls = new StructType().add("label", INTS).add("features", STEPS);
        Path q = tmp.resolve("null.parquet");
        spark.createDataFrame(List.of(RowFactory.create(java.util.Arrays.asList(0, null), steps(1, 2, 3, 4))), nulls)
                .coalesce(1).write().parquet(q.toString());
        e = assertThrows(DataFormatException.class, () -> Readers.parquet(spark, q.toString(),
                ReadOptions.classes(2).sequences(SequenceOptions.of(Shape.of(4, 2), "spec.yaml").perStep(1, true))));
        m = e.getMessage();
        assertTrue(m.contains("null.parquet") && m.contains("row 1") && m.contains("label column 'label', step 2"
                + " (counting from 1) holds null"), m);
    }
}
