package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.engine.Shape;

/**
 * Every reader on good input, and every bad input docs/architecture.md (Failing cleanly) lists: one message naming
 * file and row.
 */
class ReadersTest {
    private final SparkSession spark = SharedSpark.get();

    @TempDir
    Path tmp;

    private static final String CSV = "a,label,b\n1.5,0,2\n\"3\",1,4e0\n\n5,2,-6\n";

    private List<Example> sorted(LabeledData d) {
        List<Example> rows = new ArrayList<>(d.rows().collect());
        rows.sort(Comparator.comparingLong(e -> e.id));
        return rows;
    }

    @Test
    void csvReadsLabelByNameOrIndexAndSkipsBlankLines() throws Exception {
        Path f = TestData.write(tmp.resolve("ok.csv"), CSV);
        LabeledData d = Readers.csv(spark, f.toString(), ReadOptions.classes(3));
        assertEquals(3, d.count());
        assertEquals(Shape.of(2), d.shape());
        List<Example> rows = sorted(d);
        assertArrayEquals(new float[] {1.5f, 2f}, rows.get(0).features);
        assertArrayEquals(new float[] {3f, 4f}, rows.get(1).features);
        assertEquals(2, rows.get(2).label);
        LabeledData byIndex = Readers.csv(spark, f.toString(), ReadOptions.classes(3).labelIndex(1)
                .featureColumns(List.of("b")));
        assertArrayEquals(new float[] {-6f}, sorted(byIndex).get(2).features);
        d.unpersist();
        byIndex.unpersist();
    }

    private DataFormatException csvFails(String name, String text, ReadOptions options) throws Exception {
        Path f = TestData.write(tmp.resolve(name), text);
        return assertThrows(DataFormatException.class, () -> Readers.csv(spark, f.toString(), options));
    }

    @Test
    void csvBadRowsFailWithFileAndLine() throws Exception {
        String head = "label,x,y\n0,1,2\n1,3,4\n";
        DataFormatException e = csvFails("cols.csv", head + "1,2\n", ReadOptions.classes(2));
        assertTrue(e.getMessage().contains("cols.csv, line 4") && e.getMessage().contains("2 columns"), e.getMessage());
        e = csvFails("nan-text.csv", head + "0,1,abc\n", ReadOptions.classes(2));
        assertTrue(e.getMessage().contains("nan-text.csv, line 4") && e.getMessage().contains("'abc'"), e.getMessage());
        e = csvFails("nan.csv", head + "0,1,2\n0,NaN,2\n", ReadOptions.classes(2));
        assertTrue(e.getMessage().contains("nan.csv, line 5") && e.getMessage().contains("NaN"), e.getMessage());
        e = csvFails("inf.csv", head + "0,1e39,2\n", ReadOptions.classes(2));
        assertTrue(e.getMessage().contains("inf.csv, line 4") && e.getMessage().contains("finite"), e.getMessage());
        e = csvFails("label.csv", head + "7,1,2\n", ReadOptions.classes(2));
        assertTrue(e.getMessage().contains("label.csv, line 4") && e.getMessage().contains("label 7"), e.getMessage());
        e = csvFails("frac.csv", head + "0.5,1,2\n", ReadOptions.classes(2));
        assertTrue(e.getMessage().contains("frac.csv, line 4"), e.getMessage());
        e = csvFails("empty.csv", "", ReadOptions.classes(2));
        assertTrue(e.getMessage().contains("empty.csv") && e.getMessage().contains("empty"), e.getMessage());
        e = csvFails("header-only.csv", "label,x\n", ReadOptions.classes(2));
        assertTrue(e.getMessage().contains("no usable rows"), e.getMessage());
        e = csvFails("nolabel.csv", "y,x\n0,1\n", ReadOptions.classes(2));
        assertTrue(e.getMessage().contains("no column 'label'"), e.getMessage());
    }

    @Test
    void csvFirstBadRowIsNamedWhateverThePartitioning() throws Exception {
        StringBuilder sb = new StringBuilder("label,x\n");
        for (int i = 0; i < 5000; i++) {
            sb.append(i % 2).append(',').append(i == 1234 || i == 4321 ? "oops" : String.valueOf(i)).append('\n');
        }
        Path f = TestData.write(tmp.resolve("big.csv"), sb.toString());
        for (int parts : new int[] {1, 4}) {
            DataFormatException e = assertThrows(DataFormatException.class,
                    () -> Readers.csv(spark, f.toString(), ReadOptions.classes(2).partitions(parts)));
            assertTrue(e.getMessage().startsWith(f.toUri().toString().replace("file:///", "file:/") + ", line 1236:")
                    || e.getMessage().contains("big.csv, line 1236:"), e.getMessage());
            assertTrue(e.getMessage().contains("1 more bad row"), e.getMessage());
        }
    }

    @Test
    void csvDropsBadRowsOnlyWhenAskedAndReportsThem() throws Exception {
        Path f = TestData.write(tmp.resolve("drop.csv"), "label,x,y\n0,1,2\n1,x,2\n1,1\n5,1,2\n0,NaN,1\n1,3,4\n");
        LabeledData d = Readers.csv(spark, f.toString(), ReadOptions.classes(2).dropBadRows(true));
        assertEquals(2, d.count());
        ValidationReport r = d.report();
        assertEquals(4, r.rowsDropped());
        assertEquals(1L, r.dropped().get(Problem.NOT_A_NUMBER));
        assertEquals(1L, r.dropped().get(Problem.WRONG_COLUMN_COUNT));
        assertEquals(1L, r.dropped().get(Problem.LABEL_OUT_OF_RANGE));
        assertEquals(1L, r.dropped().get(Problem.NON_FINITE));
        assertTrue(r.firstDropped().get(0).contains("drop.csv, line 3"), r.toString());
        assertTrue(r.toString().contains("dropped 4"), r.toString());
        d.unpersist();
    }

    @Test
    void csvFilesOfOneInputMustShareTheHeader() throws Exception {
        TestData.write(tmp.resolve("dir/a.csv"), "label,x\n0,1\n");
        TestData.write(tmp.resolve("dir/b.csv"), "label,z\n0,1\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> Readers.csv(spark,
                tmp.resolve("dir").toString(), ReadOptions.classes(2).dropBadRows(true)));
        assertTrue(e.getMessage().contains("b.csv, line 1") && e.getMessage().contains("header"), e.getMessage());
    }

    @Test
    void idxReadsPlainAndGzipOnTheExecutors() throws Exception {
        int[] labels = new int[37];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        for (boolean gz : new boolean[] {false, true}) {
            Path dir = tmp.resolve(gz ? "gz" : "plain");
            TestData.idx(dir, "train", 37, 3, 4, labels, gz);
            LabeledData d = Readers.idx(spark, dir.toString(), "train", ReadOptions.classes(10).partitions(3));
            assertEquals(37, d.count());
            assertEquals(Shape.of(1, 3, 4), d.shape());
            List<Example> rows = sorted(d);
            for (int i = 0; i < 37; i++) {
                assertEquals(i, rows.get(i).id);
                assertEquals(labels[i], rows.get(i).label);
                assertEquals(((i + 5) % 256) / 255f, rows.get(i).features[5]);
            }
            d.unpersist();
        }
    }

    @Test
    void idxBadFilesFailNamingFileAndExample() throws Exception {
        int[] labels = {0, 1, 2, 3, 4, 5};
        Path dir = tmp.resolve("bad");
        TestData.idx(dir, "train", 6, 2, 2, labels, false);
        // wrong magic
        byte[] img = Files.readAllBytes(dir.resolve("train-images-idx3-ubyte"));
        byte[] wrong = img.clone();
        wrong[3] = 0x01;
        Files.write(dir.resolve("train-images-idx3-ubyte"), wrong);
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Readers.idx(spark, dir.toString(), "train", ReadOptions.classes(10)));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte") && e.getMessage().contains("magic"), e.getMessage());
        // truncated plain file
        Files.write(dir.resolve("train-images-idx3-ubyte"), Arrays.copyOf(img, img.length - 3));
        e = assertThrows(DataFormatException.class,
                () -> Readers.idx(spark, dir.toString(), "train", ReadOptions.classes(10)));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte") && e.getMessage().contains("truncated"), e.getMessage());
        // truncated gzip file: found by the executor reading it
        Files.delete(dir.resolve("train-images-idx3-ubyte"));
        TestData.writeBytes(dir.resolve("train-images-idx3-ubyte.gz"), Arrays.copyOf(img, img.length - 3), true);
        e = assertThrows(DataFormatException.class,
                () -> Readers.idx(spark, dir.toString(), "train", ReadOptions.classes(10).dropBadRows(true)));
        assertTrue(e.getMessage().contains("example 6") && e.getMessage().contains("truncated")
                && e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
        // label outside the declared classes
        Path dir2 = tmp.resolve("labels");
        TestData.idx(dir2, "t10k", 6, 2, 2, labels, true);
        e = assertThrows(DataFormatException.class,
                () -> Readers.idx(spark, dir2.toString(), "t10k", ReadOptions.classes(4)));
        assertTrue(e.getMessage().contains("example 5") && e.getMessage().contains("label 4"), e.getMessage());
        // missing directory
        e = assertThrows(DataFormatException.class,
                () -> Readers.idx(spark, tmp.resolve("nope").toString(), "train", ReadOptions.classes(10)));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
        // counts differ
        Path dir3 = tmp.resolve("counts");
        TestData.idx(dir3, "train", 6, 2, 2, new int[] {0, 1, 2}, false);
        e = assertThrows(DataFormatException.class,
                () -> Readers.idx(spark, dir3.toString(), "train", ReadOptions.classes(4)));
        assertTrue(e.getMessage().contains("6 images") && e.getMessage().contains("3 labels"), e.getMessage());
    }

    @Test
    void parquetArrayAndVectorColumnsWithFileAndRowInErrors() throws Exception {
        StructType vec = new StructType().add("type", DataTypes.ByteType).add("size", DataTypes.IntegerType)
                .add("indices", DataTypes.createArrayType(DataTypes.IntegerType))
                .add("values", DataTypes.createArrayType(DataTypes.DoubleType));
        StructType schema = new StructType().add("label", DataTypes.IntegerType)
                .add("arr", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("vec", vec);
        List<Row> rows = new ArrayList<>();
        rows.add(RowFactory.create(0, new double[] {1, 2, 3}, RowFactory.create((byte) 1, null, null, new double[] {1, 2, 3})));
        rows.add(RowFactory.create(1, new double[] {4, 5, 6}, RowFactory.create((byte) 0, 3, new int[] {2}, new double[] {9})));
        rows.add(RowFactory.create(1, new double[] {7, Double.NaN, 9}, RowFactory.create((byte) 1, null, null, new double[] {1, 1, 1})));
        Path out = tmp.resolve("pq");
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(out.toString());
        LabeledData v = Readers.parquet(spark, out.toString(), ReadOptions.classes(2).featuresColumn("vec"));
        List<Example> got = sorted(v);
        assertArrayEquals(new float[] {1, 2, 3}, got.get(0).features);
        assertArrayEquals(new float[] {0, 0, 9}, got.get(1).features);
        v.unpersist();
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Readers.parquet(spark, out.toString(), ReadOptions.classes(2).featuresColumn("arr")));
        assertTrue(e.getMessage().contains(".parquet, row 3") && e.getMessage().contains("NaN"), e.getMessage());
        LabeledData a = Readers.parquet(spark, out.toString(), ReadOptions.classes(2).featuresColumn("arr")
                .dropBadRows(true));
        assertEquals(2, a.count());
        assertEquals(1L, a.report().dropped().get(Problem.NON_FINITE));
        a.unpersist();
    }

    @Test
    void idxInAFolderWithASpaceAndAGzipStreamCutShort() throws Exception {
        int[] labels = {0, 1, 2, 1, 0, 2, 1, 0};
        Path dir = tmp.resolve("my data #1");
        TestData.idx(dir, "train", 8, 3, 3, labels, false);
        LabeledData d = Readers.idx(spark, dir.toString(), "train", ReadOptions.classes(3).partitions(2));
        assertEquals(8, d.count());
        d.unpersist();
        // a download that stopped half way: the gzip stream itself ends early
        Path cut = tmp.resolve("cut");
        TestData.idx(cut, "train", 400, 10, 10, new int[400], true);
        byte[] gz = Files.readAllBytes(cut.resolve("train-images-idx3-ubyte.gz"));
        Files.write(cut.resolve("train-images-idx3-ubyte.gz"), Arrays.copyOf(gz, gz.length / 2));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Readers.idx(spark, cut.toString(), "train", ReadOptions.classes(3)));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz") && e.getMessage().contains("truncated"),
                e.getMessage());
    }

    @Test
    void parquetWithAnIdColumnUsesTheIds() throws Exception {
        StructType schema = new StructType().add("key", DataTypes.LongType).add("label", DataTypes.IntegerType)
                .add("f", DataTypes.createArrayType(DataTypes.DoubleType));
        List<Row> rows = new ArrayList<>();
        rows.add(RowFactory.create(1000L, 0, new double[] {1, 2}));
        rows.add(RowFactory.create(2000L, 1, new double[] {3, 4}));
        rows.add(RowFactory.create(3000L, 1, new double[] {5, Double.NaN}));
        Path out = tmp.resolve("pq-ids");
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(out.toString());
        DataFormatException e = assertThrows(DataFormatException.class, () -> Readers.parquet(spark, out.toString(),
                ReadOptions.classes(2).featuresColumn("f").idColumn("key")));
        assertTrue(e.getMessage().contains("row with id 3000"), e.getMessage());
        LabeledData d = Readers.parquet(spark, out.toString(), ReadOptions.classes(2).featuresColumn("f")
                .idColumn("key").dropBadRows(true));
        List<Example> got = sorted(d);
        assertEquals(List.of(1000L, 2000L), List.of(got.get(0).id, got.get(1).id));
        assertArrayEquals(new float[] {3, 4}, got.get(1).features);
        d.unpersist();
    }

    @Test
    void parquetArraysOfAnyNumberTypeAndTheirNulls() throws Exception {
        StructType schema = new StructType().add("label", DataTypes.LongType)
                .add("f", DataTypes.createArrayType(DataTypes.FloatType, true))
                .add("i", DataTypes.createArrayType(DataTypes.IntegerType, true));
        List<Row> rows = new ArrayList<>();
        rows.add(RowFactory.create(0L, new float[] {1.5f, -2f}, new int[] {3, 4}));
        rows.add(RowFactory.create(1L, new Float[] {7f, null}, new int[] {5, 6}));
        rows.add(RowFactory.create(null, new float[] {1f, 1f}, new int[] {7, 8}));
        rows.add(RowFactory.create(1L, null, new int[] {9, 10}));
        Path out = tmp.resolve("pq-types");
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(out.toString());
        LabeledData ints = Readers.parquet(spark, out.toString(), ReadOptions.classes(2).featuresColumn("i")
                .dropBadRows(true));
        List<Example> got = sorted(ints);
        assertEquals(3, got.size(), "the row with a null label is dropped");
        assertArrayEquals(new float[] {3, 4}, got.get(0).features);
        assertArrayEquals(new float[] {9, 10}, got.get(2).features);
        assertEquals(1L, ints.report().dropped().get(Problem.NOT_A_NUMBER));
        ints.unpersist();
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Readers.parquet(spark, out.toString(), ReadOptions.classes(2).featuresColumn("f")));
        assertTrue(e.getMessage().contains(".parquet, row 2") && e.getMessage().contains("element 1 is null"),
                e.getMessage());
        LabeledData floats = Readers.parquet(spark, out.toString(), ReadOptions.classes(2).featuresColumn("f")
                .dropBadRows(true));
        assertEquals(1, floats.count());
        assertArrayEquals(new float[] {1.5f, -2f}, sorted(floats).get(0).features);
        assertEquals(3L, floats.report().dropped().get(Problem.NOT_A_NUMBER), "null element, null label, null array");
        floats.unpersist();
    }

    @Test
    void dataFrameScalarColumnsAndBadCells() {
        StructType schema = new StructType().add("y", DataTypes.DoubleType).add("x1", DataTypes.FloatType)
                .add("x2", DataTypes.StringType);
        List<Row> rows = List.of(RowFactory.create(0.0, 1f, "2"), RowFactory.create(1.0, 3f, "4"));
        Dataset<Row> df = spark.createDataFrame(rows, schema);
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Readers.dataFrame(df, "frame", ReadOptions.classes(2).label("y")));
        assertTrue(e.getMessage().contains("DataFrame frame, row 1") && e.getMessage().contains("x2"), e.getMessage());
        LabeledData d = Readers.dataFrame(df, "frame", ReadOptions.classes(2).label("y").featureColumns(List.of("x1")));
        assertEquals(2, d.count());
        d.unpersist();
        List<Row> bad = List.of(RowFactory.create(0.0, 1f, "2"), RowFactory.create(null, 3f, "4"));
        e = assertThrows(DataFormatException.class, () -> Readers.dataFrame(spark.createDataFrame(bad, schema),
                "frame", ReadOptions.classes(2).label("y").featureColumns(List.of("x1"))));
        assertTrue(e.getMessage().contains("row 2") && e.getMessage().contains("null"), e.getMessage());
        assertThrows(DataFormatException.class, () -> Readers.dataFrame(spark.createDataFrame(List.of(), schema),
                "empty", ReadOptions.classes(2).label("y").featureColumns(List.of("x1"))));
    }
}
