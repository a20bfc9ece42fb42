package org.sparktrain.driver.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.barrier.BarrierEpoch;
import org.sparktrain.driver.barrier.RoundState;
import org.sparktrain.driver.barrier.TaskHook;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.metrics.ClassificationMetrics;
import org.sparktrain.engine.metrics.Metrics;
import org.sparktrain.engine.metrics.MultiLabelMetrics;
import org.sparktrain.engine.metrics.RegressionMetrics;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.EarlyStopping;
import org.sparktrain.engine.train.RoundVector;
import org.sparktrain.engine.train.Trainer;
import org.sparktrain.partitioning.PreparedFold;

/**
 * The epoch loop of a distributed run: rounds (by the {@link ParameterAveragingMaster}), then per
 * epoch validation metrics, early stopping, a checkpoint and one progress line for people.
 */
public final class DistributedTraining {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the run ended. */
    public record Result(int epochsRun, int bestEpoch, boolean stoppedEarly, double lastTrainLoss,
                         double trainSeconds, long examplesSeen) {
    }

    private DistributedTraining() {
    }

    /** Metrics of the network on data held elsewhere (a local data set, or blocks on the executors). */
    @FunctionalInterface
    public interface Validator {
        Metrics evaluate(Network net);

        static Validator local(DataSet d) {
            return d == null ? null : net -> Trainer.evaluate(net, d, 1000);
        }
    }

    /**
     * What a run reports and keeps besides training: {@code validation} metrics per epoch (used for early
     * stopping), or, without validation, an optional per-epoch look at the test set ({@code perEpochTest},
     * printed as test_acc, never used to decide anything); a checkpoint in {@code checkpointDir} after every
     * epoch (none when null), restored first with {@code resume}; progress lines to {@code out}.
     */
    public record Options(Validator validation, Validator perEpochTest, String checkpointDir, boolean resume,
                          PrintStream out, String epochLog, EpochListener listener, int checkpointEvery,
                          TaskHook taskHook) {
        public Options {
            if (checkpointEvery < 0) {
                throw new IllegalArgumentException("--checkpoint-every must be >= 0, got " + checkpointEvery);
            }
        }

        /** No validation, no checkpoints, nothing printed or logged. */
        public static Options quiet() {
            return new Options(null, null, null, false, new PrintStream(OutputStream.nullOutputStream()), null,
                    EpochListener.NONE, 0, TaskHook.NONE);
        }

        /** Also tells {@code l} when every epoch starts and ends (after the listeners already given). */
        public Options listening(EpochListener l) {
            EpochListener before = listener;
            return new Options(validation, perEpochTest, checkpointDir, resume, out, epochLog,
                    before == EpochListener.NONE ? l : EpochListener.both(before, l), checkpointEvery, taskHook);
        }

        public Options validation(Validator v) {
            return new Options(v, perEpochTest, checkpointDir, resume, out, epochLog, listener, checkpointEvery,
                    taskHook);
        }

        public Options perEpochTest(Validator v) {
            return new Options(validation, v, checkpointDir, resume, out, epochLog, listener, checkpointEvery,
                    taskHook);
        }

        /** Checkpoints after every epoch in {@code dir}; with {@code resumeFromIt} an existing one is restored first. */
        public Options checkpoints(String dir, boolean resumeFromIt) {
            return new Options(validation, perEpochTest, dir, resumeFromIt, out, epochLog, listener, checkpointEvery,
                    taskHook);
        }

        /**
         * Checkpoints also every {@code n} rounds of the run (0: only every epoch), written atomically like the epoch's
         * (docs/architecture.md, "Failing cleanly"); needs {@link #checkpoints}.
         */
        public Options checkpointEvery(int n) {
            return new Options(validation, perEpochTest, checkpointDir, resume, out, epochLog, listener, n, taskHook);
        }

        /** A hook every barrier task calls at every round's start (tests inject faults through it). */
        public Options taskHook(TaskHook hook) {
            return new Options(validation, perEpochTest, checkpointDir, resume, out, epochLog, listener,
                    checkpointEvery, hook == null ? TaskHook.NONE : hook);
        }

        public Options printingTo(PrintStream o) {
            return new Options(validation, perEpochTest, checkpointDir, resume, o, epochLog, listener, checkpointEvery,
                    taskHook);
        }

        /**
         * One JSON line per epoch (epoch, loss, validation or test metrics, samples/s, seconds, rounds and their
         * median and 90th percentile) in {@code file}, rewritten atomically after every epoch
         * (docs/architecture.md, "The report").
         */
        public Options loggingEpochsTo(String file) {
            return new Options(validation, perEpochTest, checkpointDir, resume, out, file, listener, checkpointEvery,
                    taskHook);
        }
    }

    /**
     * Hooks for what watches a run from outside the training loop (docs/architecture.md, "The report"): progress
     * lines, {@code evaluate}'s per-fold epoch log. Called on the thread that trains; they must not change the run.
     */
    public interface EpochListener {
        EpochListener NONE = new EpochListener() { };

        /** Before epoch {@code epoch}'s rounds; each worker takes {@code steps} minibatch steps in it. */
        default void epochStarting(int epoch, int epochs, int steps) {
        }

        /** Once the epoch's numbers are known ({@code record}: its metrics.jsonl line, a copy), before its line. */
        default void epochEnded(ObjectNode record) {
        }

        static EpochListener both(EpochListener a, EpochListener b) {
            return new EpochListener() {
                @Override
                public void epochStarting(int epoch, int epochs, int steps) {
                    a.epochStarting(epoch, epochs, steps);
                    b.epochStarting(epoch, epochs, steps);
                }

                @Override
                public void epochEnded(ObjectNode record) {
                    a.epochEnded(record.deepCopy());
                    b.epochEnded(record.deepCopy());
                }
            };
        }
    }

    /** A trained network, its trainer (optimizer included) and how the run ended. */
    public record Trained(Network network, Trainer trainer, Result result) {
    }

    /**
     * The one way a run is assembled (docs/architecture.md, "The run"): a fresh network and trainer from
     * {@code run}'s spec and seed (the class weights resolved on the fold's training rows), trained on {@code fold}'s blocks by {@code run.workers()} workers (the count the
     * fold was prepared for) with {@code run}'s averaging and transport.
     */
    public static Trained train(JavaSparkContext sc, RunOptions run, PreparedFold fold, Options options)
            throws IOException {
        if (run.workers() < 1) {
            throw new IllegalArgumentException("resolve the workers before training (RunOptions.workers(sc))");
        }
        checkThreads(sc, run);
        Network net = run.network();
        TrainingConfig config = run.classWeights() == null ? run.config()
                : run.config().withClassWeights(run.classWeights().resolve(fold.classCountsAfter()));
        Trainer trainer = Trainer.fromSpec(net, config); // the workers' trainers get the same configuration
        Result r = run(sc, trainer, run.master(run.workers()), new FoldEpochData(fold),
                options);
        return new Trained(net, trainer, r);
    }

    /**
     * Refuses engine threads inside tasks ({@link BarrierEpoch#THREADS}) where they cannot work: with the job
     * transport, and with fewer rows in a worker's step than threads (a thread would never take a step).
     */
    static void checkThreads(JavaSparkContext sc, RunOptions run) {
        int threads = BarrierEpoch.threadsPerTask(sc);
        if (threads <= 1) {
            return;
        }
        if (run.transport() != MasterConfig.RoundTransport.BARRIER) {
            throw new IllegalArgumentException("--threads " + threads + " (" + BarrierEpoch.THREADS + ") needs the"
                    + " barrier transport: drop --transport job, or train with --threads 1");
        }
        int smallest = run.config().perWorkerBatch() ? run.config().batchSize()
                : run.config().batchSize() / run.workers();
        if (smallest < threads) {
            throw new IllegalArgumentException("--threads " + threads + " needs at least " + threads + " rows in every"
                    + " worker's step, but the minibatch of " + run.config().batchSize() + " over " + run.workers()
                    + " workers gives " + smallest + ": raise --batch-size to " + threads * run.workers()
                    + " or more, or use fewer threads");
        }
    }

    /**
     * Writes the checkpoints inside an epoch ({@code --checkpoint-every}) from the states the master hands over, through
     * a scratch copy of the trainer (the master's own may be mid-round, or a barrier stage's start).
     */
    private static ParameterAveragingMaster.RoundCheckpoint roundCheckpoints(Configuration hadoop, String dir,
                                                                           Trainer trainer,
                                                                           java.util.concurrent.atomic.AtomicInteger
                                                                                   finished, int workers) {
        Trainer scratch = Trainer.fromSpec(Network.build(trainer.network().spec(), trainer.config().seed()),
                trainer.config());
        return (epoch, roundsAtEpochStart, st) -> {
            synchronized (finished) {
                if (epoch <= finished.get()) {
                    return; // that epoch's own checkpoint is newer
                }
                RoundVector.unpackState(st.state(), scratch); // with SlowMo's u when the run has one
                scratch.optimizer().setStepCount(st.stepCount());
                Checkpoint.write(hadoop, dir, scratch, epoch - 1, roundsAtEpochStart,
                        new Checkpoint.Partial(epoch, st.roundsDone(), st.step(), st.lossSums(), st.examples(),
                                workers));
            }
        };
    }

    /** Trains on a local data set's epochs, validating on {@code validation} (tests, benchmarks). */
    public static Result run(JavaSparkContext sc, Trainer trainer, MasterConfig mc, EpochData data, DataSet validation,
                             String checkpointDir, boolean resume, PrintStream out) throws IOException {
        return run(sc, trainer, mc, data, Options.quiet().validation(Validator.local(validation))
                .checkpoints(checkpointDir, resume).printingTo(out));
    }

    /**
     * Trains {@code trainer}'s network: the rounds of every epoch, then validation, early stopping, a checkpoint
     * and one progress line, as {@code options} say.
     */
    public static Result run(JavaSparkContext sc, Trainer trainer, MasterConfig mc, EpochData data, Options options)
            throws IOException {
        Validator validation = options.validation();
        Validator perEpochTest = options.perEpochTest();
        String checkpointDir = options.checkpointDir();
        boolean resume = options.resume();
        PrintStream out = options.out();
        Network net = trainer.network();
        TrainingConfig cfg = trainer.config();
        Configuration hadoop = sc.hadoopConfiguration();
        ParameterAveragingMaster master = new ParameterAveragingMaster(sc, mc, trainer);
        master.setTaskHook(options.taskHook());
        int startEpoch = 1;
        RoundState from = null; // a checkpoint written inside an epoch: where that epoch continues
        if (resume && checkpointDir != null && Checkpoint.exists(hadoop, checkpointDir)) {
            Checkpoint.Position pos = Checkpoint.restore(hadoop, checkpointDir, trainer);
            master.setRounds(pos.rounds());
            startEpoch = pos.epoch() + 1;
            Checkpoint.Partial part = pos.partial();
            if (part != null) {
                if (part.workers() != mc.workers()) {
                    throw new IllegalArgumentException("--resume: " + checkpointDir + "/" + Checkpoint.FILE + " was"
                            + " written inside epoch " + part.epoch() + " by a run with " + part.workers() + " workers;"
                            + " an epoch's rounds depend on the workers: resume with --workers " + part.workers());
                }
                from = new RoundState(part.roundsDone(), part.step(), trainer.optimizer().stepCount(),
                        RoundVector.packState(trainer), part.lossSums(), part.examples());
                out.printf("resumed from %s/%s in epoch %d after its round %d%n", checkpointDir, Checkpoint.FILE,
                        startEpoch, part.roundsDone());
            } else {
                out.printf("resumed from %s/%s after epoch %d%n", checkpointDir, Checkpoint.FILE, pos.epoch());
            }
        } else if (resume) {
            out.println("--resume: no checkpoint in " + checkpointDir + "; starting from the beginning");
        }
        EarlyStopping early = cfg.patience() > 0 && validation != null ? new EarlyStopping(cfg, net) : null;
        int epochs = cfg.epochs();
        int epoch = startEpoch;
        boolean stopped = false;
        double lastLoss = Double.NaN;
        double trainSeconds = 0;
        long seen = 0;
        StringBuilder epochLines = new StringBuilder();
        if (options.epochLog() != null && startEpoch > 1) {
            // a resumed run keeps the log of the epochs it does not repeat
            org.apache.hadoop.fs.Path log = new org.apache.hadoop.fs.Path(options.epochLog());
            org.apache.hadoop.fs.FileSystem fs = log.getFileSystem(hadoop);
            if (fs.exists(log)) {
                try (java.io.InputStream in = fs.open(log)) {
                    for (String l : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                            .split("\n")) {
                        if (!l.isBlank() && JSON.readTree(l).path("epoch").asInt() < startEpoch) {
                            epochLines.append(l).append('\n');
                        }
                    }
                }
            }
        }
        // the epochs whose own checkpoint is written: a round's state of such an epoch arriving late (the barrier
        // stage's rendezvous thread writes them) is older and never replaces it
        java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger(startEpoch - 1);
        if (checkpointDir != null && options.checkpointEvery() > 0) {
            master.setCheckpointEvery(options.checkpointEvery(), roundCheckpoints(hadoop, checkpointDir, trainer,
                    finished, mc.workers()));
        }
        for (; epoch <= epochs; epoch++) {
            options.listener().epochStarting(epoch, epochs, data.maxBlocksPerWorker(epoch));
            long t0 = System.nanoTime();
            double[] r = master.trainEpoch(data, epoch, epoch == startEpoch ? from : null);
            double secs = (System.nanoTime() - t0) / 1e9;
            trainSeconds += secs;
            seen += (long) r[1];
            lastLoss = r[0];
            Metrics val = null;
            Double testAcc = null;
            Metrics test = null;
            if (validation != null && (early == null || early.checks(epoch, epochs))) {
                val = validation.evaluate(net);
            }
            double[] pct = master.roundPercentiles();
            double eta = trainSeconds / (epoch - startEpoch + 1) * (epochs - epoch);
            StringBuilder line = new StringBuilder(String.format("epoch %d/%d  loss %.4f", epoch, epochs, r[0]));
            if (val instanceof MultiLabelMetrics mv) { // docs/architecture.md, "Multi-label"
                line.append(String.format("  val_loss %.4f  val_micro_f1 %.4f  val_hamming %.4f", mv.loss(),
                        mv.microF1(), mv.hammingLoss()));
            } else if (val instanceof RegressionMetrics rv) { // docs/architecture.md, "Regression"
                line.append(String.format("  val_loss %.4f  val_rmse %.4g  val_r2 %.4f", rv.loss(), rv.rmse(), rv.r2()));
            } else if (val != null) {
                ClassificationMetrics cv = (ClassificationMetrics) val;
                line.append(String.format("  val_loss %.4f  val_acc %.4f", cv.logLoss(), cv.accuracy()));
            } else if (perEpochTest != null) {
                test = perEpochTest.evaluate(net);
                if (test instanceof MultiLabelMetrics mt) {
                    line.append(String.format("  test_micro_f1 %.4f  test_hamming %.4f", mt.microF1(),
                            mt.hammingLoss()));
                } else if (test instanceof RegressionMetrics rt) {
                    line.append(String.format("  test_rmse %.4g  test_r2 %.4f", rt.rmse(), rt.r2()));
                } else {
                    testAcc = ((ClassificationMetrics) test).accuracy();
                    line.append(String.format("  test_acc %.4f", testAcc));
                }
            }
            line.append(String.format("  %.0f samples/s  %.1fs  ETA %.0fs  (%d rounds, median %.0f ms, p90 %.0f ms)",
                    r[1] / secs, secs, eta, master.lastEpochRounds(), pct[0], pct[1]));
            ObjectNode rec = JSON.createObjectNode();
            rec.put("epoch", epoch);
            rec.put("epochs", epochs);
            rec.put("loss", r[0]);
            if (val instanceof MultiLabelMetrics mv) {
                rec.put("val_loss", mv.loss());
                rec.put("val_micro_f1", mv.microF1());
                rec.put("val_macro_f1", mv.macroF1());
                rec.put("val_hamming_loss", mv.hammingLoss());
                rec.put("val_subset_accuracy", mv.subsetAccuracy());
            } else if (val instanceof RegressionMetrics rv) {
                rec.put("val_loss", rv.loss());
                rec.put("val_rmse", rv.rmse());
                rec.put("val_mae", rv.mae());
                rec.put("val_r2", rv.r2());
            } else if (val != null) {
                rec.put("val_loss", val.loss());
                rec.put("val_acc", ((ClassificationMetrics) val).accuracy());
            } else if (test instanceof MultiLabelMetrics mt) {
                rec.put("test_loss", mt.loss());
                rec.put("test_micro_f1", mt.microF1());
                rec.put("test_macro_f1", mt.macroF1());
                rec.put("test_hamming_loss", mt.hammingLoss());
                rec.put("test_subset_accuracy", mt.subsetAccuracy());
            } else if (test instanceof RegressionMetrics rt) {
                rec.put("test_rmse", rt.rmse());
                rec.put("test_mae", rt.mae());
                rec.put("test_r2", rt.r2());
            } else if (testAcc != null) {
                rec.put("test_acc", testAcc);
            }
            rec.put("samples_per_sec", r[1] / secs);
            rec.put("seconds", secs);
            rec.put("rounds", master.lastEpochRounds());
            rec.put("round_ms_median", pct[0]);
            rec.put("round_ms_p90", pct[1]);
            rec.put("compute_seconds", master.lastEpochComputeSeconds());
            if (master.lastFallback() != null) { // the ring could not connect: this epoch ran on the job transport
                rec.put("job_fallback", master.lastFallback().line());
            }
            options.listener().epochEnded(rec.deepCopy());
            out.println(line);
            if (options.epochLog() != null) {
                epochLines.append(JSON.writeValueAsString(rec)).append('\n');
                byte[] bytes = epochLines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                AtomicWrite.write(hadoop, options.epochLog(), o -> o.write(bytes));
            }
            if (checkpointDir != null && master.diverging()) {
                out.println("checkpoint not written after epoch " + epoch + ": the loss is above the divergence guard's"
                        + " limit; the last checkpoint is kept");
            } else if (checkpointDir != null) {
                synchronized (finished) { // one checkpoint write at a time (docs/architecture.md, "Failing cleanly")
                    Checkpoint.write(hadoop, checkpointDir, trainer, epoch, master.rounds(), null);
                    finished.set(epoch);
                }
            }
            if (early != null && val != null && early.observe(epoch, val, net)) {
                stopped = true;
                break;
            }
        }
        if (early != null) {
            early.restoreBest(net);
            if (stopped) {
                out.printf("early stopping after epoch %d; restored the parameters of epoch %d%n", epoch,
                        early.bestEpoch());
            }
        }
        master.close();
        int last = Math.min(epoch, epochs);
        return new Result(last, early != null ? early.bestEpoch() : last, stopped, lastLoss, trainSeconds, seen);
    }
}
