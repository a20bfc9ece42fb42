package org.sparktrain.driver.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.DoubleAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.barrier.BarrierEpoch;
import org.sparktrain.driver.barrier.RoundState;
import org.sparktrain.driver.barrier.StateHandover;
import org.sparktrain.driver.barrier.TaskHook;
import org.sparktrain.driver.round.RoundRule;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.DivergedLossException;
import org.sparktrain.engine.train.DivergenceGuard;
import org.sparktrain.engine.train.NonFiniteLossException;
import org.sparktrain.engine.train.RoundVector;
import org.sparktrain.engine.train.Trainer;

/**
 * The training master, one Spark job per averaging round (docs/architecture.md, decision 4; the reference mode).
 *
 * <p>Per round: broadcast the round's starting vector; every worker's task restores it into a pooled
 * trainer, takes its steps on its own partition's minibatches and returns one vector; the driver
 * collects the vectors in partition order (a fixed summation order: same seed, same bits), averages
 * them with {@link RoundVector#averageInOrder}, combines the average into its {@link Trainer} (the master copy of
 * the network and optimizer) and destroys the broadcast. What the round computes, and the plan of an epoch's
 * rounds, come from the averaging mode's {@link RoundRule} ({@code driver.round}); this class knows no modes.
 *
 * <p>With {@link MasterConfig.RoundTransport#BARRIER} the same rounds travel differently: one barrier
 * stage per epoch whose tasks average among themselves ({@link BarrierEpoch}) with the same rule.
 */
public final class ParameterAveragingMaster {
    private static final Logger LOG = LoggerFactory.getLogger(ParameterAveragingMaster.class);
    private static final java.util.concurrent.atomic.AtomicBoolean WARNED_NO_BATCHNORM =
            new java.util.concurrent.atomic.AtomicBoolean();
    private final JavaSparkContext sc;
    private final MasterConfig config;
    private final Trainer master;
    private final TrainingConfig training;
    private final String runId = UUID.randomUUID().toString();
    private long rounds;
    private final List<Double> roundMillis = new ArrayList<>();
    private double computeSeconds;
    private int epochRounds;
    private int checkpointEvery;
    private RoundCheckpoint checkpointSink;
    private BarrierEpoch.Outcome lastBarrier;
    private Fallback lastFallback;
    private TaskHook taskHook = TaskHook.NONE;
    /** The spec's learning rate, which a scaling rule scales per epoch. */
    private final float specRate;
    /** The divergence guard over every round of the run (docs/architecture.md, "Failing cleanly"). */
    private final DivergenceGuard guard;

    public ParameterAveragingMaster(JavaSparkContext sc, MasterConfig config, Trainer master) {
        this.sc = sc;
        this.config = config;
        this.master = master;
        this.training = master.config();
        this.specRate = master.optimizer().learningRate();
        this.guard = new DivergenceGuard(config.divergence(), DivergenceGuard.chanceLoss(master.network()));
        // SlowMo's u lives on the trainer that combines: here from the start (u = 0), so that every state of the
        // run (barrier starts, hand-overs, results, checkpoints) carries it; none without SlowMo (the old vectors)
        if (!config.averaging().slowMo().enabled()) {
            master.setOuterMomentum(null);
        } else if (master.outerMomentum() == null) {
            master.setOuterMomentum(new float[master.network().params().length]);
        }
        if (config.averaging().syncBatchNorm() && master.network().batchNormLayers().isEmpty()
                && !WARNED_NO_BATCHNORM.getAndSet(true)) { // once, not once per fold
            LOG.warn("--sync-batchnorm changes nothing: the model has no batchnorm layer");
        }
    }

    /**
     * A hook every barrier task calls at the start of every round (tests inject faults through it); none by
     * default. The job transport has no such point.
     */
    public void setTaskHook(TaskHook hook) {
        this.taskHook = hook == null ? TaskHook.NONE : hook;
    }

    public Trainer trainer() {
        return master;
    }

    /** Rounds run so far (all epochs). */
    public long rounds() {
        return rounds;
    }

    /** Restores the round counter when resuming (warm-up rounds are counted across epochs). */
    public void setRounds(long r) {
        rounds = r;
    }

    /** Wall time of each round of the last epoch, in milliseconds. */
    public List<Double> lastEpochRoundMillis() {
        return Collections.unmodifiableList(roundMillis);
    }

    /**
     * Rounds of the last epoch (its round times may cover fewer: a barrier stage rerun from a handed-over state
     * times only the rounds it computed).
     */
    public int lastEpochRounds() {
        return epochRounds;
    }

    /** Sum over the last epoch's rounds of the mean worker compute time (seconds). */
    public double lastEpochComputeSeconds() {
        return computeSeconds;
    }

    /** The last epoch's barrier stage (timings, attempts), or null in the job transport or after a fallback. */
    public BarrierEpoch.Outcome lastBarrierOutcome() {
        return lastBarrier;
    }

    /**
     * Why the last epoch ran on the job transport although the run's is the barrier transport ({@code line}, as
     * logged), with every failed stage attempt's cause; null when it did not.
     */
    public record Fallback(String line, List<String> causes) {
    }

    /** The last epoch's fall-back to the job transport, or null ({@link BarrierEpoch#JOB_FALLBACK}). */
    public Fallback lastFallback() {
        return lastFallback;
    }

    /**
     * Where a checkpoint inside an epoch goes ({@code --checkpoint-every}): the state after {@code st.roundsDone()}
     * rounds of epoch {@code epoch}, which began after {@code roundsAtEpochStart} rounds of the run. Called on the
     * driver's thread (job transport) or the barrier stage's rendezvous thread.
     */
    @FunctionalInterface
    public interface RoundCheckpoint {
        void write(int epoch, long roundsAtEpochStart, RoundState st) throws IOException;
    }

    /**
     * Checkpoints every {@code n} rounds of the run besides every epoch (0: none), through {@code sink}
     * (docs/architecture.md, "Failing cleanly"); never at an epoch's last round, whose checkpoint the epoch loop writes.
     */
    public void setCheckpointEvery(int n, RoundCheckpoint sink) {
        if (n < 0 || n > 0 && sink == null) {
            throw new IllegalArgumentException("--checkpoint-every must be >= 0 and have somewhere to go");
        }
        this.checkpointEvery = n;
        this.checkpointSink = sink;
    }

    /** One epoch: as many rounds as the largest partition needs. Returns {mean training loss, examples}. */
    public double[] trainEpoch(EpochData data, int epoch) {
        return trainEpoch(data, epoch, null);
    }

    /**
     * One epoch from {@code from}, a state after some of its rounds (a checkpoint written inside it), or from its start
     * when null; the master's round counter must be the one at the epoch's start. Returns {mean training loss,
     * examples} of the whole epoch.
     */
    public double[] trainEpoch(EpochData data, int epoch, RoundState from) {
        if (config.lrScaling() != null) {
            master.optimizer().setLearningRate(config.lrScaling().rate(specRate, training.batchSize(), epoch));
        }
        if (config.transport() == MasterConfig.RoundTransport.BARRIER) {
            return barrierEpoch(data, epoch, from);
        }
        return jobEpoch(data, epoch, from);
    }

    /** The epoch as one Spark job per round (the reference transport), from {@code from} or its start. */
    private double[] jobEpoch(EpochData data, int epoch, RoundState from) {
        RoundRule rule = config.averaging().rule(epoch);
        JavaRDD<MiniBatch> blocks = data.blocks(epoch);
        int steps = data.maxBlocksPerWorker(epoch);
        long roundsAtStart = rounds;
        int[] plan = rule.plan(rounds, steps);
        roundMillis.clear();
        computeSeconds = 0;
        double lossSum = 0;
        long examples = 0;
        int step = 0;
        int first = 0;
        double[] roundLoss = new double[plan.length];
        double[] roundExamples = new double[plan.length];
        if (from != null) { // the rounds before it are done: their losses count, their minibatches are skipped
            RoundVector.unpackState(from.state(), master); // with SlowMo's u when the run has one
            master.optimizer().setStepCount(from.stepCount());
            first = from.roundsDone();
            step = from.step();
            for (int i = 0; i < first; i++) {
                roundLoss[i] = from.lossSums()[i];
                roundExamples[i] = from.examples()[i];
                lossSum += roundLoss[i];
                examples += (long) roundExamples[i];
                guard.observe(roundLoss[i], roundExamples[i]);
            }
            rounds += first;
        }
        for (int r = first; r < plan.length; r++) {
            int k = plan[r];
            sc.setJobDescription(config.runName() + ": epoch " + epoch + ", round " + (r + 1)
                    + " (steps " + (step + 1) + "-" + (step + k) + " of " + steps + ")");
            long t0 = System.nanoTime();
            float[] avg = jobRound(rule, blocks, epoch, step, k); // averaged in place but for loss sum and examples
            roundMillis.add((System.nanoTime() - t0) / 1e6);
            if (avg != null) {
                double l = RoundVector.lossSum(avg);
                if (!Double.isFinite(l)) {
                    throw nonFinite(epoch, plan, r, l / RoundVector.examples(avg));
                }
                if (guard.observe(l, RoundVector.examples(avg))) {
                    throw new DivergedLossException(epoch, where(plan, r), guard);
                }
                lossSum += l;
                examples += RoundVector.examples(avg);
                roundLoss[r] = l;
                roundExamples[r] = RoundVector.examples(avg);
            }
            step += k;
            rounds++;
            if (checkpointEvery > 0 && r + 1 < plan.length && rounds % checkpointEvery == 0 && !diverging()) {
                RoundState st = new RoundState(r + 1, step, master.optimizer().stepCount(),
                        RoundVector.packState(master), Arrays.copyOf(roundLoss, r + 1),
                        Arrays.copyOf(roundExamples, r + 1));
                try {
                    checkpointSink.write(epoch, roundsAtStart, st);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        epochRounds = plan.length;
        data.release(epoch);
        return new double[] {examples == 0 ? Double.NaN : lossSum / examples, examples};
    }

    /** The epoch as one barrier stage: the same rounds, averaged among the tasks. */
    private double[] barrierEpoch(EpochData data, int epoch, RoundState from) {
        JavaRDD<MiniBatch> blocks = data.blocksReadOnce(epoch);
        if (blocks.getNumPartitions() != config.workers()) {
            throw new IllegalStateException("epoch " + epoch + " has " + blocks.getNumPartitions() + " partitions for "
                    + config.workers() + " workers");
        }
        RoundRule rule = config.averaging().rule(epoch);
        int[] plan = rule.plan(rounds, data.maxBlocksPerWorker(epoch));
        StateHandover handover = BarrierEpoch.handover(sc);
        Consumer<RoundState> onState = null;
        if (checkpointEvery > 0) {
            // task 0 hands over at the rounds a checkpoint is due; the driver writes them as they come
            StateHandover h = handover.withCheckpoints(checkpointEvery, rounds);
            handover = h;
            long roundsAtStart = rounds;
            RoundCheckpoint sink = checkpointSink;
            DivergenceGuard atStart = guard.copy();
            onState = st -> {
                if (h.checkpointDue(st.roundsDone()) && !aboveLimit(atStart, st)) {
                    try {
                        sink.write(epoch, roundsAtStart, st);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
        }
        BarrierEpoch.Outcome o;
        lastFallback = null;
        try {
            o = BarrierEpoch.run(sc, blocks, master, rule, epoch, plan, config.runName(), BarrierEpoch.settings(sc),
                    false, taskHook, new BarrierEpoch.Recovery(guard.copy(), handover, onState, from));
        } catch (BarrierEpoch.StageFailedException e) {
            if (!e.connectionFailure() || !BarrierEpoch.jobFallback(sc)) {
                throw e;
            }
            if (config.averaging().syncBatchNorm() && config.workers() > 1) {
                // the job transport cannot sum batch statistics inside a step: it would train another model
                throw new IllegalStateException(e.getMessage() + " (no fallback to the job transport: "
                        + MasterConfig.SYNC_BATCHNORM_NEEDS_BARRIER + ")", e);
            }
            // the ring could not connect (a firewall between executors, or to the driver): this epoch runs on the
            // job transport from where the stage got to, the next one tries the ring again (docs/architecture.md,
            // "Failing cleanly": repeated failure)
            RoundState at = e.latest();
            String line = config.runName() + ": the barrier stage of epoch " + epoch + " failed " + e.causes().size()
                    + " times, the last because " + e.lastCause() + ": epoch " + epoch
                    + " runs on the job transport" + (at == null ? " from its start" : " from round "
                    + (at.roundsDone() + 1) + " of " + plan.length) + "; the next epoch tries the barrier transport"
                    + " again (" + BarrierEpoch.JOB_FALLBACK + "=false stops the run instead)";
            LOG.warn(line);
            lastBarrier = null;
            try {
                double[] r = jobEpoch(data, epoch, at);
                lastFallback = new Fallback(line, e.causes());
                return r;
            } catch (RuntimeException jobFailed) {
                jobFailed.addSuppressed(e);
                throw jobFailed;
            }
        }
        lastBarrier = o;
        roundMillis.clear();
        for (double ms : o.roundMillis()) {
            roundMillis.add(ms);
        }
        computeSeconds = o.meanComputeSeconds();
        rounds += o.roundsDone();
        epochRounds = o.roundsDone();
        double lossSum = 0;
        long examples = 0;
        for (int i = 0; i < o.roundsDone(); i++) {
            lossSum += o.lossSums()[i];
            examples += (long) o.examples()[i];
        }
        if (o.nonFiniteRound() >= 0) {
            int bad = o.nonFiniteRound();
            throw nonFinite(epoch, plan, bad, o.lossSums()[bad] / o.examples()[bad]);
        }
        for (int i = 0; i < o.roundsDone(); i++) { // the tasks' copies stopped where this replay does
            if (guard.observe(o.lossSums()[i], o.examples()[i])) {
                throw new DivergedLossException(epoch, where(plan, i), guard);
            }
        }
        data.release(epoch);
        return new double[] {examples == 0 ? Double.NaN : lossSum / examples, examples};
    }

    /**
     * Whether the loss of the last rounds is above the divergence guard's limit (not yet for long enough to stop):
     * no checkpoint is written then, so the one kept is from before the loss ran away.
     */
    public boolean diverging() {
        return guard.aboveLimit();
    }

    /** {@link #diverging} after the rounds of {@code st}, for a guard at its epoch's start. */
    private static boolean aboveLimit(DivergenceGuard atStart, RoundState st) {
        DivergenceGuard g = atStart.copy();
        for (int i = 0; i < st.roundsDone(); i++) {
            g.observe(st.lossSums()[i], st.examples()[i]);
        }
        return g.aboveLimit();
    }

    /** The error for round {@code r} of {@code plan}, whose averaged loss per example is {@code loss}. */
    private static NonFiniteLossException nonFinite(int epoch, int[] plan, int r, double loss) {
        int step = 0;
        for (int i = 0; i < r; i++) {
            step += plan[i];
        }
        return new NonFiniteLossException(epoch, step + 1, loss, where(plan, r));
    }

    /** "in averaging round R (minibatches A-B)" for round {@code r} (from 0) of {@code plan}. */
    private static String where(int[] plan, int r) {
        int step = 0;
        for (int i = 0; i < r; i++) {
            step += plan[i];
        }
        return "in averaging round " + (r + 1) + " (minibatches " + (step + 1) + "-" + (step + plan[r]) + ")";
    }

    /**
     * One round as one Spark job: broadcast the rule's {@link RoundRule#workerStart}; every partition's task
     * restores it into a pooled trainer, skips to the round's first minibatch and does its {@link RoundRule#work};
     * the driver collects the results in partition order, sums them ({@link RoundVector#sumInOrder}) and the rule
     * {@link RoundRule#combine combines} the sum into the master. Returns the sum (its last two entries are the
     * round's loss sum and examples), or null when no worker had a minibatch left.
     * Adds the workers' mean compute time to the epoch's.
     */
    private float[] jobRound(RoundRule rule, JavaRDD<MiniBatch> blocks, int epoch, int step, int k) {
        long stepsBefore = master.optimizer().stepCount();
        rule.beginRound(master); // the master holds the round's start until the combine
        float lr = master.optimizer().learningRate(); // the driver's: a schedule or a resume reaches every worker
        Broadcast<float[]> start = sc.broadcast(rule.workerStart(master));
        RoundRule r = rule;
        String run = runId;
        String spec = master.network().spec().text();
        TrainingConfig cfg = training;
        DoubleAccumulator compute = sc.sc().doubleAccumulator();
        try {
            List<float[]> results = blocks.mapPartitionsWithIndex((Integer w, Iterator<MiniBatch> it) -> {
                long c0 = System.nanoTime();
                org.sparktrain.engine.train.Warmup.stopInThisJvm(); // training starts here: the warm-up yields its core
                Trainer t = WorkerPool.borrow(run, spec, cfg);
                try {
                    r.restoreWorker(t, start.value(), stepsBefore, lr);
                    skip(it, step);
                    float[] out = new float[r.resultLength(t)];
                    return r.work(t, it, epoch, w, step, k, out) == 0
                            ? Collections.<float[]>emptyIterator() : Collections.singletonList(out).iterator();
                } finally {
                    WorkerPool.giveBack(run, t);
                    compute.add((System.nanoTime() - c0) / 1e9);
                }
            }, true).collect();
            computeSeconds += compute.value() / Math.max(1, results.size());
            if (results.isEmpty()) {
                return null;
            }
            float[] sum = RoundVector.sumInOrder(results.toArray(new float[0][]));
            rule.combine(master, sum, results.size(), stepsBefore, k);
            return sum;
        } finally {
            start.destroy();
        }
    }

    private static void skip(Iterator<MiniBatch> it, int n) {
        for (int i = 0; i < n && it.hasNext(); i++) {
            it.next();
        }
    }

    /** Median and 90th percentile of the last epoch's round times (ms). */
    public double[] roundPercentiles() {
        if (roundMillis.isEmpty()) {
            return new double[] {0, 0};
        }
        double[] r = roundMillis.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(r);
        return new double[] {r[r.length / 2], r[Math.min(r.length - 1, (int) Math.ceil(0.9 * r.length) - 1)]};
    }

    /** Frees executor-side trainers of this run held in the driver's JVM (local mode). */
    public void close() {
        WorkerPool.release(runId);
    }
}
