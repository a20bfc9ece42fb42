package org.sparktrain.driver.ml;

import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.driver.train.ClassWeights;
import org.sparktrain.driver.train.RunOptions;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.partitioning.ReadOptions;

/**
 * sparktrain as a Spark ML {@link Estimator}: {@code fit} trains the network of a model spec data-parallel
 * on the DataFrame's {@code features} (an ML vector or an array of numbers) and {@code label} (class index)
 * columns, exactly as {@code sparktrain train} does, and returns a {@link SparktrainClassificationModel}.
 *
 * <pre>{@code
 * SparktrainClassifier clf = new SparktrainClassifier().setSpec(Files.readString(Path.of("conf/models/mlp.yaml")))
 *     .setEpochs(5).setWorkers(2);
 * SparktrainClassificationModel model = clf.fit(train);
 * Dataset<Row> scored = model.transform(test);   // + probability (vector) and prediction (double)
 * }</pre>
 *
 * <p>The averaging is set as on the command line ({@link SparktrainEstimator}): {@code setAveragingFrequency},
 * {@code setAveragingMode("parameter"|"gradient")}, {@code setSyncEpochs},
 * {@code setOptimizerState("average"|"reset")}, {@code setOuterMomentum} and {@code setOuterLr} (SlowMo, parameter
 * mode) and {@code setSyncBatchNorm} (gradient mode); the defaults are plain parameter averaging every 5 steps, and
 * a bad value fails at {@code fit} naming the param.
 *
 * <p>Spark ML persistence ({@link SparktrainEstimator}): the estimator is {@code DefaultParamsWritable} (its uid and params, the spec text
 * included, as Spark's JSON metadata) and {@link #read()} / {@link #load(String)} read it back, so a
 * {@code Pipeline} holding it, and the {@code PipelineModel} it fits, save and load with Spark's own
 * {@code write().save(dir)} / {@code load(dir)}. An existing directory is replaced only with
 * {@code write().overwrite()}, and then atomically (a failed save leaves the old one as it was; Spark's own
 * {@code Pipeline}/{@code PipelineModel} writers, though, delete an existing directory before writing).
 */
public final class SparktrainClassifier
        extends SparktrainEstimator<SparktrainClassificationModel, SparktrainClassifier> {
    private static final long serialVersionUID = 1L;
    private final Param<String> classWeight;

    public SparktrainClassifier() {
        this(Identifiable$.MODULE$.randomUID("sparktrain"));
    }

    public SparktrainClassifier(String uid) {
        super(uid, "the model spec, YAML or JSON text", "label column: class index 0..k-1");
        classWeight = new Param<>(this, "classWeight", "the loss weighted per class: none, balanced, or one weight"
                + " per class like 1,3,1");
        setDefault(classWeight, "none");
    }

    public Param<String> classWeight() {
        return classWeight;
    }

    public SparktrainClassifier setClassWeight(String weights) {
        set(classWeight, weights);
        return this;
    }

    @Override
    public SparktrainClassificationModel fit(Dataset<?> dataset) {
        ModelSpec ms = parsedSpec("SparktrainClassifier");
        RunOptions run = runOptions(ms);
        if (!$(classWeight).equals("none")) {
            run = run.withClassWeights(ClassWeights.parse($(classWeight)));
        }
        @SuppressWarnings("unchecked")
        Dataset<Row> df = (Dataset<Row>) dataset.select(selected(functions.col($(featuresCol())),
                functions.col($(labelCol()))));
        Fitted f = train(df, run, ReadOptions.classes(run.classes()).label($(labelCol())).shape(ms.input()));
        Network net = f.trained().network();
        float[] weights = f.trained().trainer().config().classWeights();
        SparktrainClassificationModel model = new SparktrainClassificationModel(uid(),
                net.toModel(Optional.ofNullable(f.scaler()), provenance(run, weights == null
                        ? Map.of("trained.by", "SparktrainClassifier " + uid())
                        : Map.of("trained.by", "SparktrainClassifier " + uid(), "class.weights",
                                $(classWeight) + " = " + java.util.Arrays.toString(weights)))));
        model.set(model.featuresCol(), $(featuresCol()));
        return model.setParent(this);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return SparktrainClassificationModel.outputSchema(schema, $(featuresCol()), "probability", "prediction");
    }

    /** The reader {@code Pipeline.load} / {@code PipelineModel.load} find by reflection. */
    public static MLReader<SparktrainClassifier> read() {
        return new Reader<>(SparktrainClassifier.class, SparktrainClassifier::new);
    }

    /** Reads an estimator saved with {@code write().save(path)}. */
    public static SparktrainClassifier load(String path) {
        return read().load(path);
    }
}
