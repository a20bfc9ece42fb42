package org.sparktrain.driver.ml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.driver.train.AtomicWrite;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.io.FittedScaler;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.train.RoundVector;

/**
 * What {@link SparktrainClassificationModel} and {@link SparktrainRegressionModel} share: the model file contents,
 * the features and prediction column params, the per-row prediction on the executors (the network broadcast once, one
 * network per executor thread and model, the feature scaler applied first), and both ways to persist (see
 * {@link SparktrainClassificationModel}: a Spark ML stage directory, or the single model file). A subclass adds its
 * output columns and what it checks of a model it reads.
 *
 * @param <M> the subclass itself (setters return it)
 */
public abstract class SparktrainModel<M extends SparktrainModel<M>> extends Model<M> implements MLWritable {
    private static final long serialVersionUID = 1L;
    /** Executor side: one network per thread and model, rebuilt only when the model changes. */
    private static final ThreadLocal<Map<String, Network>> NETWORKS = ThreadLocal.withInitial(HashMap::new);

    private final String uid;
    private final transient ModelContents contents;
    private final Param<String> featuresCol;
    private final Param<String> predictionCol;

    protected SparktrainModel(String uid, ModelContents contents, String predictionDoc) {
        this.uid = uid;
        this.contents = contents;
        featuresCol = new Param<>(this, "featuresCol", "features column: ML vector or array of numbers");
        predictionCol = new Param<>(this, "predictionCol", predictionDoc);
        setDefault(featuresCol, "features");
        setDefault(predictionCol, "prediction");
    }

    /** A model of this class with these contents (copies and readers make them). */
    protected abstract M make(String uid, ModelContents contents);

    /** Refuses contents this class cannot use, naming {@code path}; the default takes any. */
    protected M checked(String path) {
        return self();
    }

    @SuppressWarnings("unchecked")
    private M self() {
        return (M) this;
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

    public M setFeaturesCol(String c) {
        set(featuresCol, c);
        return self();
    }

    public M setPredictionCol(String c) {
        set(predictionCol, c);
        return self();
    }

    /**
     * The weight column the model was trained with (its model file's {@code weight.column} provenance), or null when
     * its rows were unweighted (and for every file written before row weights). {@code transform} never reads it.
     */
    public String trainedWeightCol() {
        return contents.provenance().get(SparktrainEstimator.PROVENANCE_WEIGHT_COLUMN);
    }

    /** The model file contents (spec, parameters, state, scalers, provenance). */
    public ModelContents contents() {
        return contents;
    }

    /**
     * The network's raw predictions ({@code Network.predict}) of one row's features, for a UDF: the parameters
     * broadcast once from here, the network built once per executor thread and model, the feature scaler applied.
     */
    protected UDF1<Object, float[]> rowPredictor(Dataset<?> dataset) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        Network net = Network.restore(contents, uid);
        int outputs = net.outputShape().size();
        int features = net.inputShape().size();
        Broadcast<float[]> weights = sc.broadcast(RoundVector.packParamsAndState(net));
        String spec = contents.spec();
        FittedScaler scaler = contents.scaler().orElse(null);
        String key = uid + "/" + System.identityHashCode(contents);
        return value -> {
            float[] x = toFloats(value, features);
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
            return p;
        };
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

    /** The input schema with {@code features} checked to be there. */
    static StructType requireFeatures(StructType schema, String features) {
        if (!java.util.Arrays.asList(schema.fieldNames()).contains(features)) {
            throw new IllegalArgumentException("no features column '" + features + "' (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        return schema;
    }

    @Override
    public M copy(ParamMap extra) {
        return copyValues(make(uid, contents), extra).setParent(parent());
    }

    /** Writes the single model file (atomically) to any Hadoop path; for a stage directory use {@link #write}. */
    public void save(SparkSession spark, String path) throws IOException {
        AtomicWrite.write(spark.sparkContext().hadoopConfiguration(), path, o -> ModelFile.write(o, contents));
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

    /** Spark ML persistence: a stage directory (params metadata + {@code model.sptr}). */
    @Override
    public MLWriter write() {
        return new StagePersistence.Writer(this, contents);
    }

    /** Reads a stage directory: the params metadata, then the model file beside it. */
    static final class Reader<M extends SparktrainModel<M>> extends MLReader<M> {
        private final Class<M> type;
        private final BiFunction<String, ModelContents, M> make;

        Reader(Class<M> type, BiFunction<String, ModelContents, M> make) {
            this.type = type;
            this.make = make;
        }

        @Override
        public M load(String path) {
            SparkSession spark = sparkSession();
            DefaultParamsReader.Metadata md = StagePersistence.metadata(spark, path, type);
            String file = new Path(path, StagePersistence.MODEL_FILE).toString();
            ModelContents c;
            try {
                c = readModelFile(spark, file);
            } catch (java.io.FileNotFoundException e) {
                throw new UncheckedIOException(path + " has Spark ML metadata for a " + type.getSimpleName()
                        + " but no model file " + file + ".", e);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            M model = make.apply(md.uid(), c);
            md.getAndSetParams(model, scala.Option.empty());
            return model.checked(path);
        }
    }
}
