package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.io.FittedScaler;

/**
 * Row weights on the data path (docs/architecture.md, Conventions, "Row weights"): a DataFrame's weight column rides
 * as the last value of each row through read, validation, packing and every epoch's reshuffle, attached to its row,
 * never scaled and never a feature; a bad weight is a bad row naming the column; all-zero weights are refused.
 */
class RowWeightDataTest {
    private final SparkSession spark = SharedSpark.get();

    /** The weight of row i: a function of the id, zeros included. */
    static float weightOf(long id) {
        return (id % 5) * 0.75f;
    }

    /** Row i: features [i, −2i], class i % 3, target 10 + i, weight {@link #weightOf}(i) (ids: the row order). */
    Dataset<Row> frame(int n) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create(new double[] {i, -2.0 * i}, (double) (i % 3), 10.0 + i, (double) weightOf(i)));
        }
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("label", DataTypes.DoubleType).add("y", DataTypes.DoubleType).add("w", DataTypes.DoubleType);
        return spark.createDataFrame(rows, schema).repartition(3);
    }

    @Test
    void weightsSurviveValidationPackingAndReshuffleAttachedToTheirRows() {
        int n = 300;
        for (boolean regression : new boolean[] {false, true}) {
            ReadOptions read = (regression ? ReadOptions.regression(List.of("y")) : ReadOptions.classes(3))
                    .weightColumn("w");
            // ids: the row's first feature (the ids zipWithIndex gives depend on the partitions, the features do not)
            LabeledData d = Readers.dataFrame(frame(n), "weighted", read);
            assertTrue(d.weighted());
            assertEquals(2, d.inputCount(), "the weight is not a feature");
            assertEquals(2 + (regression ? 1 : 0) + 1, d.featureCount());
            PreparedFold fold = DataPipeline.defaults().split(SplitSpec.none()).scaler(FittedScaler.Kind.ZSCORE).workers(2).batchSize(16)
                    .seed(4).prepare(d).fold(0);
            assertTrue(fold.weighted());
            FittedScaler fs = fold.scaler();
            assertEquals(2, fs.featureCount(), "the model's scaler covers the features only");
            List<Long> order = new ArrayList<>();
            for (int epoch = 1; epoch <= 2; epoch++) {
                List<Long> seen = new ArrayList<>();
                for (Block b : fold.trainBlocks(epoch).collect()) {
                    MiniBatch mb = b.toMiniBatch(regression ? 1 : 0, 0, 0, false, true);
                    assertEquals(b.size * 2, mb.features.length);
                    for (int r = 0; r < b.size; r++) {
                        float x0 = mb.features[2 * r] / fs.scale()[0] + fs.shift()[0]; // the feature, unscaled
                        long id = Math.round(x0);
                        assertEquals(id, x0, 1e-2, "feature 0 scaled back");
                        assertEquals(-2.0 * id, mb.features[2 * r + 1] / fs.scale()[1] + fs.shift()[1], 1e-2);
                        assertEquals(weightOf(id), mb.weights[r], 0f, "row " + id + "'s weight, as read (never scaled)");
                        if (regression) {
                            assertEquals(10f + id, mb.targets[r], 0f, "row " + id + "'s target");
                        } else {
                            assertEquals(id % 3, mb.labels[r], "row " + id + "'s label");
                        }
                        seen.add(id);
                    }
                }
                assertEquals(n, seen.size());
                assertEquals(n, new java.util.HashSet<>(seen).size(), "every row once");
                if (epoch == 1) {
                    order = seen;
                } else {
                    assertNotEquals(order, seen, "the epochs' reshuffles differ");
                }
            }
            fold.unpersist();
            d.unpersist();
        }
    }

    @Test
    void aBadWeightIsABadRowNamingTheColumn() {
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("label", DataTypes.DoubleType).add("w", DataTypes.DoubleType, true);
        Double[] bad = {-1.0, Double.NaN, Double.POSITIVE_INFINITY, null};
        for (Double b : bad) {
            List<Row> rows = new ArrayList<>();
            rows.add(RowFactory.create(new double[] {1, 2}, 0.0, 1.0));
            rows.add(RowFactory.create(new double[] {3, 4}, 1.0, 0.0));
            rows.add(RowFactory.create(new double[] {5, 6}, 1.0, b));
            Dataset<Row> df = spark.createDataFrame(rows, schema).coalesce(1);
            DataFormatException e = assertThrows(DataFormatException.class,
                    () -> Readers.dataFrame(df, "weights", ReadOptions.classes(2).weightColumn("w")));
            assertTrue(e.getMessage().contains("row 3") && e.getMessage().contains("weight column 'w'")
                    && e.getMessage().contains(b == null ? "null" : String.valueOf(b.floatValue())), e.getMessage());
            LabeledData kept = Readers.dataFrame(df, "weights", ReadOptions.classes(2).weightColumn("w")
                    .dropBadRows(true));
            assertEquals(2, kept.count());
            assertEquals(1L, kept.report().dropped().get(Problem.BAD_WEIGHT));
            kept.unpersist();
        }
        Dataset<Row> df = frame(10);
        DataFormatException missing = assertThrows(DataFormatException.class,
                () -> Readers.dataFrame(df, "weights", ReadOptions.classes(3).weightColumn("weight")));
        assertTrue(missing.getMessage().contains("no weight column 'weight'"), missing.getMessage());
        LabeledData unweighted = Readers.dataFrame(df.select("features", "label"), "plain",
                ReadOptions.classes(3).weightColumn(""));
        assertTrue(!unweighted.weighted() && unweighted.featureCount() == 2, "an empty weight column: unweighted");
        unweighted.unpersist();
    }

    @Test
    void allZeroWeightsAndResamplingAreRefusedAndValidationIsUnweighted() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            rows.add(RowFactory.create(new double[] {i, 1}, (double) (i % 2), 0.0));
        }
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("label", DataTypes.DoubleType).add("w", DataTypes.DoubleType);
        LabeledData zero = Readers.dataFrame(spark.createDataFrame(rows, schema), "zeros",
                ReadOptions.classes(2).weightColumn("w"));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> DataPipeline.defaults().split(SplitSpec.none()).workers(1).batchSize(4).prepare(zero).fold(0));
        assertTrue(e.getMessage().contains("every row weight") && e.getMessage().contains("is 0"), e.getMessage());
        zero.unpersist();
        LabeledData d = Readers.dataFrame(frame(60), "weighted", ReadOptions.classes(3).weightColumn("w"));
        IllegalArgumentException v = assertThrows(IllegalArgumentException.class, () -> DataPipeline.defaults()
                .split(SplitSpec.none()).resampling(Resampling.balanceUp()).workers(1).batchSize(4).prepare(d).fold(0));
        assertTrue(v.getMessage().contains("resampling and row weights"), v.getMessage());
        // a holdout: the training blocks carry the weights, the validation blocks (evaluated unweighted) do not
        PreparedFold fold = DataPipeline.defaults().split(SplitSpec.holdout(0.25)).scaler(null).workers(1).batchSize(4)
                .seed(2).prepare(d).fold(0);
        long valRows = 0;
        for (Block b : fold.validationBlocks().collect()) {
            assertEquals(2, b.featureSize, "a validation row: its features, no weight");
            for (int r = 0; r < b.size; r++) {
                assertEquals(b.features[2 * r] % 3, b.labels[r], 0f, "the row's label stays with its features");
            }
            valRows += b.size;
        }
        assertEquals(fold.validationRows(), valRows);
        assertTrue(valRows > 0);
        for (Block b : fold.trainBlocks(1).collect()) {
            assertEquals(3, b.featureSize, "a training row: its features and its weight");
            MiniBatch mb = b.toMiniBatch(0, 0, 0, false, true);
            for (int r = 0; r < b.size; r++) {
                assertEquals(weightOf(Math.round(mb.features[2 * r])), mb.weights[r], 0f);
            }
        }
        assertNull(fold.rowScaler(), "no scaling");
        fold.unpersist();
        assertNull(ReadOptions.classes(2).weightColumn(null).weightColumn());
        d.unpersist();
    }
}
