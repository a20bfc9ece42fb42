package org.sparktrain.driver.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.cli.Args;
import org.sparktrain.driver.round.Averaging;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.round.SlowMo;
import org.sparktrain.driver.spark.SparkSetup;
import org.sparktrain.driver.train.InMemoryEpochData;
import org.sparktrain.driver.train.MasterConfig;
import org.sparktrain.driver.train.ParameterAveragingMaster;
import org.sparktrain.driver.train.RunOptions;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.metrics.ClassificationMetrics;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.Trainer;

/**
 * {@code scripts/bench --compare-shapes --model M --workers 1,2,4 [--averaging-frequency K] [--averaging
 * parameter|gradient] [--transport job|barrier] [--epochs E] [--outer-momentum B] [--outer-lr A] [--sync-batchnorm]}: trains the same spec, seed and global minibatch
 * on one machine and then with each W on Spark, and prints one JSON line per run with its final test accuracy and
 * loss and the difference to the single-machine run (docs/architecture.md, "The global minibatch"). The
 * single-machine run takes the same minibatches as one Spark worker would (the epoch's permutation cut into
 * global minibatches), so W = 1 must match it; what W changes is what the comparison shows.
 */
final class ShapeBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ShapeBench() {
    }

    static void run(Args a, String model, ModelSpec ms, TrainingConfig cfg, DataSet train, DataSet test, int epochs)
            throws Exception {
        List<Integer> shapes = new ArrayList<>();
        for (String w : a.get("workers", "1,2").split(",")) {
            try {
                shapes.add(Integer.parseInt(w.trim()));
            } catch (NumberFormatException e) {
                throw new Args.UsageException("--workers must be a list of worker counts like 1,2,4, got '"
                        + a.get("workers", "") + "'");
            }
        }
        int maxW = shapes.stream().mapToInt(Integer::intValue).max().orElse(1);
        int k = a.intValue("averaging-frequency", RunOptions.DEFAULT_AVERAGING_FREQUENCY, 1);
        AveragingMode mode = AveragingMode.parse(a.get("averaging", "parameter"));
        MasterConfig.RoundTransport transport = MasterConfig.RoundTransport.parse(a.get("transport", "barrier"));
        Averaging averaging = withSlowMo(a, new Averaging(mode, k, a.intValue("warmup-rounds", 0, 0)));
        if (a.flag("sync-batchnorm")) {
            try {
                averaging = averaging.withSyncBatchNorm(true);
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException(e.getMessage());
            }
        }

        for (int w : shapes) { // refused settings (e.g. --sync-batchnorm on the job transport) before any training
            try {
                RunOptions.of(ms).withConfig(cfg).withAveraging(averaging).withTransport(transport).master(w);
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException(e.getMessage());
            }
        }
        // one machine, the same global minibatches in the same order
        Trainer single = Trainer.fromSpec(Network.build(ms, cfg.seed()), cfg);
        long t0 = System.nanoTime();
        for (int e = 1; e <= epochs; e++) {
            List<MiniBatch> steps = InMemoryEpochData.globalBlocksFor(train, e, 0, 1, cfg.batchSize(), cfg.seed());
            for (int s = 0; s < steps.size(); s++) {
                single.stepAt(steps.get(s), e, 0, s);
            }
        }
        double singleSecs = (System.nanoTime() - t0) / 1e9;
        ClassificationMetrics ref = Trainer.evaluate(single.network(), test, 1000);
        emit(line(model, "single", 1, cfg, epochs, averaging, null, ref, ref, (double) train.size() * epochs
                / singleSecs));

        String master = a.get("master", "local[" + maxW + "]");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(
                SparkSetup.session("sparktrain bench shapes " + model, master).sparkContext());
        sc.setLogLevel("WARN");
        try {
            for (int w : shapes) {
                Trainer t = Trainer.fromSpec(Network.build(ms, cfg.seed()), cfg);
                MasterConfig mc = RunOptions.of(ms).withConfig(cfg).withName("shapes W=" + w).withAveraging(averaging)
                        .withTransport(transport).master(w);
                ParameterAveragingMaster m = new ParameterAveragingMaster(sc, mc, t);
                InMemoryEpochData data = InMemoryEpochData.globalBatch(sc, train, w, cfg.batchSize(), cfg.seed());
                double secs = 0;
                for (int e = 1; e <= epochs; e++) {
                    data.blocks(e); // packing the epoch is data preparation, not training
                    long e0 = System.nanoTime();
                    m.trainEpoch(data, e);
                    secs += (System.nanoTime() - e0) / 1e9;
                }
                m.close();
                ClassificationMetrics got = Trainer.evaluate(t.network(), test, 1000);
                emit(line(model, "spark", w, cfg, epochs, averaging, transport, got, ref,
                        (double) train.size() * epochs / secs));
            }
        } finally {
            sc.stop();
        }
    }

    /**
     * {@code averaging} with {@code --outer-momentum B} and {@code --outer-lr A} (SlowMo; defaults 0 and 1: off), for
     * the benches' Spark runs; a bad value or SlowMo in gradient mode is refused naming the flag.
     */
    static Averaging withSlowMo(Args a, Averaging averaging) {
        try {
            return averaging.withSlowMo(new SlowMo(number(a, "outer-momentum", 0f), number(a, "outer-lr", 1f)));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
    }

    private static float number(Args a, String flag, float dflt) {
        try {
            return a.has(flag) ? Float.parseFloat(a.get(flag, "").trim()) : dflt;
        } catch (NumberFormatException e) {
            throw new Args.UsageException("--" + flag + " must be a number, got '" + a.get(flag, "") + "'");
        }
    }

    private static ObjectNode line(String model, String mode, int workers, TrainingConfig cfg, int epochs,
                                   Averaging averaging, MasterConfig.RoundTransport transport, ClassificationMetrics m,
                                   ClassificationMetrics single, double samplesPerSecond) {
        ObjectNode o = JSON.createObjectNode();
        o.put("system", "sparktrain");
        o.put("phase", "compare_shapes");
        o.put("model", model);
        o.put("mode", mode);
        o.put("workers", workers);
        o.put("batch", cfg.batchSize());
        o.put("batch_meaning", cfg.perWorkerBatch() ? "per_worker" : "global");
        o.put("epochs", epochs);
        if (transport != null) {
            o.put("averaging", averaging.mode().flagName());
            o.put("averaging_frequency", averaging.stepsPerRound());
            o.put("warmup_rounds", averaging.warmupRounds());
            o.put("outer_momentum", averaging.slowMo().momentum());
            o.put("outer_lr", averaging.slowMo().learningRate());
            o.put("sync_batchnorm", averaging.syncBatchNorm());
            o.put("transport", transport.name().toLowerCase(Locale.ROOT));
        }
        o.put("test_acc", Bench.round(m.accuracy(), 4));
        o.put("test_loss", Bench.round(m.logLoss(), 4));
        o.put("acc_minus_single", Bench.round(m.accuracy() - single.accuracy(), 4));
        o.put("samples_per_sec", Bench.round(samplesPerSecond, 1));
        o.put("seed", cfg.seed());
        o.put("load1", Bench.load1());
        return o;
    }

    private static void emit(ObjectNode o) throws Exception {
        System.out.println(JSON.writeValueAsString(o));
        System.out.flush();
    }
}
