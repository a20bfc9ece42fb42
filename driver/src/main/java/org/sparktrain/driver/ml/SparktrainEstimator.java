package org.sparktrain.driver.ml;

import java.util.function.Function;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
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
import org.sparktrain.driver.round.SlowMo;
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
 * workers, averaging settings, feature scaling, transport, features, label and weight columns), their setters, the run
 * built from them, the training on a DataFrame as {@code sparktrain train} does it, and Spark ML persistence
 * (params metadata as JSON, atomic replacement with {@code write().overwrite()}, no Java serialization). A subclass
 * adds its own params, the columns it reads and the model it makes.
 *
 * <p>The averaging params are the command line's averaging flags ({@code driver.round.Averaging},
 * docs/architecture.md, "The global minibatch"), and a run with the same values trains the same model:
 * {@code averagingMode} ({@code --mode}: {@code parameter}, the default, or {@code gradient}), {@code syncEpochs}
 * ({@code --sync-epochs}: the first epochs synchronous, gradient averaging every step; default 0),
 * {@code optimizerState} ({@code --optimizer-state}: in parameter mode the optimizer state is {@code average}d with
 * the parameters, the default, or {@code reset} after every average), {@code outerMomentum} and {@code outerLr}
 * ({@code --outer-momentum}, {@code --outer-lr}: SlowMo's outer momentum β in [0, 1) and outer learning rate α
 * above 0, parameter mode only; defaults 0 and 1, plain averaging) and {@code syncBatchNorm} ({@code --sync-batchnorm}:
 * BatchNorm statistics over the whole global minibatch; gradient mode only, and the barrier transport unless
 * {@code workers} is 1; default false). The defaults give the run of an estimator without them. A bad value or
 * combination fails at {@code fit} with one {@link IllegalArgumentException} naming the estimator and the param.
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
    private final Param<String> averagingMode;
    private final IntParam syncEpochs;
    private final Param<String> optimizerState;
    private final DoubleParam outerMomentum;
    private final DoubleParam outerLr;
    private final BooleanParam syncBatchNorm;

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
        averagingMode = new Param<>(this, "averagingMode", "what a round computes: parameter (the average of K local"
                + " steps) or gradient (one step on the averaged gradient)");
        syncEpochs = new IntParam(this, "syncEpochs", "the first epochs synchronous (gradient averaging every step)"
                + " before the averagingMode's rounds begin; >= 0");
        optimizerState = new Param<>(this, "optimizerState", "in parameter mode, the workers' optimizer state"
                + " averaged with the parameters (average) or set to zero after every average (reset)");
        outerMomentum = new DoubleParam(this, "outerMomentum", "SlowMo's outer momentum on the averaged update, in"
                + " [0, 1); parameter mode only; 0 with outerLr 1 is plain averaging");
        outerLr = new DoubleParam(this, "outerLr", "SlowMo's outer learning rate on the averaged update, above 0;"
                + " parameter mode only");
        syncBatchNorm = new BooleanParam(this, "syncBatchNorm", "BatchNorm layers normalise with the statistics of"
                + " the whole global minibatch, summed over the workers inside every step; gradient mode only, and"
                + " the barrier transport unless workers is 1");
        setDefault(epochs, 0);
        setDefault(workers, 0);
        setDefault(averagingFrequency, 5);
        setDefault(scaling, "none");
        setDefault(transport, "barrier");
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(averagingMode, AveragingMode.PARAMETER.flagName());
        setDefault(syncEpochs, 0);
        setDefault(optimizerState, "average");
        setDefault(outerMomentum, (double) SlowMo.OFF.momentum());
        setDefault(outerLr, (double) SlowMo.OFF.learningRate());
        setDefault(syncBatchNorm, false);
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

    /** {@code --mode}: {@code parameter} (the default) or {@code gradient}. */
    public Param<String> averagingMode() {
        return averagingMode;
    }

    /** {@code --sync-epochs}: how many first epochs are synchronous; default 0. */
    public IntParam syncEpochs() {
        return syncEpochs;
    }

    /** {@code --optimizer-state}: {@code average} (the default) or {@code reset}. */
    public Param<String> optimizerState() {
        return optimizerState;
    }

    /** {@code --outer-momentum}: SlowMo's β, in [0, 1); default 0. */
    public DoubleParam outerMomentum() {
        return outerMomentum;
    }

    /** {@code --outer-lr}: SlowMo's α, above 0; default 1. */
    public DoubleParam outerLr() {
        return outerLr;
    }

    /** {@code --sync-batchnorm}: BatchNorm statistics over the whole global minibatch; default false. */
    public BooleanParam syncBatchNorm() {
        return syncBatchNorm;
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
     * The model file's provenance: {@code entries}, the run's averaging in words under {@code averaging} (as
     * {@code sparktrain train} writes it), and {@code weight.column} when a weight column weighed the rows (a model
     * trained without one has no such entry, as every file written before it).
     */
    protected java.util.Map<String, String> provenance(RunOptions run, java.util.Map<String, String> entries) {
        java.util.Map<String, String> p = new java.util.TreeMap<>(entries);
        p.put("averaging", run.averaging().describe());
        String w = weightColumn();
        if (w != null) {
            p.put(PROVENANCE_WEIGHT_COLUMN, w);
        }
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

    public S setAveragingMode(String mode) {
        set(averagingMode, mode);
        return self();
    }

    public S setSyncEpochs(int n) {
        set(syncEpochs, n);
        return self();
    }

    public S setOptimizerState(String state) {
        set(optimizerState, state);
        return self();
    }

    public S setOuterMomentum(double beta) {
        set(outerMomentum, beta);
        return self();
    }

    public S setOuterLr(double alpha) {
        set(outerLr, alpha);
        return self();
    }

    public S setSyncBatchNorm(boolean on) {
        set(syncBatchNorm, on);
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
        MasterConfig.RoundTransport t = MasterConfig.RoundTransport.parse($(transport));
        RunOptions run = RunOptions.of(ms).withName(uid)
                .withAveraging(averaging(t))
                .withTransport(t)
                .withScaler(RunOptions.scaler($(scaling), "scaling"));
        int e = (Integer) $(epochs);
        return e > 0 ? run.withConfig(run.config().withEpochs(e)) : run;
    }

    /**
     * The averaging these params describe, built as {@code cli.RunFlags} builds it from the equivalent flags (so
     * the defaults give {@code new Averaging(PARAMETER, averagingFrequency, 0)}, the run of an estimator without
     * these params). A bad value or combination fails with one {@link IllegalArgumentException} whose message is
     * the command line's, naming the estimator and the params instead of the flags.
     */
    private Averaging averaging(MasterConfig.RoundTransport t) {
        try {
            AveragingMode mode = AveragingMode.parse($(averagingMode));
            Averaging.OptimizerState state = Averaging.OptimizerState.parse($(optimizerState));
            SlowMo slowMo = new SlowMo((float) (double) (Double) $(outerMomentum),
                    (float) (double) (Double) $(outerLr));
            boolean sbn = (Boolean) $(syncBatchNorm);
            Averaging a = new Averaging(mode, java.util.List.of((Integer) $(averagingFrequency)), 0,
                    (Integer) $(syncEpochs), state, slowMo, sbn);
            MasterConfig.checkTransport(a, t, (Integer) $(workers)); // as the command line, before any data is read
            return a;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + paramNames(e.getMessage()), e);
        }
    }

    /** The command line's flags in {@code message}, each replaced by the name of the param that sets it. */
    private static String paramNames(String message) {
        String m = message;
        String[][] names = {{"--averaging-frequency", "averagingFrequency"}, {"--mode", "averagingMode"},
                {"--sync-epochs", "syncEpochs"}, {"--optimizer-state", "optimizerState"},
                {"--outer-momentum", "outerMomentum"}, {"--outer-lr", "outerLr"}, {"--sync-batchnorm", "syncBatchNorm"},
                {"--transport", "transport"}, {"--workers", "workers"}};
        for (String[] n : names) {
            m = m.replace(n[0], n[1]);
        }
        return m;
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
