package org.sparktrain.driver.ml;

import java.util.Arrays;
import java.util.List;
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
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.driver.round.Averaging;
import org.sparktrain.driver.round.AveragingMode;
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
 * sparktrain regression as a Spark ML {@link Estimator} (docs/architecture.md, "Regression"): {@code fit} trains a
 * regression spec ({@code outputs: N}) data-parallel on the DataFrame's {@code features} (an ML vector or an array
 * of numbers) and its numeric target column {@code labelCol} (for N outputs, N columns separated by commas), as
 * {@code sparktrain train --label-cols} does, with the targets scaled by {@code targetScaling} (default zscore)
 * fitted on the data, and returns a {@link SparktrainRegressionModel}, whose predictions are mapped back to the
 * targets' units.
 *
 * <pre>{@code
 * SparktrainRegressionModel model = new SparktrainRegressor().setSpec(Files.readString(Path.of("reg.yaml")))
 *     .setLabelCol("price").setWorkers(2).fit(train);
 * Dataset<Row> scored = model.transform(test);   // + prediction (double; a vector for N > 1 outputs)
 * }</pre>
 *
 * <p>Spark ML persistence as {@link SparktrainClassifier}'s: params metadata (JSON), atomic replacement with
 * {@code write().overwrite()}, no Java serialization.
 */
public final class SparktrainRegressor extends Estimator<SparktrainRegressionModel> implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final Param<String> spec;
    private final IntParam epochs;
    private final IntParam workers;
    private final IntParam averagingFrequency;
    private final Param<String> scaling;
    private final Param<String> targetScaling;
    private final Param<String> transport;
    private final Param<String> featuresCol;
    private final Param<String> labelCol;

    public SparktrainRegressor() {
        this(Identifiable$.MODULE$.randomUID("sparktrain"));
    }

    public SparktrainRegressor(String uid) {
        this.uid = uid;
        spec = new Param<>(this, "spec", "the model spec (outputs: N, loss mse|mae|huber), YAML or JSON text");
        epochs = new IntParam(this, "epochs", "epochs to train; 0 = the spec's training.epochs");
        workers = new IntParam(this, "workers", "data-parallel workers; 0 = Spark's default parallelism");
        averagingFrequency = new IntParam(this, "averagingFrequency", "local steps between averagings");
        scaling = new Param<>(this, "scaling", "feature scaling fitted on the training data: none, zscore, minmax");
        targetScaling = new Param<>(this, "targetScaling", "target scaling fitted on the training data, inverted on"
                + " every prediction: none, zscore, minmax");
        transport = new Param<>(this, "transport", "how a round travels: barrier or job");
        featuresCol = new Param<>(this, "featuresCol", "features column: ML vector or array of numbers");
        labelCol = new Param<>(this, "labelCol", "target column(s), numeric; for outputs: N, N names separated by"
                + " commas");
        setDefault(epochs, 0);
        setDefault(workers, 0);
        setDefault(averagingFrequency, 5);
        setDefault(scaling, "none");
        setDefault(targetScaling, "zscore");
        setDefault(transport, "barrier");
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
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

    public Param<String> targetScaling() {
        return targetScaling;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public SparktrainRegressor setSpec(String text) {
        set(spec, text);
        return this;
    }

    public SparktrainRegressor setEpochs(int n) {
        set(epochs, n);
        return this;
    }

    public SparktrainRegressor setWorkers(int n) {
        set(workers, n);
        return this;
    }

    public SparktrainRegressor setAveragingFrequency(int k) {
        set(averagingFrequency, k);
        return this;
    }

    public SparktrainRegressor setScaling(String s) {
        set(scaling, s);
        return this;
    }

    public SparktrainRegressor setTargetScaling(String s) {
        set(targetScaling, s);
        return this;
    }

    public SparktrainRegressor setTransport(String t) {
        set(transport, t);
        return this;
    }

    public SparktrainRegressor setFeaturesCol(String c) {
        set(featuresCol, c);
        return this;
    }

    public SparktrainRegressor setLabelCol(String c) {
        set(labelCol, c);
        return this;
    }

    /** The target columns {@code labelCol} names. */
    List<String> targets() {
        return Arrays.stream($(labelCol).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Override
    public SparktrainRegressionModel fit(Dataset<?> dataset) {
        if (!isDefined(spec)) {
            throw new IllegalArgumentException("SparktrainRegressor: set the model spec (setSpec) before fit");
        }
        ModelSpec ms = ModelSpec.parse($(spec), uid + " spec");
        if (!ms.regression()) {
            throw new IllegalArgumentException(uid + " spec: SparktrainRegressor needs a regression spec (outputs: N"
                    + " and a loss mse, mae or huber); for classes: use SparktrainClassifier");
        }
        List<String> targets = targets();
        if (targets.size() != ms.outputs()) {
            throw new IllegalArgumentException("SparktrainRegressor: labelCol names " + targets.size() + " column(s) "
                    + targets + " for the spec's outputs: " + ms.outputs());
        }
        RunOptions run = RunOptions.of(ms).withName(uid)
                .withAveraging(new Averaging(AveragingMode.PARAMETER, (Integer) $(averagingFrequency), 0))
                .withTransport(MasterConfig.RoundTransport.parse($(transport)))
                .withScaler(RunOptions.scaler($(scaling), "scaling"))
                .withTargetScaler(RunOptions.scaler($(targetScaling), "targetScaling"));
        int e = (Integer) $(epochs);
        if (e > 0) {
            run = run.withConfig(run.config().withEpochs(e));
        }
        Column[] cols = new Column[targets.size() + 1];
        cols[0] = functions.col($(featuresCol));
        for (int t = 0; t < targets.size(); t++) {
            cols[t + 1] = functions.col(targets.get(t));
        }
        @SuppressWarnings("unchecked")
        Dataset<Row> df = ((Dataset<Row>) dataset).select(cols);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
        run = run.withWorkers((Integer) $(workers) > 0 ? (Integer) $(workers) : sc.defaultParallelism());
        LabeledData data = Readers.dataFrame(df, "DataFrame", ReadOptions.regression(targets)
                .featuresColumn($(featuresCol)).shape(ms.input()));
        PreparedFold fold = run.pipeline(SplitSpec.none(), run.workers(), run.config().seed()).prepare(data).fold(0);
        Network net;
        try {
            net = DistributedTraining.train(sc, run, fold, DistributedTraining.Options.quiet()).network();
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        } finally {
            fold.unpersist();
            data.unpersist();
        }
        SparktrainRegressionModel model = new SparktrainRegressionModel(uid, net.toModel(
                Optional.ofNullable(fold.scaler()), Optional.ofNullable(fold.targetScaler()),
                Map.of("trained.by", "SparktrainRegressor " + uid, "targets", String.join(",", targets),
                        "target.scaling", $(targetScaling))));
        model.set(model.featuresCol(), $(featuresCol));
        return model.setParent(this);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        int outputs = isDefined(spec) ? ModelSpec.parse($(spec), uid + " spec").outputs() : 1;
        return SparktrainRegressionModel.outputSchema(schema, $(featuresCol), "prediction", outputs);
    }

    @Override
    public SparktrainRegressor copy(ParamMap extra) {
        return (SparktrainRegressor) defaultCopy(extra);
    }

    @Override
    public MLWriter write() {
        return new StagePersistence.Writer(this, null);
    }

    public static MLReader<SparktrainRegressor> read() {
        return new Reader();
    }

    public static SparktrainRegressor load(String path) {
        return read().load(path);
    }

    private static final class Reader extends MLReader<SparktrainRegressor> {
        @Override
        public SparktrainRegressor load(String path) {
            DefaultParamsReader.Metadata md = StagePersistence.metadata(sparkSession(), path,
                    SparktrainRegressor.class);
            SparktrainRegressor r = new SparktrainRegressor(md.uid());
            md.getAndSetParams(r, scala.Option.empty());
            return r;
        }
    }
}
