package org.sparktrain.driver.train;

import java.io.IOException;
import java.io.PrintStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.metrics.ClassificationMetrics;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.EarlyStopping;
import org.sparktrain.engine.train.Trainer;

/**
 * The epoch loop of a distributed run: rounds (by the {@link ParameterAveragingMaster}), then per
 * epoch validation metrics, early stopping, a checkpoint and one progress line for people.
 */
public final class DistributedTraining {

    /** How the run ended. */
    public record Result(int epochsRun, int bestEpoch, boolean stoppedEarly, double lastTrainLoss,
                         double trainSeconds, long examplesSeen) {
    }

    private DistributedTraining() {
    }

    /**
     * Trains {@code trainer}'s network. When {@code checkpointDir} is not null a checkpoint is written
     * there after every epoch; with {@code resume} an existing checkpoint is restored first and training
     * continues after its epoch.
     */
    /** Metrics of the network on data held elsewhere (a local data set, or blocks on the executors). */
    @FunctionalInterface
    public interface Validator {
        ClassificationMetrics evaluate(Network net);

        static Validator local(DataSet d) {
            return d == null ? null : net -> Trainer.evaluate(net, d, 1000);
        }
    }

    public static Result run(JavaSparkContext sc, Trainer trainer, MasterConfig mc, EpochData data, DataSet validation,
                             String checkpointDir, boolean resume, PrintStream out) throws IOException {
        return run(sc, trainer, mc, data, Validator.local(validation), null, checkpointDir, resume, out);
    }

    /**
     * As above, with validation (used for early stopping) and, when there is no validation, an
     * optional per-epoch look at the test set ({@code perEpochTest}, printed as test_acc, never used to
     * decide anything).
     */
    public static Result run(JavaSparkContext sc, Trainer trainer, MasterConfig mc, EpochData data, Validator validation,
                             Validator perEpochTest, String checkpointDir, boolean resume, PrintStream out)
            throws IOException {
        Network net = trainer.network();
        TrainingConfig cfg = trainer.config();
        Configuration hadoop = sc.hadoopConfiguration();
        ParameterAveragingMaster master = new ParameterAveragingMaster(sc, mc, trainer);
        int startEpoch = 1;
        if (resume && checkpointDir != null && Checkpoint.exists(hadoop, checkpointDir)) {
            Checkpoint.Position pos = Checkpoint.restore(hadoop, checkpointDir, net, trainer.optimizer());
            master.setRounds(pos.rounds());
            startEpoch = pos.epoch() + 1;
            out.printf("resumed from %s/%s after epoch %d%n", checkpointDir, Checkpoint.FILE, pos.epoch());
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
        for (; epoch <= epochs; epoch++) {
            long t0 = System.nanoTime();
            double[] r = master.trainEpoch(data, epoch);
            double secs = (System.nanoTime() - t0) / 1e9;
            trainSeconds += secs;
            seen += (long) r[1];
            lastLoss = r[0];
            ClassificationMetrics val = null;
            if (validation != null && (early == null || early.checks(epoch, epochs))) {
                val = validation.evaluate(net);
            }
            double[] pct = master.roundPercentiles();
            double eta = trainSeconds / (epoch - startEpoch + 1) * (epochs - epoch);
            StringBuilder line = new StringBuilder(String.format("epoch %d/%d  loss %.4f", epoch, epochs, r[0]));
            if (val != null) {
                line.append(String.format("  val_loss %.4f  val_acc %.4f", val.logLoss(), val.accuracy()));
            } else if (perEpochTest != null) {
                line.append(String.format("  test_acc %.4f", perEpochTest.evaluate(net).accuracy()));
            }
            line.append(String.format("  %.0f samples/s  %.1fs  ETA %.0fs  (%d rounds, median %.0f ms, p90 %.0f ms)",
                    r[1] / secs, secs, eta, master.lastEpochRoundMillis().size(), pct[0], pct[1]));
            out.println(line);
            if (checkpointDir != null) {
                Checkpoint.write(hadoop, checkpointDir, net, trainer.optimizer(), epoch, master.rounds());
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
