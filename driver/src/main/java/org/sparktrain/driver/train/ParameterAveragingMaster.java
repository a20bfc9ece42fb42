package org.sparktrain.driver.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.DoubleAccumulator;
import org.sparktrain.driver.barrier.BarrierEpoch;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.optim.Optimizer;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.NonFiniteLossException;
import org.sparktrain.engine.train.RoundVector;
import org.sparktrain.engine.train.Trainer;

/**
 * The training master, one Spark job per averaging round (docs/architecture.md, decision 4; the reference mode).
 *
 * <p>Per round: broadcast the round's starting vector; every worker's task restores it into a pooled
 * trainer, takes its steps on its own partition's minibatches and returns one vector; the driver
 * collects the vectors in partition order (a fixed summation order: same seed, same bits), averages
 * them with {@link RoundVector#averageInOrder} and destroys the broadcast.
 * <ul>
 * <li>parameter mode: K local steps (K = 1 during the warm-up rounds), then parameters, optimizer
 *     state and BatchNorm statistics are averaged;</li>
 * <li>gradient mode: one minibatch gradient per worker, averaged on the driver, which adds the L1/L2
 *     penalty, clips and steps: synchronous SGD with minibatch W·b.</li>
 * </ul>
 * The driver's {@link Trainer} holds the master copy of the network and optimizer.
 *
 * <p>With {@link MasterConfig.RoundTransport#BARRIER} the same rounds travel differently: one barrier
 * stage per epoch whose tasks average among themselves ({@link BarrierEpoch}); the round plan
 * ({@link #roundSize}) and the averaging rule ({@link RoundVector#divideSum}) are shared.
 */
public final class ParameterAveragingMaster {
    private final JavaSparkContext sc;
    private final MasterConfig config;
    private final Trainer master;
    private final TrainingConfig training;
    private final String runId = UUID.randomUUID().toString();
    private long rounds;
    private final List<Double> roundMillis = new ArrayList<>();
    private double computeSeconds;
    private BarrierEpoch.Outcome lastBarrier;

    public ParameterAveragingMaster(JavaSparkContext sc, MasterConfig config, Trainer master) {
        this.sc = sc;
        this.config = config;
        this.master = master;
        this.training = master.config();
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

    /** Sum over the last epoch's rounds of the mean worker compute time (seconds). */
    public double lastEpochComputeSeconds() {
        return computeSeconds;
    }

    /** The last epoch's barrier stage (timings, attempts), or null in the job transport. */
    public BarrierEpoch.Outcome lastBarrierOutcome() {
        return lastBarrier;
    }

    /**
     * Steps of the round that starts at {@code step} of an epoch of {@code steps}, after {@code roundsSoFar}
     * rounds of the run: 1 in gradient mode and during the warm-up, else K (the remainder at the end).
     */
    static int roundSize(MasterConfig config, long roundsSoFar, int step, int steps) {
        return config.mode() == AveragingMode.GRADIENT || roundsSoFar < config.warmupRounds()
                ? 1 : Math.min(config.averagingFrequency(), steps - step);
    }

    /** One epoch: as many rounds as the largest partition needs. Returns {mean training loss, examples}. */
    public double[] trainEpoch(EpochData data, int epoch) {
        if (config.transport() == MasterConfig.RoundTransport.BARRIER) {
            return barrierEpoch(data, epoch);
        }
        JavaRDD<MiniBatch> blocks = data.blocks(epoch);
        int steps = data.maxBlocksPerWorker(epoch);
        roundMillis.clear();
        computeSeconds = 0;
        double lossSum = 0;
        long examples = 0;
        int step = 0;
        int roundInEpoch = 0;
        while (step < steps) {
            int k = roundSize(config, rounds, step, steps);
            sc.setJobDescription(config.runName() + ": epoch " + epoch + ", round " + (roundInEpoch + 1)
                    + " (steps " + (step + 1) + "-" + (step + k) + " of " + steps + ")");
            long t0 = System.nanoTime();
            float[] avg = config.mode() == AveragingMode.PARAMETER
                    ? parameterRound(blocks, epoch, step, k) : gradientRound(blocks, epoch, step);
            roundMillis.add((System.nanoTime() - t0) / 1e6);
            if (avg != null) {
                double l = RoundVector.lossSum(avg);
                if (!Double.isFinite(l)) {
                    throw new NonFiniteLossException(epoch, step + 1, l / RoundVector.examples(avg),
                            "in averaging round " + (roundInEpoch + 1) + " (minibatches " + (step + 1) + "-"
                                    + (step + k) + ")");
                }
                lossSum += RoundVector.lossSum(avg);
                examples += RoundVector.examples(avg);
            }
            step += k;
            roundInEpoch++;
            rounds++;
        }
        data.release(epoch);
        return new double[] {examples == 0 ? Double.NaN : lossSum / examples, examples};
    }

    /** The epoch as one barrier stage: the same rounds, averaged among the tasks. */
    private double[] barrierEpoch(EpochData data, int epoch) {
        JavaRDD<MiniBatch> blocks = data.blocksReadOnce(epoch);
        if (blocks.getNumPartitions() != config.workers()) {
            throw new IllegalStateException("epoch " + epoch + " has " + blocks.getNumPartitions() + " partitions for "
                    + config.workers() + " workers");
        }
        int steps = data.maxBlocksPerWorker(epoch);
        List<Integer> plan = new ArrayList<>();
        long r = rounds;
        for (int step = 0; step < steps; r++) {
            int k = roundSize(config, r, step, steps);
            plan.add(k);
            step += k;
        }
        int[] ks = plan.stream().mapToInt(Integer::intValue).toArray();
        BarrierEpoch.Outcome o = BarrierEpoch.run(sc, blocks, master, config.mode(), epoch, ks, config.runName(),
                BarrierEpoch.settings(sc), false);
        lastBarrier = o;
        roundMillis.clear();
        for (double ms : o.roundMillis()) {
            roundMillis.add(ms);
        }
        computeSeconds = o.meanComputeSeconds();
        rounds += o.roundsDone();
        double lossSum = 0;
        long examples = 0;
        for (int i = 0; i < o.roundsDone(); i++) {
            lossSum += o.lossSums()[i];
            examples += (long) o.examples()[i];
        }
        if (o.nonFiniteRound() >= 0) {
            int bad = o.nonFiniteRound();
            int step = 0;
            for (int i = 0; i < bad; i++) {
                step += ks[i];
            }
            double l = o.lossSums()[bad];
            throw new NonFiniteLossException(epoch, step + 1, l / o.examples()[bad], "in averaging round " + (bad + 1)
                    + " (minibatches " + (step + 1) + "-" + (step + ks[bad]) + ")");
        }
        data.release(epoch);
        return new double[] {examples == 0 ? Double.NaN : lossSum / examples, examples};
    }

    private float[] parameterRound(JavaRDD<MiniBatch> blocks, int epoch, int step, int k) {
        Network net = master.network();
        Optimizer opt = master.optimizer();
        long stepsBefore = opt.stepCount();
        float lr = opt.learningRate(); // the driver's, so that a schedule or a resume reaches every worker
        float[] avg = jobRound(blocks, RoundVector.packState(net, opt), (t, start, w, it) -> {
            RoundVector.unpackState(start, t.network(), t.optimizer());
            t.optimizer().setStepCount(stepsBefore);
            t.optimizer().setLearningRate(lr);
            skip(it, step);
            double loss = 0;
            long n = 0;
            for (int i = 0; i < k && it.hasNext(); i++) {
                MiniBatch b = it.next();
                loss += t.stepAt(b, epoch, w, step + i) * b.size;
                n += b.size;
            }
            return n == 0 ? null : RoundVector.packResult(t.network(), t.optimizer(), loss, n);
        });
        if (avg != null) {
            RoundVector.unpackState(avg, net, opt);
            opt.setStepCount(stepsBefore + k);
        }
        return avg;
    }

    private float[] gradientRound(JavaRDD<MiniBatch> blocks, int epoch, int step) {
        Network net = master.network();
        float[] avg = jobRound(blocks, RoundVector.packParamsAndState(net), (t, start, w, it) -> {
            RoundVector.unpackParamsAndState(start, t.network());
            skip(it, step);
            if (!it.hasNext()) {
                return null;
            }
            MiniBatch b = it.next();
            double loss = t.gradientAt(b, epoch, w, step);
            return RoundVector.packGradient(t.network(), loss * b.size, b.size);
        });
        if (avg != null) {
            master.applyAveragedGradient(avg, 0);
            float[] state = net.state();
            System.arraycopy(avg, net.params().length, state, 0, state.length);
        }
        return avg;
    }

    /** What one worker does in a job-per-round round; null when it had no minibatch left. */
    @FunctionalInterface
    interface WorkerRound extends java.io.Serializable {
        float[] run(Trainer trainer, float[] start, int worker, Iterator<MiniBatch> blocks);
    }

    /**
     * One round as one Spark job: broadcast {@code startVector}, run {@code body} on every partition with a
     * pooled trainer, collect the results in partition order and average them ({@link RoundVector}); null
     * when no worker had a minibatch left. Adds the workers' mean compute time to the epoch's.
     */
    private float[] jobRound(JavaRDD<MiniBatch> blocks, float[] startVector, WorkerRound body) {
        Broadcast<float[]> start = sc.broadcast(startVector);
        String run = runId;
        String spec = master.network().spec().text();
        TrainingConfig cfg = training;
        DoubleAccumulator compute = sc.sc().doubleAccumulator();
        try {
            List<float[]> results = blocks.mapPartitionsWithIndex((Integer w, Iterator<MiniBatch> it) -> {
                long c0 = System.nanoTime();
                Trainer t = WorkerPool.borrow(run, spec, cfg);
                try {
                    float[] r = body.run(t, start.value(), w, it);
                    return r == null ? Collections.<float[]>emptyIterator() : Collections.singletonList(r).iterator();
                } finally {
                    WorkerPool.giveBack(run, t);
                    compute.add((System.nanoTime() - c0) / 1e9);
                }
            }, true).collect();
            computeSeconds += compute.value() / Math.max(1, results.size());
            return results.isEmpty() ? null : RoundVector.averageInOrder(results.toArray(new float[0][]));
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
