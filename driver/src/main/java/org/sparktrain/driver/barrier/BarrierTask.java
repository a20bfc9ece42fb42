package org.sparktrain.driver.barrier;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Collections;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.broadcast.Broadcast;
import org.sparktrain.driver.round.RoundRule;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.DivergenceGuard;
import org.sparktrain.engine.train.RoundVector;
import org.sparktrain.engine.train.Trainer;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * The body of one task of an epoch's barrier stage: worker {@code w} (= its partition) trains on its own
 * minibatches and averages with the other tasks every round, over an {@link AllReduce}, with no job
 * and no driver between rounds. What a round computes is the averaging mode's {@link RoundRule}, the same
 * object the job-per-round master calls; this class only carries it:
 * <ul>
 * <li>start: every task becomes a replica of the driver's trainer at the epoch's start (parameters, optimizer
 *     state, network state, step count, learning rate);</li>
 * <li>round r of K_r steps: the rule's {@link RoundRule#work work} packs the task's result into a buffer with
 *     one more entry, 1, that counts contributors; the all-reduce sums the buffers. A task without a minibatch in the
 *     round sends zeros everywhere, the count included, so it has no weight, as in the job transport where such
 *     a task returns nothing. Every task then has the rule {@link RoundRule#combine combine} the same sum into its
 *     replica: the same operations on the same bits as the driver's combine in the job transport, so the
 *     replicas stay identical.</li>
 * </ul>
 * Every task ends with the same bits (the all-reduce's property); it returns a hash of them, task 0 the vector.
 * A task may train with several threads ({@link TaskThreads}: one replica per thread, the task's minibatches cut
 * into slices of rows, the threads' results added in the task before it joins the all-reduce).
 */
final class BarrierTask extends AbstractFunction1<Iterator<MiniBatch>, Iterator<TaskReport>> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The driver's trainer at the epoch's start, which every task replicates. */
    record Start(Broadcast<float[]> state, long stepCount, float learningRate, String specText, TrainingConfig config,
                 DivergenceGuard guard) implements Serializable {
    }

    /**
     * Where an attempt starts in the epoch: round {@code round} (from 0) after {@code step} minibatches per worker,
     * with the completed rounds' loss sums and examples; {@link #EPOCH_START} for the epoch's start. The state is
     * then the attempt's {@link Start#state} (a {@link RoundState}'s).
     */
    record Resume(int round, int step, double[] lossSums, double[] examples) implements Serializable {
        static final Resume EPOCH_START = new Resume(0, 0, new double[0], new double[0]);
    }

    /** One attempt of the stage: its tasks, the attempt's secret and channel settings, a label for messages. */
    record Stage(int workers, byte[] secret, AllReduceSettings settings, String label, int attempt, String rendezvous,
                 StateHandover handover, Resume resume) implements Serializable {
    }

    private final Start start;
    private final RoundRule rule;
    private final int epoch;
    private final int[] rounds;
    private final Stage stage;
    private final TaskHook hook;
    private final boolean returnEveryVector;

    BarrierTask(Start start, RoundRule rule, int epoch, int[] rounds, Stage stage, TaskHook hook,
                boolean returnEveryVector) {
        this.start = start;
        this.rule = rule;
        this.epoch = epoch;
        this.rounds = rounds;
        this.stage = stage;
        this.hook = hook;
        this.returnEveryVector = returnEveryVector;
    }

    @Override
    public Iterator<TaskReport> apply(Iterator<MiniBatch> it) {
        long t0 = System.nanoTime();
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int w = ctx.partitionId();
        int workers = stage.workers();
        if (ctx.getTaskInfos().length != workers) {
            throw new IllegalStateException(stage.label() + ": the stage has " + ctx.getTaskInfos().length
                    + " tasks, the plan " + workers + " workers");
        }
        // streamed: the worker's minibatches are computed as it takes them (the epoch is never held whole)
        java.util.Iterator<MiniBatch> blocks = CollectionConverters.asJava(it);
        TrainingConfig config = start.config();
        SparkEnv env = SparkEnv.get();
        int threads = TaskThreads.fromConf(env == null ? null : env.conf(), ctx.getLocalProperty(TaskThreads.KEY));
        TaskThreads team = new TaskThreads(() -> {
            Trainer r = Trainer.fromSpec(Network.build(ModelSpec.parse(start.specText(), stage.label()),
                    config.seed()), config);
            RoundRule.restoreReplica(r, start.state().value(), start.stepCount(), start.learningRate());
            return r;
        }, threads, rule);
        int n = team.resultLength();
        float[] buf = new float[n + 1];
        AllReduceSettings s = stage.settings().host() != null ? stage.settings()
                : stage.settings().withHost(executorHost());
        TaskReport rep = new TaskReport();
        rep.partition = w;
        rep.lossSums = new double[rounds.length];
        rep.examples = new double[rounds.length];
        rep.roundMillis = new double[rounds.length];
        rep.exchangeMillis = new double[rounds.length];
        String who = stage.label() + " (Spark stage " + ctx.stageId() + "." + ctx.stageAttemptNumber() + ")";
        java.util.function.BooleanSupplier killed = ctx::isInterrupted;
        AllReduce ring = null;
        Conn states = null; // task 0's hand-over connection to the driver, or null
        StateHandover handover = stage.handover();
        Resume resume = stage.resume();
        try {
            try {
                ring = AllReduce.open(s.algorithm().choose(workers, n + 1), w, workers, s, killed, who,
                        MessageDelay.NONE);
                if (stage.rendezvous() != null) {
                    // one worker has no ring to advertise: it registers only to hand its states over
                    String mine = workers > 1 ? ring.address() : "-";
                    Rendezvous.Registration reg = Rendezvous.register(stage.rendezvous(), stage.secret(), w, workers,
                            mine, s, killed, who, w == 0 && handover.enabled());
                    states = reg.states();
                    if (workers > 1) {
                        ring.connect(reg.addresses(), stage.secret(), n + 1);
                    }
                } else if (workers > 1) {
                    // Spark's: 0 or ~1 s (it polls in whole seconds)
                    ring.connect(ctx.allGather(ring.address()), stage.secret(), n + 1);
                }
            } catch (Wire.KilledException e) {
                throw e;
            } catch (IOException e) {
                // the driver may run the epoch on the job transport after such failures (BarrierEpoch.NOT_CONNECTED)
                throw new IOException(BarrierEpoch.NOT_CONNECTED + e.getMessage(), e);
            }
            // synchronised BatchNorm: the replicas sum their statistics over the threads and tasks inside each step
            team.synchroniseBatchNorm(rule, ring, workers, killed);
            rep.setupMillis = (System.nanoTime() - t0) / 1e6;
            long stepCount = start.stepCount();
            DivergenceGuard guard = start.guard().copy(); // every task sees the same sums: all stop together
            // a rerun from a handed-over state: the rounds before it are done (docs/architecture.md, "Failing
            // cleanly"); the worker skips their minibatches, whose order and randomness depend on (epoch, step) only
            int first = resume.round();
            int step = resume.step();
            for (int i = 0; i < first; i++) {
                rep.lossSums[i] = resume.lossSums()[i];
                rep.examples[i] = resume.examples()[i];
                guard.observe(rep.lossSums[i], rep.examples[i]);
            }
            for (int i = 0; i < step && blocks.hasNext(); i++) {
                blocks.next();
            }
            rep.firstRound = first;
            rep.roundsDone = first;
            long compute = 0;
            long lastHandover = System.nanoTime();
            int lastHandoverRound = first;
            double slowest = 0; // ms, this attempt's slowest round
            for (int r = first; r < rounds.length; r++) {
                int k = rounds[r];
                long r0 = System.nanoTime();
                hook.beforeRound(stage.attempt(), r, w, killed);
                team.work(rule, blocks, epoch, w, step, k, buf); // a task without rows sends zeros: no weight
                long r1 = System.nanoTime();
                compute += r1 - r0;
                // a peer silent for much longer than the slowest round so far is stalled (a paused JVM): fail fast
                ring.setTimeoutMillis(s.roundTimeoutMillis(r, first, slowest));
                ring.allReduce(buf, n + 1);
                long rx = System.nanoTime();
                int contributors = Math.round(buf[n]);
                if (contributors > 0) {
                    team.combine(rule, buf, contributors, stepCount, k); // the next round's start, as on one machine
                    stepCount = team.first().optimizer().stepCount();
                    compute += System.nanoTime() - rx;
                    rep.lossSums[r] = buf[n - 2];
                    rep.examples[r] = buf[n - 1];
                }
                long r2 = System.nanoTime();
                rep.roundMillis[r] = (r2 - r0) / 1e6;
                slowest = Math.max(slowest, rep.roundMillis[r]);
                rep.exchangeMillis[r] = (rx - r1) / 1e6;
                rep.roundsDone = r + 1;
                step += k;
                if (contributors > 0 && !Double.isFinite(rep.lossSums[r])) {
                    rep.nonFiniteRound = r; // every task sees the same sum and stops at the same round
                    break;
                }
                if (contributors > 0 && guard.observe(rep.lossSums[r], rep.examples[r])) {
                    break; // the driver's replay of the guard finds this round and says so
                }
                if (states != null && handover.due(r + 1, rounds.length, r + 1 - lastHandoverRound,
                        (System.nanoTime() - lastHandover) / 1_000_000L)) {
                    RoundState st = new RoundState(r + 1, step, stepCount,
                            RoundVector.packState(team.first()),
                            java.util.Arrays.copyOf(rep.lossSums, r + 1), java.util.Arrays.copyOf(rep.examples, r + 1));
                    try {
                        Rendezvous.send(states, st, s, killed, who);
                        rep.handovers++;
                    } catch (Wire.KilledException e) {
                        throw e;
                    } catch (IOException e) {
                        // training goes on; only a rerun would start further back
                        org.slf4j.LoggerFactory.getLogger(BarrierTask.class).warn("{}: no more state hand-overs: {}",
                                who, e.getMessage());
                        states.close();
                        states = null;
                    }
                    lastHandover = System.nanoTime();
                    lastHandoverRound = r + 1;
                }
            }
            rep.computeSeconds = compute / 1e9;
            float[] fin = RoundVector.packState(team.first()); // with SlowMo's u: the next epoch needs it
            rep.stateHash = TaskReport.hash(fin);
            rep.stepCount = team.first().optimizer().stepCount();
            rep.state = w == 0 || returnEveryVector ? fin : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(who + ": interrupted (the task was killed)", e);
        } finally {
            team.close();
            if (ring != null) {
                ring.close();
            }
            if (states != null) {
                try {
                    states.close();
                } catch (IOException e) {
                    // closing: nothing left to lose
                }
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
