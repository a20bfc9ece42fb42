package org.sparktrain.driver.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.barrier.BarrierEpoch;
import org.sparktrain.driver.cli.Args;
import org.sparktrain.driver.spark.SparkSetup;
import org.sparktrain.driver.round.Averaging;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.train.InMemoryEpochData;
import org.sparktrain.driver.train.MasterConfig;
import org.sparktrain.driver.train.RunOptions;
import org.sparktrain.driver.train.ParameterAveragingMaster;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.kernel.Gemms;
import org.sparktrain.engine.metrics.ClassificationMetrics;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.Trainer;

/**
 * {@code scripts/bench --mode spark}: data-parallel training on Spark with W workers, K steps per
 * averaging round; one JSON line per epoch with throughput, test accuracy, the rounds' median and p90
 * wall time, and the overhead: the share of training wall time that is not minibatch compute (job
 * scheduling, broadcast, collect, averaging), measured as 1 − (mean worker compute time / wall time).
 * Worker compute is measured inside the tasks in both transports ({@code --transport job|barrier}); with
 * {@code barrier} the line adds the all-reduce's median and p90 and the stage's set-up time.
 */
final class SparkBench {
    private SparkBench() {
    }

    static void run(Args a, String model, ModelSpec ms, TrainingConfig cfg, DataSet train, DataSet test, int epochs)
            throws Exception {
        String masterUrl = a.get("master", "local[*]");
        Map<String, String> settings = a.has("threads")
                ? Map.of(BarrierEpoch.THREADS, Integer.toString(a.intValue("threads", 1, 1))) : Map.of();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(
                SparkSetup.session("sparktrain bench " + model, masterUrl, Map.of(), settings).sparkContext());
        sc.setLogLevel("WARN");
        int workers = a.intValue("workers", sc.defaultParallelism(), 1);
        int k = a.intValue("averaging-frequency", 5, 1);
        AveragingMode mode;
        try {
            mode = AveragingMode.parse(a.get("averaging", "parameter"));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage().replace("--mode", "--averaging"));
        }
        MasterConfig.RoundTransport transport;
        try {
            transport = MasterConfig.RoundTransport.parse(a.get("transport", "barrier"));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
        MasterConfig mc = RunOptions.of(ms).withConfig(cfg).withName("bench " + model)
                .withAveraging(ShapeBench.withSlowMo(a, new Averaging(mode, k, a.intValue("warmup-rounds", 0, 0))))
                .withTransport(transport)
                .master(workers);
        Network net = Network.build(ms, cfg.seed());
        Trainer trainer = Trainer.fromSpec(net, cfg);
        ParameterAveragingMaster master = new ParameterAveragingMaster(sc, mc, trainer);
        InMemoryEpochData data = cfg.perWorkerBatch()
                ? new InMemoryEpochData(sc, train, workers, cfg.batchSize(), cfg.seed())
                : InMemoryEpochData.globalBatch(sc, train, workers, cfg.batchSize(), cfg.seed());

        Map<String, Object> base = new LinkedHashMap<>();
        base.put("system", "sparktrain");
        base.put("model", model);
        base.put("mode", "spark");
        base.put("master", sc.master());
        base.put("workers", workers);
        int threads = BarrierEpoch.threadsPerTask(sc); // engine threads per task (--threads)
        base.put("threads_per_worker", threads);
        base.put("threads", workers * threads);
        base.put("averaging", mode.flagName());
        base.put("averaging_frequency", mc.averaging().stepsPerRound());
        base.put("outer_momentum", mc.averaging().slowMo().momentum());
        base.put("outer_lr", mc.averaging().slowMo().learningRate());
        base.put("transport", transport.name().toLowerCase(Locale.ROOT));
        base.put("gemm", Gemms.fastest().name());
        for (int e = 1; e <= epochs; e++) {
            data.blocks(e); // packing the epoch's minibatches is data preparation, not training
            double loadStart = Bench.load1();
            long t0 = System.nanoTime();
            double[] r = master.trainEpoch(data, e);
            double secs = (System.nanoTime() - t0) / 1e9;
            ClassificationMetrics m = Trainer.evaluate(net, test, 1000);
            double[] pct = master.roundPercentiles();
            Map<String, Object> rec = new LinkedHashMap<>(base);
            rec.put("epoch", e);
            rec.put("train_seconds", Bench.round(secs, 3));
            rec.put("samples_per_sec", Bench.round(r[1] / secs, 1));
            rec.put("test_acc", Bench.round(m.accuracy(), 4));
            rec.put("train_loss", Bench.round(r[0], 4));
            rec.put("samples", (long) r[1]);
            rec.put("batch", cfg.batchSize());
            rec.put("rounds", master.lastEpochRoundMillis().size());
            rec.put("round_ms_median", Bench.round(pct[0], 1));
            rec.put("round_ms_p90", Bench.round(pct[1], 1));
            rec.put("overhead", Bench.round(Math.max(0, 1 - master.lastEpochComputeSeconds() / secs), 3));
            BarrierEpoch.Outcome bo = master.lastBarrierOutcome();
            if (bo != null) { // round_ms = a task's K steps + all-reduce; exchange = the all-reduce (incl. waiting)
                double[] ex = bo.exchangeMillis().clone();
                java.util.Arrays.sort(ex);
                rec.put("exchange_ms_median", Bench.round(ex.length == 0 ? 0 : ex[ex.length / 2], 2));
                rec.put("exchange_ms_p90", Bench.round(ex.length == 0 ? 0
                        : ex[Math.min(ex.length - 1, (int) Math.ceil(0.9 * ex.length) - 1)], 2));
                rec.put("stage_setup_ms", Bench.round(bo.setupMillis(), 1));
                rec.put("stage_attempts", bo.attempts());
            }
            rec.put("load1", Bench.load1());
            rec.put("load1_start", loadStart);
            System.out.println(Bench.json(rec));
        }
        if (a.flag("inference")) {
            Bench.inference(base, net, test);
        }
        master.close();
        sc.stop();
    }
}
