package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet read from Spark's column vectors ({@link ParquetColumns}) gives what the row path gives: the
 * same rows in the same partitions and order, the same ids, the same bad rows counted with the same
 * messages, the same feature summary, for every element type and for rows to score.
 */
class ParquetColumnsTest {
    private final SparkSession spark = SharedSpark.get();

    @TempDir
    Path tmp;

    /** Rows of label, a 6-long array of the given element type, with every kind of bad row sprinkled in. */
    private Path write(String name, DataType element, DataType label, int rows, int files) {
        Random r = new Random(7);
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            Object[] f = new Object[6];
            for (int k = 0; k < f.length; k++) {
                int v = r.nextInt(256) - 20;
                f[k] = element == DataTypes.DoubleType ? (Object) (v / 7.0) : element == DataTypes.FloatType
                        ? (Object) (v / 7f) : element == DataTypes.LongType ? (Object) (long) v
                        : element == DataTypes.ShortType ? (Object) (short) v : (Object) v;
            }
            Object y = label == DataTypes.DoubleType ? (Object) (double) (i % 3) : (Object) (i % 3);
            switch (i % 97) {
                case 5 -> f[2] = element == DataTypes.DoubleType ? (Object) Double.NaN
                        : element == DataTypes.FloatType ? (Object) Float.NaN : f[2];
                case 41 -> f[5] = element == DataTypes.DoubleType ? (Object) Double.NEGATIVE_INFINITY
                        : element == DataTypes.FloatType ? (Object) Float.POSITIVE_INFINITY : f[5];
                case 43 -> f[0] = element == DataTypes.FloatType ? (Object) Float.MAX_VALUE : f[0]; // finite
                case 11 -> f[4] = null;
                case 17 -> f = new Object[] {f[0], f[1]};
                case 23 -> y = label == DataTypes.DoubleType ? (Object) 7.0 : (Object) 7;
                case 29 -> y = null;
                case 31 -> f = null;
                case 37 -> y = label == DataTypes.DoubleType ? (Object) 1.5 : y;
                default -> { }
            }
            out.add(RowFactory.create(y, f));
        }
        StructType schema = new StructType().add("label", label)
                .add("x", DataTypes.createArrayType(element, true));
        Path p = tmp.resolve(name);
        spark.createDataFrame(out, schema).repartition(files).sortWithinPartitions(functions.rand(3))
                .write().parquet(p.toString());
        return p;
    }

    private static LabeledData read(boolean columnar, Supplier<LabeledData> read) {
        boolean before = FrameSource.columnar;
        FrameSource.columnar = columnar;
        try {
            return read.get();
        } finally {
            FrameSource.columnar = before;
        }
    }

    private static void assertSame(LabeledData rows, LabeledData cols) {
        assertArrayEquals(rows.partitionRows(), cols.partitionRows());
        assertEquals(rows.report().dropped(), cols.report().dropped());
        assertEquals(rows.report().firstDropped(), cols.report().firstDropped());
        assertArrayEquals(rows.report().classCounts(), cols.report().classCounts());
        // the same rows per partition (above) and, in partition order, the same rows one by one
        List<Example> a = rows.rows().collect();
        List<Example> b = cols.rows().collect();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            Example x = a.get(i);
            Example y = b.get(i);
            assertEquals(x.id, y.id);
            assertEquals(x.label, y.label);
            assertArrayEquals(x.features, y.features, "row " + x.id);
        }
        for (boolean z : new boolean[] {true, false}) {
            Moments m = rows.summary(z);
            Moments n = cols.summary(z);
            assertEquals(m.n, n.n);
            assertArrayEquals(m.a, n.a, 0.0);
            assertArrayEquals(m.b, n.b, 0.0);
        }
    }

    @Test
    void theColumnarPathIsUsedForAPlainScanAndNotUnderAShuffle() {
        Path p = write("plain", DataTypes.FloatType, DataTypes.IntegerType, 50, 1);
        var df = spark.read().parquet(p.toString()).select(functions.col("label"), functions.col("x"),
                functions.col("_metadata.file_path"), functions.col("_metadata.row_index"));
        assertNotNull(ParquetColumns.scan(df.queryExecution().executedPlan(), "label", "x", false));
        assertNull(ParquetColumns.scan(df.repartition(3).queryExecution().executedPlan(), "label", "x", false));
        assertNull(ParquetColumns.scan(df.filter("label > 0").queryExecution().executedPlan(), "label", "x", false));
        assertNull(ParquetColumns.scan(df.queryExecution().executedPlan(), "label", "nothere", false));
    }

    @Test
    void sameRowsIdsChecksAndSummaryAsTheRowPathForEveryElementType() {
        DataType[][] types = {{DataTypes.FloatType, DataTypes.IntegerType}, {DataTypes.DoubleType, DataTypes.DoubleType},
            {DataTypes.IntegerType, DataTypes.IntegerType}, {DataTypes.LongType, DataTypes.IntegerType},
            {DataTypes.ShortType, DataTypes.IntegerType}};
        for (DataType[] t : types) {
            Path p = write("t-" + t[0].typeName(), t[0], t[1], 5000, 3);
            var plan = spark.read().parquet(p.toString()).select(functions.col("label"), functions.col("x"),
                    functions.col("_metadata.file_path"), functions.col("_metadata.row_index"))
                    .queryExecution().executedPlan();
            assertNotNull(ParquetColumns.scan(plan, "label", "x", false), t[0] + ": read from the column vectors");
            ReadOptions o = ReadOptions.classes(3).featuresColumn("x").dropBadRows(true).partitions(2);
            LabeledData rows = read(false, () -> Readers.parquet(spark, p.toString(), o));
            LabeledData cols = read(true, () -> Readers.parquet(spark, p.toString(), o));
            assertTrue(rows.report().rowsDropped() > 200, t[0] + ": bad rows of every kind were written");
            assertSame(rows, cols);
            rows.unpersist();
            cols.unpersist();
            // not dropping: the same first bad row, named by file and row
            DataFormatException er = assertThrows(DataFormatException.class,
                    () -> read(false, () -> Readers.parquet(spark, p.toString(), ReadOptions.classes(3).featuresColumn("x"))));
            DataFormatException ec = assertThrows(DataFormatException.class,
                    () -> read(true, () -> Readers.parquet(spark, p.toString(), ReadOptions.classes(3).featuresColumn("x"))));
            assertEquals(er.getMessage(), ec.getMessage());
            assertTrue(ec.getMessage().contains(".parquet, row "), ec.getMessage());
        }
    }

    @Test
    void rowsToScoreReadTheSameWithoutALabel() {
        Path p = write("score", DataTypes.FloatType, DataTypes.IntegerType, 3000, 2);
        ReadOptions o = ReadOptions.classes(3).featuresColumn("x").dropBadRows(true).unlabelled();
        LabeledData rows = read(false, () -> Readers.parquet(spark, p.toString(), o));
        LabeledData cols = read(true, () -> Readers.parquet(spark, p.toString(), o));
        assertSame(rows, cols);
        assertEquals(3, rows.report().classCounts().length);
        assertEquals(rows.count(), rows.report().classCounts()[0], "every row to score has label 0");
        rows.unpersist();
        cols.unpersist();
    }
}
