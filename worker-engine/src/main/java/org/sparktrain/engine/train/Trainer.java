package org.sparktrain.engine.train;

import java.util.SplittableRandom;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.SplitMix;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.metrics.ClassificationMetrics;
import org.sparktrain.engine.optim.GradientClipping;
import org.sparktrain.engine.optim.Optimizer;
import org.sparktrain.engine.optim.Optimizers;
import org.sparktrain.engine.optim.Regularization;
import org.sparktrain.engine.spec.TrainingConfig;

/**
 * The single-worker minibatch loop: for each minibatch, forward → loss → backward → L1/L2 penalty →
 * clipping → optimizer step, all on the network's flat vectors. The same loop runs inside every Spark
 * task; here it is also usable on its own.
 *
 * <p>Minibatch order: {@code shuffle} draws a new permutation every epoch; {@code bootstrap} draws
 * {@code ceil(n/m)} minibatches of m examples with replacement. Random streams derive from
 * (seed, epoch, worker, step) only (docs/architecture.md, decision 5). After the first minibatch the loop
 * allocates nothing.
 */
public final class Trainer {
    private final Network net;
    private final Optimizer optimizer;
    private final Regularization regularization;
    private final GradientClipping clipping;
    private final TrainingConfig config;
    private final int worker;
    private MiniBatch batch;
    private int[] order;
    private long steps;
    /**
     * The outer (slow) momentum of parameter averaging, SlowMo (docs/architecture.md, "The global minibatch"): one
     * float per parameter, or null when the run has none (the same as zeros). The engine never reads it: the
     * driver's round rule updates it after every average, and {@link RoundVector#packState(Trainer)} carries it
     * with the rest of the trainer's state (hand-overs, checkpoints).
     */
    private float[] outerMomentum;
    /** The parameters at the current averaging round's start (SlowMo's x0), or null; kept by the round rule. */
    private float[] roundStart;

    public Trainer(Network net, Optimizer optimizer, Regularization regularization, GradientClipping clipping,
                   TrainingConfig config, int worker) {
        this.net = net;
        this.optimizer = optimizer;
        this.regularization = regularization;
        this.clipping = clipping;
        this.config = config;
        this.worker = worker;
        optimizer.initialise(net.params().length);
        optimizer.setDecayRanges(net.penalizedRanges());
    }

    /**
     * A trainer configured entirely by the network's spec (optimizer, regularization, clipping, training) and
     * {@code config} (its class weights, if any, weight the network's loss).
     */
    public static Trainer fromSpec(Network net, TrainingConfig config) {
        var spec = net.spec();
        net.lossFunction().setClassWeights(config.classWeights());
        return new Trainer(net, Optimizers.fromSpec(spec.optimizer()),
                Regularization.fromSpec(spec.regularization(), net.penalizedRanges()),
                GradientClipping.fromSpec(spec.clipping()), config, 0);
    }

    public Network network() {
        return net;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public TrainingConfig config() {
        return config;
    }

    /** SlowMo's momentum buffer u (one float per parameter), or null when the run has none (u = 0). */
    public float[] outerMomentum() {
        return outerMomentum;
    }

    /** Sets (or with null drops) the outer momentum buffer; a non-null one holds one float per parameter. */
    public void setOuterMomentum(float[] u) {
        if (u != null && u.length != net.params().length) {
            throw new IllegalArgumentException("an outer momentum of " + u.length + " floats for "
                    + net.params().length + " parameters");
        }
        outerMomentum = u;
    }

    /** The parameters copied at the averaging round's start ({@link #markRoundStart}), or null. */
    public float[] roundStart() {
        return roundStart;
    }

    /** Copies the parameters as the current averaging round's start (SlowMo's x0); the buffer is reused. */
    public void markRoundStart() {
        float[] p = net.params();
        if (roundStart == null || roundStart.length != p.length) {
            roundStart = new float[p.length];
        }
        System.arraycopy(p, 0, roundStart, 0, p.length);
    }

    /** Steps taken so far. */
    public long steps() {
        return steps;
    }

    /**
     * One minibatch step on {@code b}; {@code stepSeed} seeds the layers' randomness. Returns the
     * minibatch's loss (mean data loss + penalty), before the update.
     */
    public double step(MiniBatch b, long stepSeed) {
        net.setStepSeed(stepSeed);
        double loss = net.computeGradient(b);
        loss += regularization.addPenaltyGradient(net.params(), net.grads());
        if (clipping.mode() != GradientClipping.Mode.NONE) { // no norm pass per step when clipping is off
            clipping.apply(net.grads());
        }
        optimizer.step(net.params(), net.grads());
        steps++;
        return loss;
    }

    /**
     * One step as worker {@code worker} takes it at {@code (epoch, step)} of a data-parallel run: the
     * randomness (Dropout) is seeded from (seed, epoch, worker, step) only, so a retried task repeats it.
     */
    public double stepAt(MiniBatch b, int epoch, int worker, int step) {
        return step(b, SplitMix.derive(config.seed(), epoch, worker, step));
    }

    /**
     * Gradient mode, on a worker: the mean data-loss gradient of one minibatch, left in the network's
     * gradient vector (no penalty, clipping or update: the driver applies those to the average).
     */
    public double gradientAt(MiniBatch b, int epoch, int worker, int step) {
        net.setStepSeed(SplitMix.derive(config.seed(), epoch, worker, step));
        return net.computeGradient(b);
    }

    /**
     * Gradient mode, on the driver: takes the workers' averaged data-loss gradient (from
     * {@code grads[offset ..]}), adds the L1/L2 penalty gradient, clips and steps — what one machine does
     * with a minibatch W times larger. Returns the penalty value.
     */
    public double applyAveragedGradient(float[] grads, int offset) {
        float[] g = net.grads();
        System.arraycopy(grads, offset, g, 0, g.length);
        double penalty = regularization.addPenaltyGradient(net.params(), g);
        if (clipping.mode() != GradientClipping.Mode.NONE) {
            clipping.apply(g);
        }
        optimizer.step(net.params(), g);
        steps++;
        return penalty;
    }

    /** One epoch over {@code data}; epochs are numbered from 1. */
    public EpochStats trainEpoch(DataSet data, int epoch) {
        int n = data.size();
        int m = config.batchSize();
        if (n == 0) {
            throw new IllegalArgumentException("the training data is empty: nothing to train on");
        }
        if (batch == null || batch.features.length < m * data.shape().size()) {
            batch = MiniBatch.allocate(m, data.shape().size(), data.labels() != null, data.targetSize());
        }
        int batches = (n + m - 1) / m;
        SplittableRandom rnd = new SplittableRandom(SplitMix.derive(config.seed(), epoch, worker, -1));
        if (order == null || order.length != n) {
            order = new int[n];
        }
        EpochOrder.draw(config.sampling(), rnd, order);
        long t0 = System.nanoTime();
        double lossSum = 0;
        long seen = 0;
        for (int s = 0; s < batches; s++) {
            int from = s * m;
            int count = Math.min(m, n - from);
            if (count == 1 && batches > 1) {
                // a one-example minibatch has no batch statistics (BatchNorm refuses it) and gives a
                // noisy step: drop it, as PyTorch's drop_last would for this remainder
                break;
            }
            data.gather(order, from, count, batch);
            double l = step(batch, SplitMix.derive(config.seed(), epoch, worker, s));
            if (!Double.isFinite(l)) {
                throw new NonFiniteLossException(epoch, s + 1, l);
            }
            lossSum += l * count;
            seen += count;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        return new EpochStats(epoch, lossSum / seen, seen, secs);
    }

    /** Metrics of the network (inference mode) on {@code data}, in chunks of {@code chunk} examples. */
    public static ClassificationMetrics evaluate(Network net, DataSet data, int chunk) {
        int classes = net.outputShape().size();
        ClassificationMetrics metrics = new ClassificationMetrics(classes);
        int fs = data.shape().size();
        float[] x = new float[chunk * fs];
        float[] probs = new float[chunk * classes];
        int[] labels = new int[chunk];
        // one copy of each chunk: slice gives features, labels and (sequences) the mask of their lengths
        MiniBatch b = new MiniBatch(x, labels, data.targets() == null ? null : new float[chunk * data.targetSize()], 0);
        for (int from = 0; from < data.size(); from += chunk) {
            int count = Math.min(chunk, data.size() - from);
            data.slice(from, count, b);
            net.predict(b.features, b.mask, count, probs);
            metrics.addBatch(probs, classes, labels, count);
        }
        return metrics;
    }

    /**
     * Trains for {@code config.epochs()} epochs, with early stopping on {@code validation} when the
     * config enables it (patience > 0): every {@code interval} epochs the metric is checked; after
     * {@code patience} checks without improvement training stops. Either way, with early stopping on,
     * the parameters and state of the best check are restored at the end.
     */
    public FitResult fit(DataSet train, DataSet validation, EpochListener listener) {
        EarlyStopping early = config.patience() > 0 && validation != null ? new EarlyStopping(config, net) : null;
        int epoch = 1;
        boolean stoppedEarly = false;
        for (; epoch <= config.epochs(); epoch++) {
            EpochStats stats = trainEpoch(train, epoch);
            ClassificationMetrics val = null;
            if (validation != null && (early == null || early.checks(epoch, config.epochs()))) {
                val = evaluate(net, validation, 1000);
            }
            if (listener != null) {
                listener.epochDone(stats, val);
            }
            if (early != null && val != null && early.observe(epoch, val, net)) {
                stoppedEarly = true;
                break;
            }
        }
        int lastEpoch = Math.min(epoch, config.epochs());
        if (early != null) {
            early.restoreBest(net);
        }
        return new FitResult(lastEpoch, early != null ? early.bestEpoch() : lastEpoch, stoppedEarly);
    }

    /** Called after every epoch; {@code validation} is null when no validation ran that epoch. */
    public interface EpochListener {
        void epochDone(EpochStats stats, ClassificationMetrics validation);
    }

    /** How a fit ended: epochs run, the epoch whose parameters the network now holds, and whether it stopped early. */
    public record FitResult(int epochsRun, int bestEpoch, boolean stoppedEarly) {
    }

}
