package org.sparktrain.driver.ml;

import java.io.IOException;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.engine.io.FittedScaler;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.spec.ModelSpec;

/**
 * A trained sparktrain regressor as a Spark ML {@link Model} (docs/architecture.md, "Regression"): {@code transform}
 * adds a {@code prediction} column, a double for one output (as Spark ML regressors do) or an ML vector for more,
 * computed on the executors with the feature scaler applied first and the target scaler inverted after, so
 * predictions are in the targets' own units. Persistence as {@link SparktrainClassificationModel}'s: a stage
 * directory ({@code metadata/} and {@code model.sptr}) with {@link #write()} / {@link #load(String)}, or the single
 * model file with {@link #save(SparkSession, String)} / {@link #load(SparkSession, String)}.
 */
public final class SparktrainRegressionModel extends SparktrainModel<SparktrainRegressionModel> {
    private static final long serialVersionUID = 1L;

    SparktrainRegressionModel(String uid, ModelContents contents) {
        super(uid, contents, "output column of the prediction, in the targets' units");
    }

    @Override
    protected SparktrainRegressionModel make(String uid, ModelContents contents) {
        return new SparktrainRegressionModel(uid, contents);
    }

    private int outputs() {
        return ModelSpec.parse(contents().spec(), uid()).outputs();
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        UDF1<Object, float[]> raw = rowPredictor(dataset);
        FittedScaler targetScaler = contents().targetScaler().orElse(null);
        UDF1<Object, double[]> predict = value -> {
            float[] p = raw.call(value);
            if (targetScaler != null) {
                targetScaler.invert(p, 0, 1);
            }
            double[] d = new double[p.length];
            for (int j = 0; j < p.length; j++) {
                d[j] = p[j];
            }
            return d;
        };
        UserDefinedFunction udf = outputs() == 1
                ? functions.udf((UDF1<Object, Double>) v -> predict.call(v)[0], DataTypes.DoubleType)
                : functions.udf((UDF1<Object, org.apache.spark.ml.linalg.Vector>) v -> Vectors.dense(predict.call(v)),
                        SQLDataTypes.VectorType());
        return dataset.withColumn($(predictionCol()), udf.apply(functions.col($(featuresCol()))));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return outputSchema(schema, $(featuresCol()), $(predictionCol()), outputs());
    }

    static StructType outputSchema(StructType schema, String features, String prediction, int outputs) {
        return requireFeatures(schema, features).add(new StructField(prediction, outputs == 1 ? DataTypes.DoubleType
                : SQLDataTypes.VectorType(), false, org.apache.spark.sql.types.Metadata.empty()));
    }

    /** Reads a single regression model file (from {@link #save(SparkSession, String)} or {@code sparktrain train}). */
    public static SparktrainRegressionModel load(SparkSession spark, String path) throws IOException {
        return new SparktrainRegressionModel(org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("sparktrain"),
                readModelFile(spark, path)).checked(path);
    }

    @Override
    protected SparktrainRegressionModel checked(String path) {
        if (!ModelSpec.parse(contents().spec(), path).regression()) {
            throw new IllegalArgumentException(path + " holds a classifier (its spec has classes:, no outputs:); load"
                    + " it with SparktrainClassificationModel");
        }
        return this;
    }

    public static MLReader<SparktrainRegressionModel> read() {
        return new Reader<>(SparktrainRegressionModel.class, SparktrainRegressionModel::new);
    }

    public static SparktrainRegressionModel load(String path) {
        return read().load(path);
    }
}
