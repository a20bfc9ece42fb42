package org.sparktrain.driver.barrier;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.round.RoundRule;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.optim.Optimizer;
import org.sparktrain.engine.train.DivergenceGuard;
import org.sparktrain.engine.train.RoundVector;
import org.sparktrain.engine.train.Trainer;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Driver side of the barrier transport (issue 5, "How a round travels"): ONE barrier stage carries all
 * the averaging rounds of an epoch; its W tasks (one per partition of the epoch's cached blocks) swap
 * addresses with a single {@code allGather} and then average among themselves every round over a
 * {@link AllReduce} (ring or halving/doubling; {@link BarrierTask} says what a round computes: the same as a
 * job per round).
 *
 * <p>Failure: Spark does not retry a failed barrier result stage, so the driver does. It keeps the
 * epoch's starting state (parameters, optimizer state and step count, network state, learning rate;
 * the round plan and the seeds are functions of the epoch), and the latest {@link RoundState} task 0 handed over
 * during the stage ({@link StateHandover}: every N rounds or T seconds), and reruns the stage from the latest of
 * them, with a fresh secret, up to {@link AllReduceSettings#maxAttempts()} times (docs/architecture.md, "Failing
 * cleanly": recovery in rounds). Since every random stream derives
 * from (seed, epoch, worker, step), a rerun gives the bits an uninterrupted stage would have given.
 * A non-finite averaged loss, or one the divergence guard stops, is not a failure: every task stops at the same
 * round, and the caller is told which (or replays the guard on the rounds' losses).
 *
 * <p>After the stage the driver checks that every task reported the same hash of its final state (the
 * ring guarantees it; a difference is a bug, reported as such) and restores task 0's vector into the
 * driver's trainer.
 */
public final class BarrierEpoch {
    private static final Logger LOG = LoggerFactory.getLogger(BarrierEpoch.class);
    private static final ClassTag<TaskReport> REPORT = ClassTag$.MODULE$.apply(TaskReport.class);
    /** How long a failed stage's driver waits for task 0's hand-over connection to close (a state on its way). */
    private static final long RENDEZVOUS_DRAIN_MILLIS = 5_000;
    /** What {@link PeerLinks} says of a silent peer. */
    static final String STALLED = "dead, stalled or slower than";

    /**
     * How the stage went. Arrays are per round (completed rounds only); timings are task 0's.
     *
     * @param meanComputeSeconds minibatch compute time, averaged over the tasks
     * @param setupMillis task 0's start to a connected ring (includes the allGather's ~1 s poll)
     * @param nonFiniteRound the round whose averaged loss was NaN or infinite, or -1
     * @param attempts stage attempts it took (1 when nothing failed)
     * @param finalVectors every task's final state when asked for (tests), else only task 0's
     * @param firstRound the round the successful attempt started from (0, or that of a handed-over state); the
     *     timings cover its rounds only, the losses every round of the epoch
     * @param handovers states task 0 handed to the driver in the successful attempt
     * @param failures one line per failed attempt: its cause and where the next attempt started
     */
    public record Outcome(int roundsDone, double[] lossSums, double[] examples, double[] roundMillis,
                          double[] exchangeMillis, double meanComputeSeconds, double setupMillis, int nonFiniteRound,
                          int attempts, float[][] finalVectors, int firstRound, int handovers, List<String> failures) {
    }

    private BarrierEpoch() {
    }

    /**
     * Spark configuration key (or a thread's local property) for the engine threads of every barrier task
     * (docs/architecture.md, "Threads inside a task"); default {@code spark.task.cpus}, which is 1 unless set.
     */
    public static final String THREADS = TaskThreads.KEY;

    /** The engine threads every barrier task of {@code sc}'s stages trains with ({@link #THREADS}). */
    public static int threadsPerTask(JavaSparkContext sc) {
        return TaskThreads.fromConf(sc.getConf(), sc.getLocalProperty(THREADS));
    }

    /**
     * The settings from the Spark configuration, where a thread's local property of the same name
     * ({@code sc.setLocalProperty}) overrides the configuration for the stages that thread submits.
     */
    public static AllReduceSettings settings(JavaSparkContext sc) {
        SparkConf c = conf(sc, AllReduceSettings.PORTS, AllReduceSettings.HOST, AllReduceSettings.BIND,
                AllReduceSettings.CONNECT_TIMEOUT, AllReduceSettings.IO_TIMEOUT, AllReduceSettings.MAX_ATTEMPTS,
                AllReduceSettings.RENDEZVOUS, AllReduceSettings.STALL_TIMEOUT, AllReduceSettings.ENCRYPT);
        AllReduceSettings s = AllReduceSettings.fromConf(c);
        String why = AllReduceSettings.encryptionReason(c);
        String said = why != null ? "encrypted (AES-256-GCM, keys per stage attempt, connection and direction) as "
                + why : sparkEncrypts(c) ? "NOT encrypted although Spark encrypts its own traffic ("
                + AllReduceSettings.ENCRYPT + "=false): parameters and gradients travel in clear between executors"
                : "not encrypted (Spark's RPC is not either; " + AllReduceSettings.ENCRYPT + "=true turns it on)";
        if (!said.equals(loggedEncryption)) {
            loggedEncryption = said;
            if (why == null && sparkEncrypts(c)) {
                LOG.warn("The barrier stages' all-reduce, rendezvous and state hand-over traffic is {}", said);
            } else {
                LOG.info("The barrier stages' all-reduce, rendezvous and state hand-over traffic is {}", said);
            }
        }
        return s;
    }

    /** What the log last said about encryption (said again only when it changes). */
    private static volatile String loggedEncryption;

    private static boolean sparkEncrypts(SparkConf c) {
        for (String k : AllReduceSettings.SPARK_ENCRYPTION) {
            if (c.get(k, "false").trim().equalsIgnoreCase("true")) {
                return true;
            }
        }
        return false;
    }

    /** The state hand-over settings ({@link StateHandover}), read as {@link #settings} reads its keys. */
    public static StateHandover handover(JavaSparkContext sc) {
        return StateHandover.fromConf(conf(sc, StateHandover.EVERY_ROUNDS, StateHandover.EVERY_SECONDS));
    }

    /**
     * Spark configuration key (or a thread's local property): whether an epoch whose barrier stage failed
     * {@link AllReduceSettings#MAX_ATTEMPTS} times, the last time because the ring could not connect, runs on the job
     * transport instead of stopping the run ({@code true}, the default, or {@code false}; docs/architecture.md,
     * "Failing cleanly": repeated failure).
     */
    public static final String JOB_FALLBACK = "spark.sparktrain.barrier.jobFallback";

    /** {@link #JOB_FALLBACK} for the stages of this thread. */
    public static boolean jobFallback(JavaSparkContext sc) {
        String v = conf(sc, JOB_FALLBACK).get(JOB_FALLBACK, "true").trim();
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(JOB_FALLBACK + " must be true or false, got '" + v + "'");
        }
        return v.equalsIgnoreCase("true");
    }

    /** The ports the driver's rendezvous may bind ({@link AllReduceSettings#RENDEZVOUS_PORTS}) for this thread. */
    static PortRange rendezvousPorts(JavaSparkContext sc) {
        String k = AllReduceSettings.RENDEZVOUS_PORTS;
        return PortRange.parse(k, conf(sc, k).get(k, "0"));
    }

    /** A copy of {@code sc}'s configuration where the thread's local properties among {@code keys} win. */
    private static SparkConf conf(JavaSparkContext sc, String... keys) {
        SparkConf c = sc.getConf().clone();
        for (String k : keys) {
            String v = sc.getLocalProperty(k);
            if (v != null) {
                c.set(k, v);
            }
        }
        return c;
    }

    /**
     * What a task's failure says when it came while the ring was being set up (its server socket bound, the driver's
     * rendezvous reached, the partners connected and authenticated), before any round: the ring could not connect.
     */
    static final String NOT_CONNECTED = "the ring could not connect: ";

    /**
     * A barrier stage that failed {@link AllReduceSettings#maxAttempts} times: every attempt's cause, the latest
     * state of the epoch (handed over, or the one the epoch started from; null: the epoch's start), and whether the
     * last attempt failed because the ring could not connect (the job transport may then run the epoch).
     */
    public static final class StageFailedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        private final transient List<String> causes;
        private final transient RoundState latest;
        private final boolean connectionFailure;
        private final String lastCause;

        StageFailedException(String message, Throwable last, List<String> causes, RoundState latest,
                             boolean connectionFailure, String lastCause) {
            super(message, last);
            this.causes = List.copyOf(causes);
            this.latest = latest;
            this.connectionFailure = connectionFailure;
            this.lastCause = lastCause;
        }

        /** One line per failed attempt: its cause and where the next attempt started. */
        public List<String> causes() {
            return causes;
        }

        /** The state the next attempt would have started from, or null for the epoch's start. */
        public RoundState latest() {
            return latest;
        }

        /** Whether the last attempt failed while its ring connected ({@link #NOT_CONNECTED}). */
        public boolean connectionFailure() {
            return connectionFailure;
        }

        /** The last attempt's cause, on one line. */
        public String lastCause() {
            return lastCause;
        }
    }

    /** Where a task's error, as Spark's report of it on one line, goes on with its stack trace. */
    private static final java.util.regex.Pattern TRACE = java.util.regex.Pattern.compile("\\s+at [\\w$.]+\\(");

    /**
     * A connection failure's cause for people: the task's own words from {@link #NOT_CONNECTED} on, without Spark's
     * preamble and the stack trace it appends.
     */
    static String connectionCause(String why) {
        int i = why.indexOf(NOT_CONNECTED);
        if (i < 0) {
            return NOT_CONNECTED + why;
        }
        String s = why.substring(i);
        java.util.regex.Matcher m = TRACE.matcher(s);
        return m.find() ? s.substring(0, m.start()) : s;
    }

    /**
     * Whether a failed stage's error says a task could not set its ring up: the task's own message (local masters)
     * or Spark's report of it (a cluster: the task's error as text) carries {@link #NOT_CONNECTED}.
     */
    static boolean connectionFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(NOT_CONNECTED)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs one epoch as one barrier stage and leaves the averaged result in {@code master}.
     *
     * @param blocks the epoch's minibatches, one cached partition per worker
     * @param rule what a round computes (the averaging mode's rule)
     * @param rounds the steps of every round, in order ({@link RoundRule#plan})
     * @param name names the run in the Spark UI and in messages
     * @param hook called by every task at the start of every round ({@link TaskHook#NONE} in production)
     */
    public static Outcome run(JavaSparkContext sc, JavaRDD<MiniBatch> blocks, Trainer master, RoundRule rule,
                              int epoch, int[] rounds, String name, AllReduceSettings settings,
                              boolean returnEveryVector, TaskHook hook) {
        return run(sc, blocks, master, rule, epoch, rounds, name, settings, returnEveryVector, hook,
                new DivergenceGuard(DivergenceGuard.Settings.off()));
    }

    /**
     * As above, with {@code guard} (the driver's divergence guard in its state at the epoch's start, a copy) run by
     * every task: the tasks stop after the round where it triggers, as after a non-finite loss.
     */
    public static Outcome run(JavaSparkContext sc, JavaRDD<MiniBatch> blocks, Trainer master, RoundRule rule,
                              int epoch, int[] rounds, String name, AllReduceSettings settings,
                              boolean returnEveryVector, TaskHook hook, DivergenceGuard guard) {
        return run(sc, blocks, master, rule, epoch, rounds, name, settings, returnEveryVector, hook,
                new Recovery(guard, StateHandover.off(), null, null));
    }

    /**
     * What the stage does about failures besides rerunning (docs/architecture.md, "Failing cleanly"): the divergence
     * {@code guard} (a copy of the driver's at the epoch's start); how often task 0 hands the averaged state to the
     * driver ({@code handover}), each state also given to {@code onState} (null: kept only for reruns; called in
     * the rendezvous's thread); and {@code from}, a state of this epoch to start from instead of the epoch's start
     * (a mid-epoch checkpoint), or null. {@code master} holds the epoch's start either way.
     */
    public record Recovery(DivergenceGuard guard, StateHandover handover, Consumer<RoundState> onState,
                           RoundState from) {
        public Recovery {
            if (guard == null || handover == null) {
                throw new IllegalArgumentException("a guard and hand-over settings are required");
            }
        }
    }

    /**
     * As above, with {@code recovery}: a rerun after a failed task starts from the latest state task 0 handed over
     * (or {@code recovery.from()}, or the epoch's start), and the outcome says which round each attempt started
     * from and why the ones before failed.
     */
    public static Outcome run(JavaSparkContext sc, JavaRDD<MiniBatch> blocks, Trainer master, RoundRule rule,
                              int epoch, int[] rounds, String name, AllReduceSettings settings,
                              boolean returnEveryVector, TaskHook hook, Recovery recovery) {
        int workers = blocks.getNumPartitions();
        checkSlots(sc, workers);
        Optimizer opt = master.optimizer();
        int stateLength = RoundVector.stateLength(master); // SlowMo's u included when the run has one
        RoundState from = recovery.from();
        List<String> causes = new ArrayList<>();
        Exception last = null;
        AllReduceSettings attemptSettings = settings;
        StalledExecutors stalled = StalledExecutors.of(sc.sc());
        PortRange rendezvousPorts = rendezvousPorts(sc);
        int limit = settings.maxAttempts();
        for (int attempt = 0; attempt < limit; attempt++) {
            String label = name + ": epoch " + epoch + ", barrier stage attempt " + (attempt + 1);
            sc.setLocalProperty(StalledExecutors.STAGE_PROPERTY, label);
            sc.setJobDescription(label + " (" + rounds.length + " rounds" + (from == null ? ""
                    : ", from round " + (from.roundsDone() + 1)) + ", " + workers + " tasks)");
            byte[] secret = Handshake.newSecret();
            // the attempt's start: the epoch's, or the latest state handed over (or a mid-epoch checkpoint's)
            Broadcast<float[]> startState = sc.broadcast(from == null
                    ? RoundVector.packState(master) : from.state());
            BarrierTask.Start start = new BarrierTask.Start(startState, from == null ? opt.stepCount()
                    : from.stepCount(), opt.learningRate(), master.network().spec().text(), master.config(),
                    recovery.guard());
            BarrierTask.Resume resume = from == null ? BarrierTask.Resume.EPOCH_START
                    : new BarrierTask.Resume(from.roundsDone(), from.step(), from.lossSums(), from.examples());
            List<TaskReport> reports;
            Rendezvous rv = null;
            try {
                if (settings.driverRendezvous() && (workers > 1 || recovery.handover().enabled())) {
                    SparkConf conf = sc.getConf();
                    String host = conf.get("spark.driver.host", "127.0.0.1");
                    Rendezvous.StateSink sink = !recovery.handover().enabled() ? null : new Rendezvous.StateSink() {
                        @Override
                        public int stateLength() {
                            return stateLength;
                        }

                        @Override
                        public int rounds() {
                            return rounds.length;
                        }

                        @Override
                        public void accept(RoundState st) {
                            if (recovery.onState() != null) {
                                recovery.onState().accept(st);
                            }
                        }
                    };
                    rv = new Rendezvous(host, conf.get("spark.driver.bindAddress", host), rendezvousPorts, settings,
                            workers, secret, label, sink);
                }
                BarrierTask task = new BarrierTask(start, rule, epoch, rounds, new BarrierTask.Stage(workers,
                        secret, attemptSettings, label, attempt, rv == null ? null : rv.address(), recovery.handover(),
                        resume), hook, returnEveryVector);
                reports = new ArrayList<>(blocks.rdd().barrier().mapPartitions(task, false, REPORT)
                        .toJavaRDD().collect());
            } catch (Exception e) { // SparkException (checked in Java's eyes) when the stage fails
                if (rv != null) {
                    if (recovery.handover().enabled()) {
                        rv.awaitEnd(RENDEZVOUS_DRAIN_MILLIS); // a state on its way when the stage failed still counts
                    }
                    if (rv.failure() != null) {
                        e.addSuppressed(rv.failure());
                    }
                }
                last = e;
                if (e instanceof PortRange.NoFreePortException) {
                    // the driver's own port range is full (other stages hold it): a rerun now would find it full too
                    throw new IllegalStateException(e.getMessage() + " (one port per barrier stage running at once:"
                            + " evaluate --parallel-folds runs several)", e);
                }
                if (sc.sc().isStopped()) {
                    // Spark was shut down (the run is being stopped): nothing to rerun on
                    throw new IllegalStateException("Spark was shut down during " + label, e);
                }
                String why = rootMessage(e);
                if (why.contains("OutOfMemoryError")) {
                    // a rerun would run out of memory again: the run ends, saying so
                    throw new IllegalStateException(label + " ran out of memory: " + why, e);
                }
                String slots = tooFewSlots(why, workers);
                if (slots != null) {
                    // Spark has already waited for slots (spark.scheduler.barrier.maxConcurrentTasksCheck.*):
                    // a rerun would wait again for nothing
                    throw new IllegalStateException(label + ": " + slots, e);
                }
                if (why.contains(STALLED)) {
                    // a slow round taken for a stall (a long pause reading a shuffle window, a long GC) costs one
                    // rerun, not the run: the next attempt waits twice as long
                    attemptSettings = attemptSettings.withStallTimeout(Math.min(settings.ioTimeoutMillis(),
                            2 * attemptSettings.stallTimeoutMillis()));
                    // a paused executor holds its slot until Spark's heartbeat timeout: get Spark to replace it
                    String replaced = stalled.replaceStalled(sc.sc(), label, why);
                    if (replaced != null) {
                        LOG.warn("{}: {}", label, replaced);
                        why = why + " (" + replaced + ")";
                    }
                }
                RoundState got = rv == null ? null : rv.latest();
                if (got != null && (from == null || got.roundsDone() > from.roundsDone())) {
                    from = got;
                }
                String cause = "attempt " + (attempt + 1) + " failed: " + why;
                if (connectionFailure(e)) {
                    cause = "attempt " + (attempt + 1) + " failed: " + connectionCause(why);
                }
                if (lostShuffleOutput(why) && limit < 2 * settings.maxAttempts()) {
                    // the data's shuffle output was on an executor that is gone (the previous attempt's fault):
                    // Spark recomputes it in the next attempt, which this one does not count against
                    limit++;
                    cause += " (shuffle output lost with an executor: not counted against "
                            + AllReduceSettings.MAX_ATTEMPTS + ")";
                }
                causes.add(cause);
                if (attempt + 1 < limit) {
                    String restart = from == null ? "from the epoch's start"
                            : "from round " + (from.roundsDone() + 1) + " of " + rounds.length + " (the state after "
                            + from.roundsDone() + " rounds" + (got == from ? ", handed over by task 0" : "") + ")";
                    causes.set(causes.size() - 1, cause + "; rerun " + restart);
                    LOG.warn("{} failed: {}. Rerunning the epoch's stage {} (attempt {} of {}).", label, why, restart,
                            attempt + 2, limit);
                } else {
                    LOG.error("{} failed: {}. Giving up after {} attempts.", label, why, limit);
                }
                continue;
            } finally {
                sc.setLocalProperty(StalledExecutors.STAGE_PROPERTY, null);
                stalled.forget(label);
                if (rv != null) {
                    rv.close();
                }
                startState.destroy();
            }
            return finish(reports, workers, master, attempt + 1, label, causes);
        }
        StringBuilder each = new StringBuilder();
        for (String c : causes) {
            each.append("\n  ").append(c);
        }
        boolean connection = connectionFailure(last);
        String lastCause = connection ? connectionCause(rootMessage(last)) : rootMessage(last);
        throw new StageFailedException(name + ": the barrier stage of epoch " + epoch + " failed "
                + causes.size() + " times; last cause: " + lastCause + ". Check the executors' logs and that they"
                + " reach each other on " + AllReduceSettings.PORTS + " and the driver on spark.driver.host, raise "
                + AllReduceSettings.MAX_ATTEMPTS + ", or train with --transport job"
                + (connection ? " (" + JOB_FALLBACK + "=true runs such an epoch on the job transport)" : "")
                + ". The checkpoint of the last finished epoch (or round, with --checkpoint-every) is kept: fix the"
                + " cause and --resume. Every attempt:" + each, last, causes, from, connection, lastCause);
    }

    /**
     * Whether a stage failed because shuffle output it reads is gone (its executor was lost: Spark's fetch
     * failures); the next attempt recomputes it.
     */
    static boolean lostShuffleOutput(String why) {
        return why.contains("MetadataFetchFailedException") || why.contains("FetchFailedException")
                || why.contains("Missing an output location for shuffle");
    }

    private static Outcome finish(List<TaskReport> reports, int workers, Trainer master, int attempts, String label,
                                  List<String> causes) {
        if (reports.size() != workers) {
            throw new IllegalStateException(label + ": " + reports.size() + " task reports for " + workers + " tasks");
        }
        reports.sort(Comparator.comparingInt(r -> r.partition));
        TaskReport first = reports.get(0);
        for (TaskReport r : reports) {
            if (r.stateHash != first.stateHash || r.roundsDone != first.roundsDone || r.stepCount != first.stepCount) {
                throw new IllegalStateException(label + ": task " + r.partition + " ended with other parameters than "
                        + "task 0 (hash " + Long.toHexString(r.stateHash) + " vs " + Long.toHexString(first.stateHash)
                        + "); the ring all-reduce must leave every task with the same bits: this is a bug");
            }
        }
        if (first.state == null || TaskReport.hash(first.state) != first.stateHash) {
            throw new IllegalStateException(label + ": task 0's final state did not arrive intact");
        }
        RoundVector.unpackState(first.state, master);
        master.optimizer().setStepCount(first.stepCount);
        int done = first.roundsDone;
        double compute = 0;
        float[][] vectors = new float[workers][];
        for (TaskReport r : reports) {
            compute += r.computeSeconds;
            vectors[r.partition] = r.state;
        }
        int from = first.firstRound;
        return new Outcome(done, Arrays.copyOf(first.lossSums, done), Arrays.copyOf(first.examples, done),
                Arrays.copyOfRange(first.roundMillis, from, done), Arrays.copyOfRange(first.exchangeMillis, from, done),
                compute / workers, first.setupMillis, first.nonFiniteRound, attempts, vectors, from, first.handovers,
                List.copyOf(causes));
    }

    /**
     * A barrier stage needs all its tasks running at once; Spark would otherwise retry for ~10 minutes
     * before failing. Checked here for local masters, where the slots are known.
     */
    private static void checkSlots(JavaSparkContext sc, int workers) {
        String m = sc.master();
        if (m.startsWith("local")) {
            int slots = sc.defaultParallelism();
            if (workers > slots) {
                throw new IllegalArgumentException("--transport barrier runs all " + workers + " workers at once, but "
                        + m + " has " + slots + " task slots: use --workers " + slots + " or fewer, or --transport job");
            }
        }
    }

    /**
     * What to do when Spark refused the stage because the cluster has fewer task slots than its {@code workers}
     * tasks (an executor lost, or not registered yet), or null when {@code why} is something else.
     */
    static String tooFewSlots(String why, int workers) {
        if (!why.contains("SPARK-24819") && !why.contains("requires more slots than the total number of slots")) {
            return null;
        }
        return "the cluster has fewer task slots than the " + workers + " workers this barrier stage runs at once"
                + " (an executor was lost or has not started). Start the run again with --workers set to the slots"
                + " there are, give the cluster more executors, or train with --transport job, which runs on"
                + " whatever slots there are. The checkpoint of the last finished epoch (or round, with"
                + " --checkpoint-every) is kept: once the slots are back, the same command with --resume continues"
                + " from it (with the same --workers, to the same result)";
    }

    /** The innermost message of {@code e}'s causes, on one line (Spark puts the task's error on line 2). */
    static String rootMessage(Throwable e) {
        Throwable t = e;
        String msg = String.valueOf(e);
        while (t != null) {
            if (t.getMessage() != null) {
                msg = t.getClass().getSimpleName() + ": " + t.getMessage();
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        msg = msg.replaceAll("\\s*\\n\\s*", " ").trim();
        return msg.length() > 600 ? msg.substring(0, 600) + "..." : msg;
    }
}
