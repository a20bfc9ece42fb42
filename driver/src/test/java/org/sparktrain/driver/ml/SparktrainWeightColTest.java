package org.sparktrain.driver.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.TestSpark;

/**
 * Spark ML's {@code weightCol} on both estimators (docs/architecture.md, Conventions, "Row weights").
 *
 * <p>Weight 3 against the rows tripled, compared within float tolerance: one worker, plain SGD and a batch larger than
 * the data, so every epoch is one full-batch step and the shuffle only reorders a sum. The weighted loss is
 * {@code Σ w L / N} over the N rows read, the tripled data's {@code Σ L / N'} over its N' rows, so the weighted run's
 * learning rate is the tripled run's times N / N' (the same step); what remains is the float summation order.
 */
class SparktrainWeightColTest {
    static final int N = 60;
    static final int HEAVY = 20; // rows of class 0 (classifier) or with x1 > 0 (regressor, about half): weight 3

    static String spec(String head, String last, String loss, double lr) {
        return "input: [2]\n" + head + "\nlayers:\n  - {type: dense, units: 6, activation: tanh}\n  - " + last + "\n"
                + loss + "optimizer: {type: sgd, lr: " + lr + "}\ntraining: {batch_size: 256, epochs: 5, seed: 3}\n";
    }

    /** Rows of (features, label, y, w): class 0 rows (the first HEAVY) weigh 3, or appear 3 times when tripled. */
    static Dataset<Row> frame(SparkSession spark, boolean tripled, boolean weighted) {
        SplittableRandom r = new SplittableRandom(11);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            int y = i < HEAVY ? 0 : 1 + i % 2;
            double a = r.nextGaussian() + (y == 1 ? 1 : 0);
            double b = r.nextGaussian() - (y == 2 ? 1 : 0);
            Row row = RowFactory.create(new double[] {a, b}, (double) y, 3 * a - b + 0.1 * r.nextGaussian(),
                    weighted && y == 0 ? 3.0 : 1.0);
            for (int c = 0; c < (tripled && y == 0 ? 3 : 1); c++) {
                rows.add(row);
            }
        }
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("label", DataTypes.DoubleType).add("y", DataTypes.DoubleType).add("w", DataTypes.DoubleType);
        return spark.createDataFrame(rows, schema);
    }

    static double maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static final double LR = 0.5;
    static final double LR_WEIGHTED = LR * N / (N + 2.0 * HEAVY);

    @Test
    void weightThreeTrainsAsTheRowsTripledClassifier() {
        SparkSession spark = TestSpark.session();
        String head = "classes: 3";
        String last = "{type: dense, units: 3, activation: softmax}";
        float[] tripled = new SparktrainClassifier().setSpec(spec(head, last, "", LR)).setWorkers(1)
                .fit(frame(spark, true, false)).contents().params();
        SparktrainClassificationModel weighted = new SparktrainClassifier().setSpec(spec(head, last, "", LR_WEIGHTED))
                .setWorkers(1).setWeightCol("w").fit(frame(spark, false, true));
        float[] plain = new SparktrainClassifier().setSpec(spec(head, last, "", LR_WEIGHTED)).setWorkers(1)
                .fit(frame(spark, false, true)).contents().params();
        double same = maxDiff(tripled, weighted.contents().params());
        double other = maxDiff(tripled, plain);
        assertTrue(same < 1e-5, "weighted vs tripled: max |Δθ| " + same);
        assertTrue(other > 1e-3, "unweighted vs tripled: max |Δθ| " + other + " (the comparison can fail)");
        assertEquals("w", weighted.trainedWeightCol());
    }

    @Test
    void weightThreeTrainsAsTheRowsTripledRegressor() {
        SparkSession spark = TestSpark.session();
        String head = "outputs: 1";
        String last = "{type: dense, units: 1}";
        String loss = "loss: mse\n";
        float[] tripled = new SparktrainRegressor().setSpec(spec(head, last, loss, LR / 10)).setLabelCol("y")
                .setTargetScaling("none").setWorkers(1).fit(frame(spark, true, false)).contents().params();
        SparktrainRegressionModel weighted = new SparktrainRegressor().setSpec(spec(head, last, loss, LR_WEIGHTED / 10))
                .setLabelCol("y").setTargetScaling("none").setWorkers(1).setWeightCol("w").fit(frame(spark, false, true));
        float[] plain = new SparktrainRegressor().setSpec(spec(head, last, loss, LR_WEIGHTED / 10)).setLabelCol("y")
                .setTargetScaling("none").setWorkers(1).fit(frame(spark, false, true)).contents().params();
        double same = maxDiff(tripled, weighted.contents().params());
        double other = maxDiff(tripled, plain);
        assertTrue(same < 1e-5, "weighted vs tripled: max |Δθ| " + same);
        assertTrue(other > 1e-3, "unweighted vs tripled: max |Δθ| " + other + " (the comparison can fail)");
        assertEquals("w", weighted.contents().provenance().get("weight.column"));
    }

    /**
     * The model file records the weight column, a save/load keeps it, {@code transform} ignores it (a frame without
     * it scores); the estimator's weightCol round-trips; a model trained without one (as every older file) has none.
     */
    @Test
    void persistenceKeepsTheWeightColumnAndTransformIgnoresIt(@TempDir Path dir) throws Exception {
        SparkSession spark = TestSpark.session();
        SparktrainClassifier clf = new SparktrainClassifier().setSpec(spec("classes: 3",
                "{type: dense, units: 3, activation: softmax}", "", LR)).setWorkers(1).setWeightCol("w");
        SparktrainClassificationModel model = clf.fit(frame(spark, false, true));
        String file = dir.resolve("model.sptr").toString();
        model.save(spark, file);
        SparktrainClassificationModel loaded = SparktrainClassificationModel.load(spark, file);
        assertEquals("w", loaded.trainedWeightCol());
        Dataset<Row> noWeights = frame(spark, false, false).drop("w");
        assertEquals(model.transform(frame(spark, false, true)).select("prediction").collectAsList(),
                loaded.transform(noWeights).select("prediction").collectAsList());
        String stage = dir.resolve("stage").toString();
        model.write().save(stage);
        assertEquals("w", SparktrainClassificationModel.load(stage).trainedWeightCol());
        String est = dir.resolve("est").toString();
        clf.write().save(est);
        assertEquals("w", SparktrainClassifier.load(est).getOrDefault(SparktrainClassifier.load(est).weightCol()));
        SparktrainClassificationModel unweighted = new SparktrainClassifier().setSpec(spec("classes: 3",
                "{type: dense, units: 3, activation: softmax}", "", LR)).setWorkers(1).setWeightCol("")
                .fit(frame(spark, false, true));
        assertNull(unweighted.trainedWeightCol(), "an empty weightCol: unweighted, nothing recorded");
        // a bad weight fails the fit naming the column
        Dataset<Row> bad = frame(spark, false, true).withColumn("w", org.apache.spark.sql.functions.lit(-2.0));
        Exception e = assertThrows(Exception.class, () -> clf.fit(bad));
        assertTrue(e.getMessage().contains("weight column 'w'"), e.getMessage());
    }
}
