package org.sparktrain.driver.ml;

import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.driver.round.Averaging;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.train.ClassWeights;
import org.sparktrain.driver.train.DistributedTraining;
import org.sparktrain.driver.train.MasterConfig;
import org.sparktrain.driver.train.RunOptions;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.partitioning.LabeledData;
import org.sparktrain.partitioning.PreparedFold;
import org.sparktrain.partitioning.ReadOptions;
import org.sparktrain.partitioning.Readers;
import org.sparktrain.partitioning.SplitSpec;

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
 * <p>Spark ML persistence: the estimator is {@link DefaultParamsWritable} (its uid and params, the spec text
 * included, as Spark's JSON metadata) and {@link #read()} / {@link #load(String)} read it back, so a
 * {@code Pipeline} holding it, and the {@code PipelineModel} it fits, save and load with Spark's own
 * {@code write().save(dir)} / {@code load(dir)}. An existing directory is replaced only with
 * {@code write().overwrite()}, and then atomically (a failed save leaves the old one as it was; Spark's own
 * {@code Pipeline}/{@code PipelineModel} writers, though, delete an existing directory before writing).
 */
public final class SparktrainClassifier extends Estimator<SparktrainClassificationModel>
        implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final Param<String> spec;
    private final IntParam epochs;
    private final IntParam workers;
    private final IntParam averagingFrequency;
    private final Param<String> scaling;
    private final Param<String> transport;
    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> classWeight;

    public SparktrainClassifier() {
        this(Identifiable$.MODULE$.randomUID("sparktrain"));
    }

    public SparktrainClassifier(String uid) {
        this.uid = uid;
        spec = new Param<>(this, "spec", "the model spec, YAML or JSON text");
        epochs = new IntParam(this, "epochs", "epochs to train; 0 = the spec's training.epochs");
        workers = new IntParam(this, "workers", "data-parallel workers; 0 = Spark's default parallelism");
        averagingFrequency = new IntParam(this, "averagingFrequency", "local steps between averagings");
        scaling = new Param<>(this, "scaling", "feature scaling fitted on the training data: none, zscore, minmax");
        transport = new Param<>(this, "transport", "how a round travels: barrier or job");
        featuresCol = new Param<>(this, "featuresCol", "features column: ML vector or array of numbers");
        labelCol = new Param<>(this, "labelCol", "label column: class index 0..k-1");
        classWeight = new Param<>(this, "classWeight", "the loss weighted per class: none, balanced, or one weight"
                + " per class like 1,3,1");
        setDefault(epochs, 0);
        setDefault(workers, 0);
        setDefault(averagingFrequency, 5);
        setDefault(scaling, "none");
        setDefault(transport, "barrier");
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(classWeight, "none");
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> spec() {
        return spec;
    }

    public IntParam epochs() {
        return epochs;
    }

    public IntParam workers() {
        return workers;
    }

    public IntParam averagingFrequency() {
        return averagingFrequency;
    }

    public Param<String> scaling() {
        return scaling;
    }

    public Param<String> transport() {
        return transport;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public Param<String> classWeight() {
        return classWeight;
    }

    public SparktrainClassifier setClassWeight(String weights) {
        set(classWeight, weights);
        return this;
    }

    public SparktrainClassifier setSpec(String text) {
        set(spec, text);
        return this;
    }

    public SparktrainClassifier setEpochs(int n) {
        set(epochs, n);
        return this;
    }

    public SparktrainClassifier setWorkers(int n) {
        set(workers, n);
        return this;
    }

    public SparktrainClassifier setAveragingFrequency(int k) {
        set(averagingFrequency, k);
        return this;
    }

    public SparktrainClassifier setScaling(String s) {
        set(scaling, s);
        return this;
    }

    public SparktrainClassifier setTransport(String t) {
        set(transport, t);
        return this;
    }

    public SparktrainClassifier setFeaturesCol(String c) {
        set(featuresCol, c);
        return this;
    }

    public SparktrainClassifier setLabelCol(String c) {
        set(labelCol, c);
        return this;
    }

    @Override
    public SparktrainClassificationModel fit(Dataset<?> dataset) {
        if (!isDefined(spec)) {
            throw new IllegalArgumentException("SparktrainClassifier: set the model spec (setSpec) before fit");
        }
        ModelSpec ms = ModelSpec.parse($(spec), uid + " spec");
        RunOptions run = RunOptions.of(ms).withName(uid)
                .withAveraging(new Averaging(AveragingMode.PARAMETER, (Integer) $(averagingFrequency), 0))
                .withTransport(MasterConfig.RoundTransport.parse($(transport)))
                .withScaler(RunOptions.scaler($(scaling), "scaling"));
        if (!$(classWeight).equals("none")) {
            run = run.withClassWeights(ClassWeights.parse($(classWeight)));
        }
        int e = (Integer) $(epochs);
        if (e > 0) {
            run = run.withConfig(run.config().withEpochs(e));
        }
        @SuppressWarnings("unchecked")
        Dataset<Row> df = (Dataset<Row>) dataset.select($(featuresCol), $(labelCol));
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
        run = run.withWorkers((Integer) $(workers) > 0 ? (Integer) $(workers) : sc.defaultParallelism());
        LabeledData data = Readers.dataFrame(df, "DataFrame", ReadOptions.classes(run.classes()).label($(labelCol))
                .featuresColumn($(featuresCol)).shape(ms.input()));
        PreparedFold fold = run.pipeline(SplitSpec.none(), run.workers(), run.config().seed()).prepare(data).fold(0);
        Network net;
        float[] weights;
        try {
            DistributedTraining.Trained trained = DistributedTraining.train(sc, run, fold,
                    DistributedTraining.Options.quiet());
            net = trained.network();
            weights = trained.trainer().config().classWeights();
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        } finally {
            fold.unpersist();
        }
        SparktrainClassificationModel model = new SparktrainClassificationModel(uid,
                net.toModel(Optional.ofNullable(fold.scaler()), weights == null
                        ? Map.of("trained.by", "SparktrainClassifier " + uid)
                        : Map.of("trained.by", "SparktrainClassifier " + uid, "class.weights",
                                $(classWeight) + " = " + java.util.Arrays.toString(weights))));
        model.set(model.featuresCol(), $(featuresCol));
        return model.setParent(this);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return SparktrainClassificationModel.outputSchema(schema, $(featuresCol), "probability", "prediction");
    }

    @Override
    public SparktrainClassifier copy(ParamMap extra) {
        return (SparktrainClassifier) defaultCopy(extra);
    }

    /** Spark's params metadata (as {@code DefaultParamsWriter} writes it), replacing an old directory atomically. */
    @Override
    public MLWriter write() {
        return new StagePersistence.Writer(this, null);
    }

    /** The reader {@code Pipeline.load} / {@code PipelineModel.load} find by reflection. */
    public static MLReader<SparktrainClassifier> read() {
        return new Reader();
    }

    /** Reads an estimator saved with {@code write().save(path)}. */
    public static SparktrainClassifier load(String path) {
        return read().load(path);
    }

    /** {@code DefaultParamsReader}, plus a clear message naming the path when it holds something else. */
    private static final class Reader extends MLReader<SparktrainClassifier> {
        @Override
        public SparktrainClassifier load(String path) {
            DefaultParamsReader.Metadata md = StagePersistence.metadata(sparkSession(), path,
                    SparktrainClassifier.class);
            SparktrainClassifier clf = new SparktrainClassifier(md.uid());
            md.getAndSetParams(clf, scala.Option.empty());
            return clf;
        }
    }
}
