package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-label inputs (docs/architecture.md, "Multi-label"): K 0/1 label columns read after the features from CSV and
 * Parquet, a row's class its first label (what splits stratify on), a value other than 0/1 named by file, row and
 * column.
 */
class MultiLabelDataTest {
    private final SparkSession spark = SharedSpark.get();

    @TempDir
    Path tmp;

    @Test
    void csvLabelsRideAfterTheFeaturesAndTheFirstLabelIsTheRowsClass() throws Exception {
        Path csv = tmp.resolve("m.csv");
        Files.writeString(csv, "x,b,a,y\n0.5,1,0,2\n1.5,0,1,3\n2.5,1,1,4\n");
        LabeledData d = Readers.csv(spark, csv.toString(), ReadOptions.multiLabel(List.of("a", "b")).partitions(2));
        assertEquals(2, d.targetCount());
        assertEquals(2, d.inputCount());
        List<Example> rows = new ArrayList<>(d.rows().collect());
        rows.sort((p, q) -> Float.compare(p.features[0], q.features[0]));
        assertArrayEquals(new float[] {0.5f, 2, 0, 1}, rows.get(0).features); // [x, y, a, b]
        assertEquals(0, rows.get(0).label); // a
        assertEquals(1, rows.get(1).label);
        assertArrayEquals(new long[] {1, 2}, d.report().classCounts());
        d.unpersist();
    }

    @Test
    void aLabelOtherThanZeroOrOneIsNamedByFileRowAndColumnInParquet() throws Exception {
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("spam", DataTypes.IntegerType, true).add("urgent", DataTypes.DoubleType, true);
        List<Row> rows = new ArrayList<>();
        rows.add(RowFactory.create(new double[] {1, 2}, 1, 0.0));
        rows.add(RowFactory.create(new double[] {3, 4}, 0, 1.0));
        rows.add(RowFactory.create(new double[] {5, 6}, 1, 0.5));
        Path out = tmp.resolve("pq");
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(out.toString());
        ReadOptions o = ReadOptions.multiLabel(List.of("spam", "urgent"));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Readers.parquet(spark, out.toString(), o));
        assertTrue(e.getMessage().contains(".parquet, row 3") && e.getMessage().contains("label column 'urgent'")
                && e.getMessage().contains("0.5"), e.getMessage());
        LabeledData kept = Readers.parquet(spark, out.toString(), ReadOptions.multiLabel(List.of("spam", "urgent"))
                .dropBadRows(true));
        assertEquals(2, kept.count());
        assertArrayEquals(new long[] {1, 1}, kept.report().classCounts()); // spam: one 0, one 1
        kept.unpersist();
    }
}
