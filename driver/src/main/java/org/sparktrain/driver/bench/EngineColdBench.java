package org.sparktrain.driver.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparktrain.driver.cli.Args;
import org.sparktrain.driver.cli.LocalData;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.kernel.ColdPhase;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.Trainer;

/**
 * {@code scripts/bench --cold-engine}: a fresh JVM's first epoch and first predictions for the engine alone (no
 * Spark, no warm-up thread: what a replacement executor or a scoring task meets), with the kernels' cold phase on
 * the plain-Java twins ({@code -Dsparktrain.kernels.cold=twin}) and without it ({@code =vector}); docs/architecture.md,
 * "Cold JVMs". Every measurement runs in a JVM of its own started with this JVM's options:
 * <ul>
 * <li>{@code train}: E epochs of the model on one thread on the first N Fashion-MNIST training rows; epoch 1's
 *     samples/s beside the best later epoch's (warm, same JVM);</li>
 * <li>{@code predict}: {@code Network.predict} of R test rows (in minibatches of 256) twice in one fresh JVM: cold,
 *     then warm.</li>
 * </ul>
 * One JSON line per measurement, with the machine's 1-minute load average at its end; each child's log (under
 * {@code runs/bench-cold-engine/}) ends with the cold phases' summary (when each kernel went to the vector code).
 */
final class EngineColdBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EngineColdBench() {
    }

    static void run(String[] argv) throws Exception {
        Args a = new Args("bench --cold-engine", argv, 0,
                Set.of("models", "epochs", "limit-train", "data", "out", "predict-rows", "cold", "conf"),
                Set.of("cold-engine", "no-train", "no-predict"));
        String[] models = a.get("models", "mlp,lenet5,lstm").split(",");
        String epochs = Integer.toString(a.intValue("epochs", 3, 2));
        String data = a.get("data", "/usr/share/datasets/fashion-mnist");
        Path conf = Path.of(a.get("conf", "conf/models"));
        Path out = Path.of(a.get("out", "runs/bench-cold-engine"));
        String[] colds = a.get("cold", "twin,vector").split(",");
        String limit = a.get("limit-train", "10000");
        Files.createDirectories(out);
        for (String model : models) {
            String spec = conf.resolve(model + ".yaml").toString();
            for (String cold : colds) {
                if (!a.flag("no-train")) {
                    JsonNode r = child(out, model + "-train-" + cold, cold, List.of("train", spec, data, limit, epochs));
                    Map<String, Object> rec = base("train", model, cold);
                    double first = r.path("epoch1").asDouble();
                    double warm = r.path("warm").asDouble();
                    rec.put("rows", r.path("rows").asLong());
                    rec.put("epoch1_samples_per_sec", Bench.round(first, 1));
                    rec.put("warm_samples_per_sec", Bench.round(warm, 1));
                    rec.put("epoch1_vs_warm", Bench.round(first / warm, 3));
                    rec.put("epoch1_seconds", Bench.round(r.path("epoch1_seconds").asDouble(), 3));
                    rec.put("load1", Bench.load1());
                    System.out.println(Bench.json(rec));
                }
                if (!a.flag("no-predict")) {
                    for (String rows : a.get("predict-rows", "10000").split(",")) {
                        JsonNode r = child(out, model + "-predict" + rows.trim() + "-" + cold, cold,
                                List.of("predict", spec, data, rows.trim()));
                        Map<String, Object> rec = base("predict", model, cold);
                        rec.put("rows", r.path("rows").asLong());
                        rec.put("cold_seconds", Bench.round(r.path("cold").asDouble(), 3));
                        rec.put("warm_seconds", Bench.round(r.path("warm").asDouble(), 3));
                        rec.put("cold_vs_warm", Bench.round(r.path("cold").asDouble() / r.path("warm").asDouble(), 3));
                        rec.put("load1", Bench.load1());
                        System.out.println(Bench.json(rec));
                    }
                }
            }
        }
    }

    private static Map<String, Object> base(String what, String model, String cold) {
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("system", "sparktrain");
        rec.put("phase", "cold-engine");
        rec.put("what", what);
        rec.put("model", model);
        rec.put("kernels_cold", cold);
        rec.put("java", System.getProperty("java.version"));
        return rec;
    }

    /** Runs this class's {@link #main} in a fresh JVM with {@code -Dsparktrain.kernels.cold=cold}; its result. */
    private static JsonNode child(Path out, String name, String cold, List<String> args)
            throws IOException, InterruptedException {
        Path result = out.resolve(name + ".json");
        Files.deleteIfExists(result);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String o : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!o.startsWith("-D" + ColdPhase.PROPERTY + "=")) {
                cmd.add(o);
            }
        }
        cmd.add("-D" + ColdPhase.PROPERTY + "=" + cold);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(EngineColdBench.class.getName());
        cmd.addAll(args);
        cmd.add(result.toString());
        Path log = out.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException(name + " exited " + rc + "; see " + log);
        }
        return JSON.readTree(result.toFile());
    }

    /**
     * The child: {@code train SPEC DATA ROWS EPOCHS RESULT} or {@code predict SPEC DATA ROWS RESULT}; writes its
     * timings as JSON to RESULT and the cold phases' summary to stdout.
     */
    public static void main(String[] argv) throws Exception {
        ModelSpec spec = ModelSpec.load(Path.of(argv[1]));
        Path data = Path.of(argv[2]);
        int rows = Integer.parseInt(argv[3]);
        Map<String, Object> r = new LinkedHashMap<>();
        if (argv[0].equals("train")) {
            int epochs = Integer.parseInt(argv[4]);
            DataSet train = LocalData.loadIdx(data, "train", spec.input()).head(rows);
            TrainingConfig cfg = spec.training().withEpochs(epochs);
            Trainer t = Trainer.fromSpec(Network.build(spec, cfg.seed()), cfg);
            double warm = 0;
            for (int e = 1; e <= epochs; e++) {
                long t0 = System.nanoTime();
                t.trainEpoch(train, e);
                double secs = (System.nanoTime() - t0) / 1e9;
                double rate = train.size() / secs;
                System.out.printf("epoch %d: %.3f s, %.1f samples/s%n", e, secs, rate);
                if (e == 1) {
                    r.put("epoch1", rate);
                    r.put("epoch1_seconds", secs);
                } else {
                    warm = Math.max(warm, rate);
                }
            }
            r.put("rows", train.size());
            r.put("warm", warm);
            Files.writeString(Path.of(argv[5]), JSON.writeValueAsString(r));
        } else {
            DataSet test = LocalData.loadIdx(data, rows > 10000 ? "train" : "t10k", spec.input()).head(rows);
            Network net = Network.build(spec, spec.training().seed());
            int in = spec.input().size();
            int chunk = 256;
            float[] x = new float[chunk * in];
            float[] pred = new float[chunk * net.outputShape().size()];
            double[] secs = new double[2];
            for (int pass = 0; pass < 2; pass++) {
                long t0 = System.nanoTime();
                for (int i0 = 0; i0 < test.size(); i0 += chunk) {
                    int n = Math.min(chunk, test.size() - i0);
                    System.arraycopy(test.features(), i0 * in, x, 0, n * in);
                    net.predict(x, n, pred);
                }
                secs[pass] = (System.nanoTime() - t0) / 1e9;
                System.out.printf("predict pass %d: %.3f s%n", pass, secs[pass]);
            }
            r.put("rows", test.size());
            r.put("cold", secs[0]);
            r.put("warm", secs[1]);
            Files.writeString(Path.of(argv[4]), JSON.writeValueAsString(r));
        }
        System.out.print(ColdPhase.summary());
        System.out.println(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        System.exit(0);
    }
}
