package org.sparktrain.driver.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.TestSpark;

/** The Spark ML face: fit on a DataFrame, transform adds probability and prediction, save/load round trip. */
class SparktrainClassifierTest {
    static final String SPEC = """
            input: [4]
            classes: 3
            layers:
              - {type: dense, units: 16, activation: tanh}
              - {type: dense, units: 3, activation: softmax}
            optimizer: {type: adam, lr: 0.02}
            training: {batch_size: 16, epochs: 6, seed: 2}
            """;

    static Dataset<Row> frame(SparkSession spark, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int y = r.nextInt(3);
            double[] x = new double[4];
            for (int j = 0; j < 4; j++) {
                x[j] = r.nextGaussian() * 0.5 + (j == y ? 2 : 0) + 100 * (j == 3 ? 1 : 0);
            }
            rows.add(RowFactory.create(Vectors.dense(x), (double) y));
        }
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType())
                .add("label", DataTypes.DoubleType);
        return spark.createDataFrame(rows, schema);
    }

    static double accuracy(Dataset<Row> scored) {
        long right = scored.filter("prediction = label").count();
        return right / (double) scored.count();
    }

    @Test
    void fitsTransformsAndRoundTrips(@TempDir Path dir) throws Exception {
        SparkSession spark = TestSpark.session();
        SparktrainClassifier clf = new SparktrainClassifier().setSpec(SPEC).setWorkers(2).setScaling("zscore");
        SparktrainClassificationModel model = clf.fit(frame(spark, 600, 1));
        Dataset<Row> test = frame(spark, 200, 2);
        Dataset<Row> scored = model.transform(test);
        assertTrue(List.of(scored.schema().fieldNames()).containsAll(List.of("probability", "prediction")));
        double acc = accuracy(scored);
        assertTrue(acc > 0.9, "accuracy " + acc);
        Row first = scored.first();
        Vector p = first.getAs("probability");
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            sum += p.apply(c);
        }
        assertEquals(1.0, sum, 1e-5);
        assertTrue(model.contents().scaler().isPresent(), "the fitted scaler travels with the model");

        String file = dir.resolve("model.sptr").toString();
        model.save(spark, file);
        SparktrainClassificationModel loaded = SparktrainClassificationModel.load(spark, file);
        List<Row> a = scored.select("prediction").collectAsList();
        List<Row> b = loaded.transform(test).select("prediction").collectAsList();
        assertEquals(a, b);
    }

    @Test
    void classWeightsWeighTheLossAndAreRecordedInTheModel() {
        SparkSession spark = TestSpark.session();
        SparktrainClassifier clf = new SparktrainClassifier().setSpec(SPEC).setWorkers(2).setScaling("zscore")
                .setClassWeight("1,2,1");
        SparktrainClassificationModel model = clf.fit(frame(spark, 300, 3));
        assertEquals("1,2,1 = [1.0, 2.0, 1.0]", model.contents().provenance().get("class.weights"));
        assertTrue(accuracy(model.transform(frame(spark, 100, 4))) > 0.85);
        java.util.Map<String, String> none = new SparktrainClassifier().setSpec(SPEC).setWorkers(2).setEpochs(1)
                .fit(frame(spark, 100, 5)).contents().provenance();
        assertTrue(!none.containsKey("class.weights"), none.toString());
        // the averaging in words, as the command line writes it
        assertEquals("parameter averaging every 5 step(s)", none.get("averaging"));
    }
}
