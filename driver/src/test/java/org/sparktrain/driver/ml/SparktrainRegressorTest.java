package org.sparktrain.driver.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.TestSpark;

/** The Spark ML regressor (docs/architecture.md, "Regression"): fit, predictions in the target's units, persistence. */
class SparktrainRegressorTest {
    static final String SPEC = """
            input: [2]
            outputs: 1
            layers:
              - {type: dense, units: 8, activation: tanh}
              - {type: dense, units: 1}
            optimizer: {type: adam, lr: 0.02}
            training: {batch_size: 32, epochs: 25, seed: 4}
            """;

    /** y = 300 + 20·x1 − 10·x2 + N(0, 1): far from unit scale, so an uninverted prediction is far off. */
    static Dataset<Row> frame(SparkSession spark, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            rows.add(RowFactory.create(new double[] {a, b}, 300 + 20 * a - 10 * b + r.nextGaussian()));
        }
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("price", DataTypes.DoubleType);
        return spark.createDataFrame(rows, schema);
    }

    static double rmse(Dataset<Row> scored) {
        List<Row> rows = scored.select("price", "prediction").collectAsList();
        double s = 0;
        for (Row r : rows) {
            double d = r.getDouble(0) - r.getDouble(1);
            s += d * d;
        }
        return Math.sqrt(s / rows.size());
    }

    @Test
    void fitsPredictsInTheTargetsUnitsAndPersists(@TempDir Path dir) throws Exception {
        SparkSession spark = TestSpark.session();
        Dataset<Row> train = frame(spark, 400, 1).cache();
        Dataset<Row> test = frame(spark, 200, 2).cache();
        SparktrainRegressor est = new SparktrainRegressor().setSpec(SPEC).setLabelCol("price").setWorkers(2)
                .setTransport("job");
        PipelineModel pm = new Pipeline().setStages(new PipelineStage[] {est}).fit(train);
        SparktrainRegressionModel model = (SparktrainRegressionModel) pm.stages()[0];
        assertTrue(model.contents().targetScaler().isPresent(), "zscore target scaler by default");
        double e = rmse(model.transform(test));
        assertTrue(e < 3, "test RMSE " + e + " (noise 1, targets' sd about 22)");

        // a stage directory and a pipeline directory load back to the same predictions
        String stageDir = dir.resolve("stage").toString();
        model.write().save(stageDir);
        assertEquals(e, rmse(SparktrainRegressionModel.load(stageDir).transform(test)), 0);
        String pipeDir = dir.resolve("pipeline").toString();
        pm.write().save(pipeDir);
        assertEquals(e, rmse(PipelineModel.load(pipeDir).transform(test)), 0);
        String estDir = dir.resolve("estimator").toString();
        est.write().save(estDir);
        SparktrainRegressor back = SparktrainRegressor.load(estDir);
        assertEquals(est.uid(), back.uid());
        assertEquals("price", back.getOrDefault(back.labelCol()));
        assertEquals(SPEC, back.getOrDefault(back.spec()));
        train.unpersist();
        test.unpersist();
    }

    @Test
    void aClassificationSpecOrAMissingTargetIsRefused() {
        SparkSession spark = TestSpark.session();
        Dataset<Row> df = frame(spark, 20, 3);
        IllegalArgumentException cls = assertThrows(IllegalArgumentException.class, () -> new SparktrainRegressor()
                .setSpec(SparktrainPersistenceTest.SPEC).setLabelCol("price").fit(df));
        assertTrue(cls.getMessage().contains("SparktrainClassifier"), cls.getMessage());
        IllegalArgumentException two = assertThrows(IllegalArgumentException.class, () -> new SparktrainRegressor()
                .setSpec(SPEC).setLabelCol("price,cost").fit(df));
        assertTrue(two.getMessage().contains("outputs: 1"), two.getMessage());
    }
}
