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
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.io.FittedScaler;

/**
 * Regression inputs (docs/architecture.md, "Regression"): float targets read after the features from CSV and
 * Parquet, a bad target named by file, row and column, the rows stratified by target bins, and the target scaler
 * fitted on the training part only.
 */
class RegressionDataTest {
    private final SparkSession spark = SharedSpark.get();

    @TempDir
    Path tmp;

    @Test
    void csvTargetsRideAfterTheFeaturesAndBinsStratifyTheRows() throws Exception {
        StringBuilder sb = new StringBuilder("y,a,b\n");
        for (int i = 0; i < 200; i++) {
            sb.append(1000 + i).append(',').append(i % 7).append(',').append(0.5 * i).append('\n');
        }
        Path csv = tmp.resolve("r.csv");
        Files.writeString(csv, sb.toString());
        LabeledData d = Readers.csv(spark, csv.toString(), ReadOptions.regression(List.of("y")).partitions(2));
        assertEquals(1, d.targetCount());
        assertEquals(3, d.featureCount());
        assertEquals(2, d.inputCount());
        Example first = d.rows().collect().stream().filter(e -> e.features[2] == 1000f).findFirst().orElseThrow();
        assertArrayEquals(new float[] {0, 0, 1000}, first.features); // [a, b, y]
        LabeledData binned = d.binnedByTarget(10, 7);
        long[] perBin = binned.report().classCounts();
        assertEquals(10, perBin.length);
        for (long c : perBin) {
            assertEquals(20, c, java.util.Arrays.toString(perBin)); // 200 distinct targets: exact deciles
        }
        // a holdout of the binned rows: the target scaler is fitted on the training part only
        PreparedFold fold = DataPipeline.defaults().split(SplitSpec.holdout(0.5)).scaler(null)
                .targetScaler(FittedScaler.Kind.MINMAX).workers(2).batchSize(8).seed(3).prepare(binned).fold(0);
        FittedScaler ts = fold.targetScaler();
        assertEquals(1, ts.featureCount());
        assertNull(fold.scaler(), "features not scaled");
        assertTrue(ts.shift()[0] >= 1000 && ts.shift()[0] < 1010, "training minimum " + ts.shift()[0]);
        assertEquals(100, fold.trainRows());
        assertEquals(100, fold.validationRows());
        // the minibatches hold the features and the scaled targets apart
        for (Block b : fold.trainBlocks(1).collect()) {
            MiniBatch mb = b.toMiniBatch(1);
            assertEquals(b.size * 2, mb.features.length);
            for (int i = 0; i < b.size; i++) {
                assertTrue(mb.targets[i] >= 0 && mb.targets[i] <= 1, "min-max scaled target " + mb.targets[i]);
                assertEquals(mb.features[2 * i + 1] * 2 + 1000, mb.targets[i] / ts.scale()[0] + ts.shift()[0], 1e-2);
            }
        }
        fold.unpersist();
        binned.unpersist();
    }

    @Test
    void aMissingOrNonNumericTargetIsNamedByFileRowAndColumn() throws Exception {
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("price", DataTypes.DoubleType, true);
        List<Row> rows = new ArrayList<>();
        rows.add(RowFactory.create(new double[] {1, 2}, 10.0));
        rows.add(RowFactory.create(new double[] {3, 4}, 12.5));
        rows.add(RowFactory.create(new double[] {5, 6}, null));
        Path out = tmp.resolve("pq");
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(out.toString());
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Readers.parquet(spark, out.toString(), ReadOptions.regression(List.of("price"))));
        assertTrue(e.getMessage().contains(".parquet, row 3") && e.getMessage().contains("target column 'price'")
                && e.getMessage().contains("null"), e.getMessage());
        LabeledData kept = Readers.parquet(spark, out.toString(), ReadOptions.regression(List.of("price"))
                .dropBadRows(true));
        assertEquals(2, kept.count());
        assertEquals(3, kept.featureCount());
        assertTrue(kept.rows().collect().stream().anyMatch(x -> x.features[2] == 12.5f));
        kept.unpersist();
        DataFormatException missing = assertThrows(DataFormatException.class,
                () -> Readers.parquet(spark, out.toString(), ReadOptions.regression(List.of("cost"))));
        assertTrue(missing.getMessage().contains("no target column 'cost'"), missing.getMessage());
    }

    /** docs/architecture.md, decision 5: the bins depend on the seed and the rows, not on how Spark split the input. */
    @Test
    void binsAreTheSameWhateverThePartitioning() throws Exception {
        StringBuilder sb = new StringBuilder("a,y\n");
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        for (int i = 0; i < 500; i++) {
            sb.append(i).append(',').append((float) r.nextGaussian()).append('\n');
        }
        Path csv = tmp.resolve("p.csv");
        Files.writeString(csv, sb.toString());
        java.util.Map<Long, Integer> first = null;
        for (int parts : new int[] {1, 3}) {
            LabeledData b = Readers.csv(spark, csv.toString(), ReadOptions.regression(List.of("y")).partitions(parts))
                    .binnedByTarget(10, 5);
            java.util.Map<Long, Integer> labels = new java.util.TreeMap<>();
            for (Example e : b.rows().collect()) {
                labels.put(e.id, e.label);
            }
            b.unpersist();
            if (first == null) {
                first = labels;
            } else {
                assertEquals(first, labels);
            }
        }
        assertEquals(500, first.size());
    }
}
