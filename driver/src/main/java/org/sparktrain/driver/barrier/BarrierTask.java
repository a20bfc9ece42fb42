package org.sparktrain.driver.barrier;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collections;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.broadcast.Broadcast;
import org.sparktrain.driver.train.AveragingMode;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.optim.Optimizer;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.RoundVector;
import org.sparktrain.engine.train.Trainer;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * The body of one task of an epoch's barrier stage: worker {@code w} (= its partition) trains on its own
 * minibatches and averages with the other tasks every round, over a {@link RingAllReduce}, with no job
 * and no driver between rounds. It computes exactly what a round of the job-per-round master computes:
 * <ul>
 * <li>parameter mode, round r of K_r steps: from the averaged state, steps {@code s .. s + K_r − 1} on
 *     its blocks (fewer, or none, when it has run out); then the ring sums
 *     {@code [params | optimizer state | network state | loss sum | examples | 1]} over the workers that
 *     took a step and {@link RoundVector#divideSum} averages it: the last entry counts the
 *     contributors. A worker without a block in the round sends zeros everywhere, the count included,
 *     so it has no weight, as in the job mode where such a task returns nothing. Every task restores
 *     the average and sets the optimizer's step count to the round's end.</li>
 * <li>gradient mode: one minibatch gradient {@code [gradient | network state | loss sum | examples | 1]}
 *     summed and averaged the same way; then every task adds the penalty, clips and steps with the
 *     same averaged gradient and the same optimizer state: the same operations on the same bits as the
 *     driver's step in the job mode, so the tasks stay identical without sending parameters.</li>
 * </ul>
 * Every task ends with the same bits (the ring's property); it returns a hash of them, task 0 the vector.
 */
final class BarrierTask extends AbstractFunction1<Iterator<MiniBatch>, Iterator<TaskReport>> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Broadcast<float[]> start;
    private final long stepsBefore;
    private final float learningRate;
    private final String specText;
    private final TrainingConfig config;
    private final AveragingMode mode;
    private final int epoch;
    private final int[] rounds;
    private final int workers;
    private final byte[] secret;
    private final AllReduceSettings settings;
    private final String label;
    private final int attempt;
    private final boolean returnEveryVector;
    private final String rendezvous;

    BarrierTask(Broadcast<float[]> start, long stepsBefore, float learningRate, String specText, TrainingConfig config,
                AveragingMode mode, int epoch, int[] rounds, int workers, byte[] secret, AllReduceSettings settings,
                String label, int attempt, boolean returnEveryVector, String rendezvous) {
        this.start = start;
        this.stepsBefore = stepsBefore;
        this.learningRate = learningRate;
        this.specText = specText;
        this.config = config;
        this.mode = mode;
        this.epoch = epoch;
        this.rounds = rounds;
        this.workers = workers;
        this.secret = secret;
        this.settings = settings;
        this.label = label;
        this.attempt = attempt;
        this.returnEveryVector = returnEveryVector;
        this.rendezvous = rendezvous;
    }

    @Override
    public Iterator<TaskReport> apply(Iterator<MiniBatch> it) {
        long t0 = System.nanoTime();
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int w = ctx.partitionId();
        if (ctx.getTaskInfos().length != workers) {
            throw new IllegalStateException(label + ": the stage has " + ctx.getTaskInfos().length + " tasks, the plan "
                    + workers + " workers");
        }
        // streamed: the worker's minibatches are computed as it takes them (the epoch is never held whole)
        java.util.Iterator<MiniBatch> blocks = CollectionConverters.asJava(it);
        Trainer t = Trainer.fromSpec(Network.build(ModelSpec.parse(specText, label), config.seed()), config);
        Network net = t.network();
        Optimizer opt = t.optimizer();
        RoundVector.unpackState(start.value(), net, opt);
        opt.setStepCount(stepsBefore);
        opt.setLearningRate(learningRate);
        int n = mode == AveragingMode.PARAMETER ? RoundVector.resultLength(net, opt) : RoundVector.gradientLength(net);
        float[] buf = new float[n + 1];
        AllReduceSettings s = settings.host() != null ? settings : settings.withHost(executorHost());
        TaskReport rep = new TaskReport();
        rep.partition = w;
        rep.lossSums = new double[rounds.length];
        rep.examples = new double[rounds.length];
        rep.roundMillis = new double[rounds.length];
        rep.exchangeMillis = new double[rounds.length];
        String who = label + " (Spark stage " + ctx.stageId() + "." + ctx.stageAttemptNumber() + ")";
        java.util.function.BooleanSupplier killed = ctx::isInterrupted;
        RingAllReduce ring = null;
        try {
            ring = RingAllReduce.open(w, workers, s, killed, who);
            if (workers > 1) {
                String[] addresses = rendezvous != null
                        ? Rendezvous.exchange(rendezvous, secret, w, workers, ring.address(), s, killed, who)
                        : ctx.allGather(ring.address()); // Spark's: 0 or ~1 s (it polls in whole seconds)
                ring.connect(addresses, secret, n + 1);
            }
            rep.setupMillis = (System.nanoTime() - t0) / 1e6;
            long stepCount = stepsBefore;
            long compute = 0;
            int step = 0;
            int p = net.params().length;
            for (int r = 0; r < rounds.length; r++) {
                int k = rounds[r];
                long r0 = System.nanoTime();
                FaultInjection.check(attempt, r, w, killed);
                double loss = 0;
                long ex = 0;
                if (mode == AveragingMode.PARAMETER) {
                    for (int i = 0; i < k && blocks.hasNext(); i++) {
                        MiniBatch b = blocks.next();
                        loss += t.stepAt(b, epoch, w, step + i) * b.size;
                        ex += b.size;
                    }
                    if (ex > 0) {
                        RoundVector.packResultInto(net, opt, loss, ex, buf);
                    }
                } else if (blocks.hasNext()) {
                    MiniBatch b = blocks.next();
                    loss = t.gradientAt(b, epoch, w, step) * b.size;
                    ex = b.size;
                    RoundVector.packGradientInto(net, loss, ex, buf);
                }
                if (ex > 0) {
                    buf[n] = 1;
                } else {
                    Arrays.fill(buf, 0f); // no weight: no step this round
                }
                long r1 = System.nanoTime();
                compute += r1 - r0;
                ring.allReduce(buf, n + 1);
                long rx = System.nanoTime();
                int contributors = Math.round(buf[n]);
                if (contributors > 0) {
                    RoundVector.divideSum(buf, n, contributors);
                    if (mode == AveragingMode.PARAMETER) {
                        RoundVector.unpackState(buf, net, opt);
                        stepCount += k;
                        opt.setStepCount(stepCount);
                    } else {
                        long a0 = System.nanoTime();
                        t.applyAveragedGradient(buf, 0); // the optimizer step: compute, as on one machine
                        compute += System.nanoTime() - a0;
                        float[] state = net.state();
                        System.arraycopy(buf, p, state, 0, state.length);
                    }
                    rep.lossSums[r] = buf[n - 2];
                    rep.examples[r] = buf[n - 1];
                }
                long r2 = System.nanoTime();
                rep.roundMillis[r] = (r2 - r0) / 1e6;
                rep.exchangeMillis[r] = (rx - r1) / 1e6;
                rep.roundsDone = r + 1;
                step += k;
                if (contributors > 0 && !Double.isFinite(rep.lossSums[r])) {
                    rep.nonFiniteRound = r; // every task sees the same sum and stops at the same round
                    break;
                }
            }
            rep.computeSeconds = compute / 1e9;
            float[] fin = RoundVector.packState(net, opt);
            rep.stateHash = TaskReport.hash(fin);
            rep.stepCount = opt.stepCount();
            rep.state = w == 0 || returnEveryVector ? fin : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } finally {
            if (ring != null) {
                ring.close();
            }
        }
        return CollectionConverters.asScala(Collections.singletonList(rep).iterator());
    }

    private static String executorHost() {
        SparkEnv env = SparkEnv.get();
        if (env == null) {
            return java.net.InetAddress.getLoopbackAddress().getHostAddress();
        }
        return env.blockManager().blockManagerId().host();
    }
}
