package org.sparktrain.driver.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
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
import org.sparktrain.driver.cli.Main;

/**
 * {@code scripts/bench --cold}: what a fresh JVM costs (issue 16). Every measurement runs in a JVM of its own,
 * started the way the launcher starts one (this JVM's options and class path):
 * <ul>
 * <li>{@code train}: {@code sparktrain train} of each model on one worker ({@code local[1]}), with the launcher's
 *     JIT warm-up on and off ({@code SPARKTRAIN_WARMUP}); from the run's {@code metrics.jsonl}, epoch 1's samples/s
 *     beside the best later epoch's (the warm figure in the same JVM);</li>
 * <li>{@code score}: {@code sparktrain score} of the trained lenet5 model on N rows, twice in one fresh JVM: the
 *     first run is the cold one, the second the same work in the now warm JVM (Spark is stopped after each run,
 *     so both include Spark's start).</li>
 * </ul>
 * One JSON line per measurement with {@code "phase":"cold"}.
 */
final class ColdBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ColdBench() {
    }

    static void run(String[] argv) throws Exception {
        Args a = new Args("bench --cold", argv, 0,
                Set.of("models", "epochs", "limit-train", "data", "out", "score-rows", "warmup", "conf"),
                Set.of("cold", "no-score", "no-train"));
        String[] models = a.get("models", "mlp,lenet5,lstm,gru").split(",");
        int epochs = a.intValue("epochs", 3, 2);
        String data = a.get("data", "/usr/share/datasets/fashion-mnist");
        Path out = Path.of(a.get("out", "runs/bench-cold"));
        String[] warmups = a.get("warmup", "1,0").split(",");
        Files.createDirectories(out);
        if (!a.flag("no-train")) {
            for (String model : models) {
                for (String w : warmups) {
                    Path dir = out.resolve(model + "-warmup" + w);
                    deleteRecursively(dir);
                    List<String> args = new ArrayList<>(List.of("train", "--model",
                            Path.of(a.get("conf", "conf/models")).resolve(model + ".yaml").toString(), "--data", data,
                            "--epochs", Integer.toString(epochs), "--master", "local[1]", "--workers", "1",
                            "--out", dir.toString()));
                    if (a.has("limit-train")) {
                        args.addAll(List.of("--limit-train", a.get("limit-train", "")));
                    }
                    double wall = child(Map.of("SPARKTRAIN_WARMUP", w), out.resolve(model + "-warmup" + w + ".log"),
                            Main.class.getName(), args);
                    List<JsonNode> lines = new ArrayList<>();
                    for (String l : Files.readAllLines(dir.resolve("metrics.jsonl"), StandardCharsets.UTF_8)) {
                        if (!l.isBlank()) {
                            lines.add(JSON.readTree(l));
                        }
                    }
                    double first = lines.get(0).path("samples_per_sec").asDouble();
                    double warm = 0;
                    for (int i = 1; i < lines.size(); i++) {
                        warm = Math.max(warm, lines.get(i).path("samples_per_sec").asDouble());
                    }
                    Map<String, Object> rec = base("train", model);
                    rec.put("warmup", w.equals("1"));
                    rec.put("epochs", lines.size());
                    rec.put("epoch1_samples_per_sec", Bench.round(first, 1));
                    rec.put("warm_samples_per_sec", Bench.round(warm, 1));
                    rec.put("epoch1_vs_warm", Bench.round(first / warm, 3));
                    rec.put("epoch1_seconds", Bench.round(lines.get(0).path("seconds").asDouble(), 3));
                    rec.put("wall_seconds", Bench.round(wall, 2));
                    rec.put("load1", Bench.load1());
                    System.out.println(Bench.json(rec));
                }
            }
        }
        if (!a.flag("no-score")) {
            Path model = out.resolve("lenet5-warmup" + warmups[0]).resolve("model.sptr");
            if (!Files.exists(model)) {
                throw new Args.UsageException("--cold scoring needs " + model + ": run the train part first (without"
                        + " --no-train) with lenet5 among --models");
            }
            for (String rows : a.get("score-rows", "10000,60000").split(",")) {
                String part = rows.trim().equals("60000") ? "train" : "t10k";
                Path timings = out.resolve("score-" + part + ".json");
                Files.deleteIfExists(timings);
                child(Map.of(), out.resolve("score-" + part + ".log"), ColdBench.class.getName(),
                        List.of(model.toString(), data, part, out.resolve("score-" + part).toString(),
                                timings.toString()));
                JsonNode t = JSON.readTree(timings.toFile());
                Map<String, Object> rec = base("score", "lenet5");
                rec.put("rows", t.path("rows").asLong());
                rec.put("cold_seconds", Bench.round(t.path("cold").asDouble(), 3));
                rec.put("warm_seconds", Bench.round(t.path("warm").asDouble(), 3));
                rec.put("cold_vs_warm", Bench.round(t.path("cold").asDouble() / t.path("warm").asDouble(), 3));
                rec.put("load1", Bench.load1());
                System.out.println(Bench.json(rec));
            }
        }
    }

    /**
     * The scoring child: {@code model data part outDir timingsFile}; scores twice in this JVM and writes the two
     * wall times.
     */
    public static void main(String[] argv) throws Exception {
        double[] secs = new double[2];
        PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
        for (int i = 0; i < 2; i++) {
            Path dir = Path.of(argv[3] + "-" + i);
            deleteRecursively(dir);
            long t0 = System.nanoTime();
            int rc = Main.run(new String[] {"score", "--model-file", argv[0], "--data", argv[1], "--part", argv[2],
                    "--out", dir.toString(), "--master", "local[2]"}, quiet, System.err);
            secs[i] = (System.nanoTime() - t0) / 1e9;
            if (rc != 0) {
                throw new IllegalStateException("score exited " + rc);
            }
            // the next run starts its own Spark, as a new command would, in a JVM that is warm now
            org.apache.spark.sql.SparkSession.builder().getOrCreate().stop();
        }
        long rows = argv[2].equals("train") ? 60000 : 10000;
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("rows", rows);
        t.put("cold", secs[0]);
        t.put("warm", secs[1]);
        Files.writeString(Path.of(argv[4]), JSON.writeValueAsString(t));
        System.exit(0);
    }

    private static Map<String, Object> base(String what, String model) {
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("system", "sparktrain");
        rec.put("phase", "cold");
        rec.put("what", what);
        rec.put("model", model);
        rec.put("java", System.getProperty("java.version"));
        return rec;
    }

    /** Runs {@code mainClass args} in a fresh JVM started like this one; its output goes to {@code log}. */
    private static double child(Map<String, String> env, Path log, String mainClass, List<String> args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        int rc = p.waitFor();
        double wall = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) {
            throw new IllegalStateException(mainClass + " " + String.join(" ", args) + " exited " + rc + "; see " + log);
        }
        return wall;
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
