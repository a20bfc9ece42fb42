package org.sparktrain.driver.ml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
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
import org.sparktrain.driver.train.AtomicWrite;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.io.FittedScaler;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.train.RoundVector;

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
public final class SparktrainClassificationModel extends Model<SparktrainClassificationModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    /** Executor side: one network per thread and model, rebuilt only when the model changes. */
    private static final ThreadLocal<Map<String, Network>> NETWORKS = ThreadLocal.withInitial(HashMap::new);

    private final String uid;
    private final transient ModelContents contents;
    private final Param<String> featuresCol;
    private final Param<String> probabilityCol;
    private final Param<String> predictionCol;

    SparktrainClassificationModel(String uid, ModelContents contents) {
        this.uid = uid;
        this.contents = contents;
        featuresCol = new Param<>(this, "featuresCol", "features column: ML vector or array of numbers");
        probabilityCol = new Param<>(this, "probabilityCol", "output column of class probabilities");
        predictionCol = new Param<>(this, "predictionCol", "output column of the predicted class");
        setDefault(featuresCol, "features");
        setDefault(probabilityCol, "probability");
        setDefault(predictionCol, "prediction");
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public SparktrainClassificationModel setFeaturesCol(String c) {
        set(featuresCol, c);
        return this;
    }

    public SparktrainClassificationModel setProbabilityCol(String c) {
        set(probabilityCol, c);
        return this;
    }

    public SparktrainClassificationModel setPredictionCol(String c) {
        set(predictionCol, c);
        return this;
    }

    /** The model file contents (spec, parameters, state, scaler, provenance). */
    public ModelContents contents() {
        return contents;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        SparkSession spark = dataset.sparkSession();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Network net = Network.restore(contents, uid);
        int classes = net.outputShape().size();
        int features = net.inputShape().size();
        Broadcast<float[]> weights = sc.broadcast(RoundVector.packParamsAndState(net));
        String spec = contents.spec();
        FittedScaler scaler = contents.scaler().orElse(null);
        String key = uid + "/" + System.identityHashCode(contents);
        UDF1<Object, Vector> probabilities = value -> {
            float[] x = toFloats(value, features);
            if (scaler != null) {
                scaler.apply(x, 0, 1);
            }
            Network n = NETWORKS.get().computeIfAbsent(key, k -> {
                Network built = Network.build(ModelSpec.parse(spec, "model"), 0);
                RoundVector.unpackParamsAndState(weights.value(), built);
                return built;
            });
            float[] p = new float[classes];
            n.predict(x, 1, p);
            double[] d = new double[classes];
            for (int c = 0; c < classes; c++) {
                d[c] = p[c];
            }
            return Vectors.dense(d);
        };
        UserDefinedFunction probUdf = functions.udf(probabilities, SQLDataTypes.VectorType());
        UserDefinedFunction argmax = functions.udf((UDF1<Vector, Double>) v -> (double) v.argmax(),
                DataTypes.DoubleType);
        Column prob = probUdf.apply(functions.col($(featuresCol)));
        Dataset<Row> withProb = dataset.withColumn($(probabilityCol), prob);
        return withProb.withColumn($(predictionCol), argmax.apply(functions.col($(probabilityCol))));
    }

    static float[] toFloats(Object value, int features) {
        float[] x = new float[features];
        int n;
        if (value instanceof Vector v) {
            n = v.size();
            if (n == features) {
                for (int i = 0; i < n; i++) {
                    x[i] = (float) v.apply(i);
                }
            }
        } else if (value instanceof scala.collection.Seq<?> s) {
            n = s.size();
            if (n == features) {
                for (int i = 0; i < n; i++) {
                    x[i] = ((Number) s.apply(i)).floatValue();
                }
            }
        } else {
            throw new IllegalArgumentException("features must be an ML vector or an array of numbers, got "
                    + (value == null ? "null" : value.getClass().getName()));
        }
        if (n != features) {
            throw new IllegalArgumentException("a row has " + n + " features but the model takes " + features);
        }
        return x;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return outputSchema(schema, $(featuresCol), $(probabilityCol), $(predictionCol));
    }

    static StructType outputSchema(StructType schema, String features, String probability, String prediction) {
        if (!java.util.Arrays.asList(schema.fieldNames()).contains(features)) {
            throw new IllegalArgumentException("no features column '" + features + "' (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        return schema.add(new StructField(probability, SQLDataTypes.VectorType(), false,
                org.apache.spark.sql.types.Metadata.empty())).add(prediction, DataTypes.DoubleType, false);
    }

    @Override
    public SparktrainClassificationModel copy(ParamMap extra) {
        SparktrainClassificationModel m = new SparktrainClassificationModel(uid, contents);
        return copyValues(m, extra).setParent(parent());
    }

    /** Writes the single model file (atomically) to any Hadoop path; for a stage directory use {@link #write}. */
    public void save(SparkSession spark, String path) throws IOException {
        AtomicWrite.write(spark.sparkContext().hadoopConfiguration(), path, o -> ModelFile.write(o, contents));
    }

    /**
     * Reads a single model file written by {@link #save(SparkSession, String)} or by {@code sparktrain train};
     * the model gets a new uid and default column params.
     */
    public static SparktrainClassificationModel load(SparkSession spark, String path) throws IOException {
        return new SparktrainClassificationModel(org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("sparktrain"),
                readModelFile(spark, path));
    }

    static ModelContents readModelFile(SparkSession spark, String path) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
        ModelContents c;
        try (InputStream in = fs.open(p)) {
            c = ModelFile.read(in, path);
        }
        Network.restore(c, path); // refuses a file whose arrays do not fit its spec, now rather than later
        return c;
    }

    /** Spark ML persistence: a stage directory (params metadata + {@code model.sptr}); see the class comment. */
    @Override
    public MLWriter write() {
        return new StagePersistence.Writer(this, contents);
    }

    /** The reader {@code PipelineModel.load} finds by reflection (Spark ML's {@code MLReadable} companion). */
    public static MLReader<SparktrainClassificationModel> read() {
        return new Reader();
    }

    /** Reads a stage directory written by {@code write().save(path)}; {@code read().load(path)}. */
    public static SparktrainClassificationModel load(String path) {
        return read().load(path);
    }

    private static final class Reader extends MLReader<SparktrainClassificationModel> {
        @Override
        public SparktrainClassificationModel load(String path) {
            SparkSession spark = sparkSession();
            DefaultParamsReader.Metadata md = StagePersistence.metadata(spark, path,
                    SparktrainClassificationModel.class);
            String file = new Path(path, StagePersistence.MODEL_FILE).toString();
            ModelContents c;
            try {
                c = readModelFile(spark, file);
            } catch (java.io.FileNotFoundException e) {
                throw new UncheckedIOException(path + " has Spark ML metadata for a SparktrainClassificationModel"
                        + " but no model file " + file + ".", e);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            SparktrainClassificationModel model = new SparktrainClassificationModel(md.uid(), c);
            md.getAndSetParams(model, scala.Option.empty());
            return model;
        }
    }
}
