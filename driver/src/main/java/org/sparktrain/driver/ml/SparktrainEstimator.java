package org.sparktrain.driver.ml;

import java.util.function.Function;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.sparktrain.driver.round.Averaging;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.train.DistributedTraining;
import org.sparktrain.driver.train.MasterConfig;
import org.sparktrain.driver.train.RunOptions;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.io.FittedScaler;
import org.sparktrain.partitioning.LabeledData;
import org.sparktrain.partitioning.PreparedFold;
import org.sparktrain.partitioning.ReadOptions;
import org.sparktrain.partitioning.Readers;
import org.sparktrain.partitioning.SplitSpec;

/**
 * What {@link SparktrainClassifier} and {@link SparktrainRegressor} share: the params of a run (spec, epochs,
 * workers, averaging frequency, feature scaling, transport, features, label and weight columns), their setters, the run
 * built from them, the training on a DataFrame as {@code sparktrain train} does it, and Spark ML persistence
 * (params metadata as JSON, atomic replacement with {@code write().overwrite()}, no Java serialization). A subclass
 * adds its own params, the columns it reads and the model it makes.
 *
 * @param <M> the model {@code fit} returns
 * @param <S> the subclass itself (setters return it)
 */
public abstract class SparktrainEstimator<M extends Model<M>, S extends SparktrainEstimator<M, S>> extends Estimator<M>
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
    private final Param<String> weightCol;

    protected SparktrainEstimator(String uid, String specDoc, String labelDoc) {
        this.uid = uid;
        spec = new Param<>(this, "spec", specDoc);
        epochs = new IntParam(this, "epochs", "epochs to train; 0 = the spec's training.epochs");
        workers = new IntParam(this, "workers", "data-parallel workers; 0 = Spark's default parallelism");
        averagingFrequency = new IntParam(this, "averagingFrequency", "local steps between averagings");
        scaling = new Param<>(this, "scaling", "feature scaling fitted on the training data: none, zscore, minmax");
        transport = new Param<>(this, "transport", "how a round travels: barrier or job");
        featuresCol = new Param<>(this, "featuresCol", "features column: ML vector or array of numbers");
        labelCol = new Param<>(this, "labelCol", labelDoc);
        weightCol = new Param<>(this, "weightCol", "weight column name: a number >= 0 per row weighing its loss;"
                + " unset or empty: every row weighs 1");
        setDefault(epochs, 0);
        setDefault(workers, 0);
        setDefault(averagingFrequency, 5);
        setDefault(scaling, "none");
        setDefault(transport, "barrier");
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
    }

    @SuppressWarnings("unchecked")
    private S self() {
        return (S) this;
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

    /** Spark ML's {@code weightCol} (docs/architecture.md, Conventions, "Row weights"); no default (unweighted). */
    public Param<String> weightCol() {
        return weightCol;
    }

    public S setWeightCol(String c) {
        set(weightCol, c);
        return self();
    }

    /** The weight column to read, or null when {@link #weightCol} is unset or empty (Spark ML's rule). */
    protected String weightColumn() {
        return isDefined(weightCol) && !$(weightCol).isEmpty() ? $(weightCol) : null;
    }

    /** {@code columns} and the weight column when one is set: what {@code fit} selects from its DataFrame. */
    protected org.apache.spark.sql.Column[] selected(org.apache.spark.sql.Column... columns) {
        String w = weightColumn();
        if (w == null) {
            return columns;
        }
        org.apache.spark.sql.Column[] c = java.util.Arrays.copyOf(columns, columns.length + 1);
        c[columns.length] = org.apache.spark.sql.functions.col(w);
        return c;
    }

    /**
     * The model file's provenance: {@code entries}, and {@code weight.column} when a weight column weighed the rows
     * (a model trained without one has no such entry, as every file written before it).
     */
    protected java.util.Map<String, String> provenance(java.util.Map<String, String> entries) {
        String w = weightColumn();
        if (w == null) {
            return entries;
        }
        java.util.Map<String, String> p = new java.util.TreeMap<>(entries);
        p.put(PROVENANCE_WEIGHT_COLUMN, w);
        return p;
    }

    /** The provenance key naming the weight column a model was trained with. */
    public static final String PROVENANCE_WEIGHT_COLUMN = "weight.column";

    public S setSpec(String text) {
        set(spec, text);
        return self();
    }

    public S setEpochs(int n) {
        set(epochs, n);
        return self();
    }

    public S setWorkers(int n) {
        set(workers, n);
        return self();
    }

    public S setAveragingFrequency(int k) {
        set(averagingFrequency, k);
        return self();
    }

    public S setScaling(String s) {
        set(scaling, s);
        return self();
    }

    public S setTransport(String t) {
        set(transport, t);
        return self();
    }

    public S setFeaturesCol(String c) {
        set(featuresCol, c);
        return self();
    }

    public S setLabelCol(String c) {
        set(labelCol, c);
        return self();
    }

    /** The spec, parsed; {@code who} names the estimator in the message when none was set. */
    protected ModelSpec parsedSpec(String who) {
        if (!isDefined(spec)) {
            throw new IllegalArgumentException(who + ": set the model spec (setSpec) before fit");
        }
        return ModelSpec.parse($(spec), uid + " spec");
    }

    /** The run these params describe (workers not yet resolved: {@link #train} does it). */
    protected RunOptions runOptions(ModelSpec ms) {
        RunOptions run = RunOptions.of(ms).withName(uid)
                .withAveraging(new Averaging(AveragingMode.PARAMETER, (Integer) $(averagingFrequency), 0))
                .withTransport(MasterConfig.RoundTransport.parse($(transport)))
                .withScaler(RunOptions.scaler($(scaling), "scaling"));
        int e = (Integer) $(epochs);
        return e > 0 ? run.withConfig(run.config().withEpochs(e)) : run;
    }

    /** A trained network with the scalers its fold fitted. */
    protected record Fitted(DistributedTraining.Trained trained, FittedScaler scaler, FittedScaler targetScaler) {
    }

    /**
     * Reads {@code df} (the selected columns) with {@code read}, prepares one fold of all of it and trains {@code run}
     * on it, as {@code sparktrain train} does; the cached data are released whatever happens.
     */
    protected Fitted train(Dataset<Row> df, RunOptions run, ReadOptions read) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
        RunOptions r = run.withWorkers((Integer) $(workers) > 0 ? (Integer) $(workers) : sc.defaultParallelism());
        // every row trains (no split): the read summarises what the scalers fit, and nothing else
        LabeledData data = Readers.dataFrame(df, "DataFrame", read.featuresColumn($(featuresCol))
                .weightColumn(weightColumn()).summaries(r.resampling().isNone()
                        ? ReadOptions.Summaries.forScaler(r.scaler()).and(ReadOptions.Summaries.forScaler(r.targetScaler()))
                        : ReadOptions.Summaries.NONE));
        PreparedFold fold = r.pipeline(SplitSpec.none(), r.workers(), r.config().seed()).prepare(data).fold(0);
        try {
            return new Fitted(DistributedTraining.train(sc, r, fold, DistributedTraining.Options.quiet()), fold.scaler(),
                    fold.targetScaler());
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        } finally {
            fold.unpersist();
            data.unpersist();
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public S copy(ParamMap extra) {
        return (S) defaultCopy(extra);
    }

    /** Spark's params metadata (as {@code DefaultParamsWriter} writes it), replacing an old directory atomically. */
    @Override
    public MLWriter write() {
        return new StagePersistence.Writer(this, null);
    }

    /** {@code DefaultParamsReader}, plus a clear message naming the path when it holds something else. */
    static final class Reader<S extends Params> extends MLReader<S> {
        private final Class<S> type;
        private final Function<String, S> make;

        Reader(Class<S> type, Function<String, S> make) {
            this.type = type;
            this.make = make;
        }

        @Override
        public S load(String path) {
            DefaultParamsReader.Metadata md = StagePersistence.metadata(sparkSession(), path, type);
            S s = make.apply(md.uid());
            md.getAndSetParams(s, scala.Option.empty());
            return s;
        }
    }
}
