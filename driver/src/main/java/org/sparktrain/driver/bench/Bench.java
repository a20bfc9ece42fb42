package org.sparktrain.driver.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.sparktrain.driver.cli.Args;
import org.sparktrain.driver.cli.LocalData;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.kernel.Gemms;
import org.sparktrain.engine.metrics.ClassificationMetrics;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.EpochStats;
import org.sparktrain.engine.train.Trainer;

/**
 * The benchmark entry point behind {@code scripts/bench}: trains a benchmark model on Fashion-MNIST and
 * prints one JSON line per epoch and, with {@code --inference}, one for test-set inference, in the format
 * shared with the peers ({@code system, model, mode, workers, threads, epoch, train_seconds,
 * samples_per_sec, test_acc, load1}). Timing covers the training loop only (minibatch gathering,
 * forward, backward, optimizer); data loading and evaluation are excluded, as in the PyTorch peer.
 *
 * <p>Each epoch line also reports what the training thread allocated ({@code alloc_bytes}, from the
 * JVM's per-thread allocation counter) and the GC collections during the epoch, to show that the
 * minibatch loop allocates nothing once warmed up.
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] argv) throws Exception {
        try {
            run(argv);
        } catch (Args.UsageException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
        }
    }

    static void run(String[] argv) throws Exception {
        int task = java.util.Arrays.asList(argv).indexOf("--task");
        if (task >= 0) {
            String which = task + 1 < argv.length ? argv[task + 1] : "";
            switch (which) {
                case "regression" -> RegressionBench.run(argv);
                case "sequence" -> SequenceBench.run(argv);
                case "imbalance" -> ImbalanceBench.run(argv);
                default -> throw new Args.UsageException("--task is regression, sequence or imbalance, got '"
                        + which + "'");
            }
            return;
        }
        if (java.util.Arrays.asList(argv).contains("--fault")) {
            FaultBench.run(argv);
            return;
        }
        if (java.util.Arrays.asList(argv).contains("--cold-engine")) {
            EngineColdBench.run(argv);
            return;
        }
        if (java.util.Arrays.asList(argv).contains("--cold")) {
            ColdBench.run(argv);
            return;
        }
        if (java.util.Arrays.asList(argv).contains("--allreduce")) {
            AllReduceBench.run(argv);
            return;
        }
        Args a = new Args("bench", argv, 0,
                Set.of("model", "epochs", "threads", "limit-train", "mode", "seed", "conf", "data", "batch", "workers",
                        "averaging-frequency", "averaging", "warmup-rounds", "master", "transport",
                        "outer-momentum", "outer-lr"),
                Set.of("inference", "compare-shapes", "sync-batchnorm"));
        String model = a.require("model");
        int epochs = a.intValue("epochs", 3, 1);
        int threads = a.intValue("threads", 1, 1);
        String mode = a.get("mode", "single");
        if (!mode.equals("single") && !mode.equals("spark")) {
            throw new Args.UsageException("--mode must be single or spark, got " + mode);
        }
        if (mode.equals("single") && !a.flag("compare-shapes") && (a.has("outer-momentum") || a.has("outer-lr"))) {
            throw new Args.UsageException("--outer-momentum and --outer-lr (SlowMo) act on averaging rounds: use them"
                    + " with --mode spark or --compare-shapes, not in single mode");
        }
        if (a.flag("sync-batchnorm") && !a.flag("compare-shapes")) {
            throw new Args.UsageException("--sync-batchnorm goes with --compare-shapes --averaging gradient (the"
                    + " other bench modes do not take it; sparktrain train and evaluate do)");
        }
        if (mode.equals("single") && threads != 1) {
            throw new Args.UsageException("--threads " + threads + ": single mode trains on one thread;"
                    + " data-parallel runs on several cores come with --mode spark");
        }
        Path spec = Path.of(a.get("conf", "conf/models")).resolve(model + ".yaml");
        ModelSpec ms = ModelSpec.load(spec);
        TrainingConfig cfg = ms.training().withEpochs(epochs).withSeed(a.longValue("seed", ms.training().seed()));
        if (a.has("batch")) {
            cfg = cfg.withBatchSize(a.intValue("batch", 64, 1));
        }
        Path data = Path.of(a.get("data", "/usr/share/datasets/fashion-mnist"));
        DataSet train = LocalData.loadIdx(data, "train", ms.input());
        if (a.has("limit-train")) {
            train = train.head(a.intValue("limit-train", 0, 1));
        }
        DataSet test = LocalData.loadIdx(data, "t10k", ms.input());
        Network net = Network.build(ms, cfg.seed());
        Trainer trainer = Trainer.fromSpec(net, cfg);

        if (a.flag("compare-shapes")) {
            ShapeBench.run(a, model, ms, cfg, train, test, epochs);
            return;
        }
        if (mode.equals("spark")) {
            SparkBench.run(a, model, ms, cfg, train, test, epochs);
            return;
        }

        Map<String, Object> base = new LinkedHashMap<>();
        base.put("system", "sparktrain");
        base.put("model", model);
        base.put("mode", mode);
        base.put("workers", 1);
        base.put("threads", threads);
        base.put("gemm", Gemms.fastest().name());
        base.put("java", System.getProperty("java.version"));

        com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        for (int e = 1; e <= epochs; e++) {
            double loadStart = load1();
            long gc0 = gcCount();
            long gcMs0 = gcMillis();
            long alloc0 = tmx.getThreadAllocatedBytes(tid);
            EpochStats s = trainer.trainEpoch(train, e);
            long alloc = tmx.getThreadAllocatedBytes(tid) - alloc0;
            long gcs = gcCount() - gc0;
            long gcMs = gcMillis() - gcMs0;
            ClassificationMetrics m = Trainer.evaluate(net, test, 1000);
            Map<String, Object> rec = new LinkedHashMap<>(base);
            rec.put("epoch", e);
            rec.put("train_seconds", round(s.seconds(), 3));
            rec.put("samples_per_sec", round(s.samplesPerSecond(), 1));
            rec.put("test_acc", round(m.accuracy(), 4));
            rec.put("train_loss", round(s.trainLoss(), 4));
            rec.put("samples", s.samples());
            rec.put("batch", cfg.batchSize());
            rec.put("alloc_bytes", alloc);
            rec.put("gc_count", gcs);
            rec.put("gc_ms", gcMs);
            rec.put("load1", load1());
            rec.put("load1_start", loadStart);
            System.out.println(json(rec));
        }
        if (a.flag("inference")) {
            inference(base, net, test);
        }
    }

    static void inference(Map<String, Object> base, Network net, DataSet test) {
        int chunk = 1000;
        int fs = test.shape().size();
        int classes = net.outputShape().size();
        float[] x = new float[chunk * fs];
        float[] probs = new float[chunk * classes];
        Runnable pass = () -> {
            for (int from = 0; from < test.size(); from += chunk) {
                int count = Math.min(chunk, test.size() - from);
                System.arraycopy(test.features(), from * fs, x, 0, count * fs);
                net.predict(x, count, probs);
            }
        };
        pass.run(); // warm-up
        double loadStart = load1();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            pass.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        Map<String, Object> rec = new LinkedHashMap<>(base);
        rec.put("phase", "inference");
        rec.put("batch", chunk);
        rec.put("samples", test.size());
        rec.put("seconds", round(best, 4));
        rec.put("samples_per_sec", round(test.size() / best, 1));
        rec.put("load1", load1());
        rec.put("load1_start", loadStart);
        System.out.println(json(rec));
    }

    static double load1() {
        return round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2);
    }

    static long gcCount() {
        long c = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            c += Math.max(0, b.getCollectionCount());
        }
        return c;
    }

    static long gcMillis() {
        long c = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            c += Math.max(0, b.getCollectionTime());
        }
        return c;
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** One flat JSON object (Jackson); values are numbers or strings, in the map's order. */
    static String json(Map<String, Object> rec) {
        try {
            return JSON.writeValueAsString(rec);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a benchmark line could not be written as JSON: " + e.getMessage(), e);
        }
    }
}
