package org.sparktrain.driver.ml;

import java.io.IOException;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.engine.io.ModelContents;

/**
 * A trained sparktrain network as a Spark ML {@link Model}: {@code transform} adds a {@code probability}
 * column (ML vector, one entry per class) and a {@code prediction} column (the most probable class, as a
 * double, as Spark ML classifiers do), computed on the executors with the model's fitted scaler applied
 * first.
 *
 * <p>Two ways to persist it, neither using Java serialization:
 * <ul>
 * <li>Spark ML persistence ({@link MLWritable}): {@code write().save(dir)} (or {@code save(dir)}) and
 * {@link #load(String)} / {@link #read()}, so a {@code PipelineModel} holding this stage saves and loads with
 * {@code PipelineModel.write().save(dir)} / {@code PipelineModel.load(dir)}. The stage directory holds Spark's
 * params metadata ({@code metadata/}, JSON: uid, featuresCol, probabilityCol, predictionCol) and the network as a
 * sparktrain model file {@code model.sptr} (docs/model-file.md). An existing directory is replaced only with
 * {@code write().overwrite()}, and then atomically: a failed save leaves the previous stage as it was (Spark's
 * own {@code PipelineModel} writer, though, deletes an existing pipeline directory before writing).</li>
 * <li>The single model file ({@link #save(SparkSession, String)} / {@link #load(SparkSession, String)}), the
 * format {@code sparktrain train} writes and {@code sparktrain score} reads, through Hadoop's FileSystem. It holds
 * the network only: the uid and column params are not kept.</li>
 * </ul>
 */
public final class SparktrainClassificationModel extends SparktrainModel<SparktrainClassificationModel> {
    private static final long serialVersionUID = 1L;
    private final Param<String> probabilityCol;

    SparktrainClassificationModel(String uid, ModelContents contents) {
        super(uid, contents, "output column of the predicted class");
        probabilityCol = new Param<>(this, "probabilityCol", "output column of class probabilities");
        setDefault(probabilityCol, "probability");
    }

    @Override
    protected SparktrainClassificationModel make(String uid, ModelContents contents) {
        return new SparktrainClassificationModel(uid, contents);
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public SparktrainClassificationModel setProbabilityCol(String c) {
        set(probabilityCol, c);
        return this;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        UDF1<Object, float[]> predict = rowPredictor(dataset);
        UDF1<Object, Vector> probabilities = value -> {
            float[] p = predict.call(value);
            double[] d = new double[p.length];
            for (int c = 0; c < p.length; c++) {
                d[c] = p[c];
            }
            return Vectors.dense(d);
        };
        UserDefinedFunction probUdf = functions.udf(probabilities, SQLDataTypes.VectorType());
        UserDefinedFunction argmax = functions.udf((UDF1<Vector, Double>) v -> (double) v.argmax(),
                DataTypes.DoubleType);
        Column prob = probUdf.apply(functions.col($(featuresCol())));
        Dataset<Row> withProb = dataset.withColumn($(probabilityCol), prob);
        return withProb.withColumn($(predictionCol()), argmax.apply(functions.col($(probabilityCol))));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return outputSchema(schema, $(featuresCol()), $(probabilityCol), $(predictionCol()));
    }

    static StructType outputSchema(StructType schema, String features, String probability, String prediction) {
        return requireFeatures(schema, features).add(new StructField(probability, SQLDataTypes.VectorType(), false,
                org.apache.spark.sql.types.Metadata.empty())).add(prediction, DataTypes.DoubleType, false);
    }

    /**
     * Reads a single model file written by {@link #save(SparkSession, String)} or by {@code sparktrain train};
     * the model gets a new uid and default column params.
     */
    public static SparktrainClassificationModel load(SparkSession spark, String path) throws IOException {
        return new SparktrainClassificationModel(org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("sparktrain"),
                readModelFile(spark, path));
    }

    /** The reader {@code PipelineModel.load} finds by reflection (Spark ML's {@code MLReadable} companion). */
    public static MLReader<SparktrainClassificationModel> read() {
        return new Reader<>(SparktrainClassificationModel.class, SparktrainClassificationModel::new);
    }

    /** Reads a stage directory written by {@code write().save(path)}; {@code read().load(path)}. */
    public static SparktrainClassificationModel load(String path) {
        return read().load(path);
    }
}
