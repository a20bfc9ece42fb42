package org.sparktrain.driver.train;

import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.round.Averaging;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.round.LearningRateScaling;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.io.FittedScaler;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.DivergenceGuard;
import org.sparktrain.partitioning.DataPipeline;
import org.sparktrain.partitioning.Resampling;
import org.sparktrain.partitioning.SplitSpec;

/**
 * Everything that decides what a training run learns, in one value (docs/architecture.md, "The run"): the spec and
 * its training section (with the command line's overrides), the workers, the averaging settings, how rounds
 * travel, scaling, resampling and the shuffle window. {@code train}, every fold of {@code evaluate}, the Spark ML
 * estimator and the benchmarks build one and hand it to {@link TrainingRun}; none assembles a run by hand.
 *
 * <p>Start from {@link #of(ModelSpec)} (the defaults a user gets with no flags) and change what differs with the
 * {@code with...} methods.
 *
 * @param workers data-parallel workers; 0 for Spark's default parallelism ({@link #workers(JavaSparkContext)})
 * @param scaler the feature scaler fitted on the training part, or null for none
 * @param shuffleWindow rows a worker permutes together per epoch; 0 for automatic
 * @param lrScaling the learning-rate scaling rule, or null for the spec's rate throughout
 * @param classWeights the loss's class weights (resolved on the training part's class counts), or null for none
 * @param targetScaler regression: the target scaler fitted on the training part, or null for none
 *        (docs/architecture.md, "Regression")
 * @param divergence when a run whose loss runs away stops (docs/architecture.md, "Failing cleanly")
 */
public record RunOptions(ModelSpec spec, TrainingConfig config, String name, int workers, Averaging averaging,
                         MasterConfig.RoundTransport transport, FittedScaler.Kind scaler, Resampling resampling,
                         int shuffleWindow, LearningRateScaling lrScaling, ClassWeights classWeights,
                         FittedScaler.Kind targetScaler, DivergenceGuard.Settings divergence) {

    /** K = 5 local steps per round: the command line's and the Spark ML estimator's default. */
    public static final int DEFAULT_AVERAGING_FREQUENCY = 5;

    public RunOptions {
        if (spec == null || config == null) {
            throw new IllegalArgumentException("a run needs a model spec and its training settings");
        }
        if (workers < 0) {
            throw new IllegalArgumentException("--workers must be >= 1, got " + workers);
        }
        if (averaging == null || transport == null || resampling == null) {
            throw new IllegalArgumentException("a run needs averaging settings, a transport and a resampling");
        }
        if (divergence == null) {
            throw new IllegalArgumentException("a run needs divergence guard settings (DivergenceGuard.Settings.off()"
                    + " for none)");
        }
        if (shuffleWindow < 0) {
            throw new IllegalArgumentException("--shuffle-window must be >= 0, got " + shuffleWindow);
        }
    }

    /**
     * The spec's own training settings, named after the spec, Spark's default parallelism, parameter averaging
     * every {@value #DEFAULT_AVERAGING_FREQUENCY} steps without warm-up, the barrier transport, no scaling, no
     * resampling, an automatic shuffle window.
     */
    public static RunOptions of(ModelSpec spec) {
        return new RunOptions(spec, spec.training(), spec.name(), 0,
                new Averaging(AveragingMode.PARAMETER, DEFAULT_AVERAGING_FREQUENCY, 0),
                MasterConfig.RoundTransport.BARRIER, null, Resampling.none(), 0, null, null, null,
                DivergenceGuard.Settings.defaults());
    }

    public RunOptions withConfig(TrainingConfig c) {
        return new RunOptions(spec, c, name, workers, averaging, transport, scaler,
                resampling, shuffleWindow, lrScaling, classWeights, targetScaler, divergence);
    }

    public RunOptions withName(String n) {
        return new RunOptions(spec, config, n, workers, averaging, transport, scaler,
                resampling, shuffleWindow, lrScaling, classWeights, targetScaler, divergence);
    }

    public RunOptions withWorkers(int w) {
        return new RunOptions(spec, config, name, w, averaging, transport, scaler,
                resampling, shuffleWindow, lrScaling, classWeights, targetScaler, divergence);
    }

    public RunOptions withAveraging(Averaging a) {
        return new RunOptions(spec, config, name, workers, a, transport, scaler,
                resampling, shuffleWindow, lrScaling, classWeights, targetScaler, divergence);
    }

    public RunOptions withTransport(MasterConfig.RoundTransport t) {
        return new RunOptions(spec, config, name, workers, averaging, t, scaler,
                resampling, shuffleWindow, lrScaling, classWeights, targetScaler, divergence);
    }

    public RunOptions withScaler(FittedScaler.Kind k) {
        return new RunOptions(spec, config, name, workers, averaging, transport, k,
                resampling, shuffleWindow, lrScaling, classWeights, targetScaler, divergence);
    }

    public RunOptions withResampling(Resampling r) {
        return new RunOptions(spec, config, name, workers, averaging, transport, scaler,
                r, shuffleWindow, lrScaling, classWeights, targetScaler, divergence);
    }

    public RunOptions withShuffleWindow(int rows) {
        return new RunOptions(spec, config, name, workers, averaging, transport, scaler,
                resampling, rows, lrScaling, classWeights, targetScaler, divergence);
    }

    public RunOptions withLrScaling(LearningRateScaling rule) {
        return new RunOptions(spec, config, name, workers, averaging, transport, scaler,
                resampling, shuffleWindow, rule, classWeights, targetScaler, divergence);
    }

    public RunOptions withDivergence(DivergenceGuard.Settings d) {
        return new RunOptions(spec, config, name, workers, averaging, transport, scaler,
                resampling, shuffleWindow, lrScaling, classWeights, targetScaler, d);
    }

    public RunOptions withClassWeights(ClassWeights w) {
        return new RunOptions(spec, config, name, workers, averaging, transport, scaler,
                resampling, shuffleWindow, lrScaling, w, targetScaler, divergence);
    }

    /** Regression: the target scaler kind (null: targets as they are). */
    public RunOptions withTargetScaler(FittedScaler.Kind k) {
        return new RunOptions(spec, config, name, workers, averaging, transport, scaler,
                resampling, shuffleWindow, lrScaling, classWeights, k, divergence);
    }

    /** Whether the spec is a regression one ({@code outputs:}). */
    public boolean regression() {
        return spec.regression();
    }

    /** The target scaler's name as users type it. */
    public String targetScalerName() {
        return targetScaler == null ? "none" : targetScaler.name().toLowerCase(Locale.ROOT);
    }

    /** The workers this run uses on {@code sc}: the setting, or Spark's default parallelism when it is 0. */
    public int workers(JavaSparkContext sc) {
        return workers > 0 ? workers : sc.defaultParallelism();
    }

    /** A fresh network of the spec, initialised from the run's seed. */
    public Network network() {
        return Network.build(spec, config.seed());
    }

    /** Classes the data must have: the spec's {@code classes:}, else the network's output size. */
    public int classes() {
        return spec.classes() > 0 ? spec.classes() : classes(network());
    }

    /** As {@link #classes()}, from a network of this spec already built (none built again). */
    public int classes(Network built) {
        return spec.classes() > 0 ? spec.classes() : built.outputShape().size();
    }

    /** Rows a worker's step takes with {@code workers} workers: the largest share, or the per-worker size. */
    public int stepRows(int workers) {
        int b = config.batchSize();
        return config.perWorkerBatch() ? b : (b + Math.max(1, workers) - 1) / Math.max(1, workers);
    }

    /**
     * The data preparation of this run for {@code workers} workers: {@code split}, its scaler, resampling, minibatch
     * size (the global minibatch split into shares, unless the spec says {@code batch_size_per_worker}), shuffle
     * window, and {@code seed} (the run's seed; a bootstrap round passes its own).
     */
    public DataPipeline pipeline(SplitSpec split, int workers, long seed) {
        return DataPipeline.defaults().split(split).scaler(scaler).resampling(resampling).workers(workers)
                .batchSize(config.batchSize()).globalBatch(!config.perWorkerBatch()).seed(seed)
                .shuffleWindow(shuffleWindow).targetScaler(targetScaler);
    }

    /** How the master runs with {@code workers} workers. */
    public MasterConfig master(int workers) {
        return new MasterConfig(workers, averaging, name, transport, lrScaling, divergence);
    }

    /** The scaler's name as users type it ({@code none}, {@code zscore}, {@code minmax}). */
    public String scalerName() {
        return scaler == null ? "none" : scaler.name().toLowerCase(Locale.ROOT);
    }

    /**
     * A scaler by the name users type; null for {@code none}. The one place the names are read, by the
     * {@code --scale} flag and the Spark ML {@code scaling} param ({@code setting} names which in the message).
     */
    public static FittedScaler.Kind scaler(String name, String setting) {
        return switch (name) {
            case "zscore" -> FittedScaler.Kind.ZSCORE;
            case "minmax" -> FittedScaler.Kind.MINMAX;
            case "none" -> null;
            default -> throw new IllegalArgumentException(setting + " must be zscore, minmax or none, got '" + name
                    + "'");
        };
    }
}
