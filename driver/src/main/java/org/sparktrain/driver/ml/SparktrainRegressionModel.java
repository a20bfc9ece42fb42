package org.sparktrain.driver.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.driver.train.AtomicWrite;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.io.FittedScaler;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.train.RoundVector;

/**
 * A trained sparktrain regressor as a Spark ML {@link Model} (docs/architecture.md, "Regression"): {@code transform}
 * adds a {@code prediction} column, a double for one output (as Spark ML regressors do) or an ML vector for more,
 * computed on the executors with the feature scaler applied first and the target scaler inverted after, so
 * predictions are in the targets' own units. Persistence as {@link SparktrainClassificationModel}'s: a stage
 * directory ({@code metadata/} and {@code model.sptr}) with {@link #write()} / {@link #load(String)}, or the single
 * model file with {@link #save(SparkSession, String)} / {@link #load(SparkSession, String)}.
 */
public final class SparktrainRegressionModel extends Model<SparktrainRegressionModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    private static final ThreadLocal<Map<String, Network>> NETWORKS = ThreadLocal.withInitial(HashMap::new);

    private final String uid;
    private final transient ModelContents contents;
    private final Param<String> featuresCol;
    private final Param<String> predictionCol;

    SparktrainRegressionModel(String uid, ModelContents contents) {
        this.uid = uid;
        this.contents = contents;
        featuresCol = new Param<>(this, "featuresCol", "features column: ML vector or array of numbers");
        predictionCol = new Param<>(this, "predictionCol", "output column of the prediction, in the targets' units");
        setDefault(featuresCol, "features");
        setDefault(predictionCol, "prediction");
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public SparktrainRegressionModel setFeaturesCol(String c) {
        set(featuresCol, c);
        return this;
    }

    public SparktrainRegressionModel setPredictionCol(String c) {
        set(predictionCol, c);
        return this;
    }

    /** The model file contents (spec, parameters, state, scalers, provenance). */
    public ModelContents contents() {
        return contents;
    }

    private int outputs() {
        return ModelSpec.parse(contents.spec(), uid).outputs();
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        Network net = Network.restore(contents, uid);
        int outputs = net.outputShape().size();
        int features = net.inputShape().size();
        Broadcast<float[]> weights = sc.broadcast(RoundVector.packParamsAndState(net));
        String spec = contents.spec();
        FittedScaler scaler = contents.scaler().orElse(null);
        FittedScaler targetScaler = contents.targetScaler().orElse(null);
        String key = uid + "/" + System.identityHashCode(contents);
        UDF1<Object, double[]> predict = value -> {
            float[] x = SparktrainClassificationModel.toFloats(value, features);
            if (scaler != null) {
                scaler.apply(x, 0, 1);
            }
            Network n = NETWORKS.get().computeIfAbsent(key, k -> {
                Network built = Network.build(ModelSpec.parse(spec, "model"), 0);
                RoundVector.unpackParamsAndState(weights.value(), built);
                return built;
            });
            float[] p = new float[outputs];
            n.predict(x, 1, p);
            if (targetScaler != null) {
                targetScaler.invert(p, 0, 1);
            }
            double[] d = new double[outputs];
            for (int j = 0; j < outputs; j++) {
                d[j] = p[j];
            }
            return d;
        };
        UserDefinedFunction udf = outputs == 1
                ? functions.udf((UDF1<Object, Double>) v -> predict.call(v)[0], DataTypes.DoubleType)
                : functions.udf((UDF1<Object, org.apache.spark.ml.linalg.Vector>) v -> Vectors.dense(predict.call(v)),
                        SQLDataTypes.VectorType());
        return dataset.withColumn($(predictionCol), udf.apply(functions.col($(featuresCol))));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return outputSchema(schema, $(featuresCol), $(predictionCol), outputs());
    }

    static StructType outputSchema(StructType schema, String features, String prediction, int outputs) {
        if (!java.util.Arrays.asList(schema.fieldNames()).contains(features)) {
            throw new IllegalArgumentException("no features column '" + features + "' (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        return schema.add(new StructField(prediction, outputs == 1 ? DataTypes.DoubleType : SQLDataTypes.VectorType(),
                false, org.apache.spark.sql.types.Metadata.empty()));
    }

    @Override
    public SparktrainRegressionModel copy(ParamMap extra) {
        SparktrainRegressionModel m = new SparktrainRegressionModel(uid, contents);
        return copyValues(m, extra).setParent(parent());
    }

    /** Writes the single model file (atomically) to any Hadoop path; for a stage directory use {@link #write}. */
    public void save(SparkSession spark, String path) throws IOException {
        AtomicWrite.write(spark.sparkContext().hadoopConfiguration(), path, o -> ModelFile.write(o, contents));
    }

    /** Reads a single regression model file (from {@link #save(SparkSession, String)} or {@code sparktrain train}). */
    public static SparktrainRegressionModel load(SparkSession spark, String path) throws IOException {
        return regression(new SparktrainRegressionModel(org.apache.spark.ml.util.Identifiable$.MODULE$
                .randomUID("sparktrain"), SparktrainClassificationModel.readModelFile(spark, path)), path);
    }

    private static SparktrainRegressionModel regression(SparktrainRegressionModel m, String path) {
        if (!ModelSpec.parse(m.contents.spec(), path).regression()) {
            throw new IllegalArgumentException(path + " holds a classifier (its spec has classes:, no outputs:); load"
                    + " it with SparktrainClassificationModel");
        }
        return m;
    }

    @Override
    public MLWriter write() {
        return new StagePersistence.Writer(this, contents);
    }

    public static MLReader<SparktrainRegressionModel> read() {
        return new Reader();
    }

    public static SparktrainRegressionModel load(String path) {
        return read().load(path);
    }

    private static final class Reader extends MLReader<SparktrainRegressionModel> {
        @Override
        public SparktrainRegressionModel load(String path) {
            SparkSession spark = sparkSession();
            DefaultParamsReader.Metadata md = StagePersistence.metadata(spark, path, SparktrainRegressionModel.class);
            String file = new Path(path, StagePersistence.MODEL_FILE).toString();
            ModelContents c;
            try {
                c = SparktrainClassificationModel.readModelFile(spark, file);
            } catch (java.io.FileNotFoundException e) {
                throw new UncheckedIOException(path + " has Spark ML metadata for a SparktrainRegressionModel"
                        + " but no model file " + file + ".", e);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            SparktrainRegressionModel model = new SparktrainRegressionModel(md.uid(), c);
            md.getAndSetParams(model, scala.Option.empty());
            return regression(model, path);
        }
    }
}
