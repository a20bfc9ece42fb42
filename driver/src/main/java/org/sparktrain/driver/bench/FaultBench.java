package org.sparktrain.driver.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sparktrain.driver.cli.Args;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;

/**
 * {@code scripts/bench --fault executor|stall|driver} (issue 14): what a fault costs on the standalone cluster of
 * {@code scripts/cluster} (W workers of one core, one executor JVM each), as JSON lines. In one run of the bench:
 * the same {@code train} on {@code local[W]} and on the cluster, uninterrupted (their epochs' samples/s side by side:
 * {@code "phase":"fault-baseline"}), then on the cluster with the fault injected once epoch 2 has written a
 * mid-epoch checkpoint ({@code --checkpoint-every}): {@code executor} SIGKILLs one executor JVM, {@code stall}
 * SIGSTOPs one (SIGCONT at the end), {@code driver} SIGKILLs the driver and runs the same command with
 * {@code --resume}. The fault's line ({@code "phase":"fault"}) holds the seconds lost against the uninterrupted
 * cluster run, whether the final parameters are the same bits, and the round the rerun started from. Every
 * process it starts is ended by PID; the cluster is stopped at the end.
 */
final class FaultBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RERUN = Pattern.compile("Rerunning the epoch's stage from round (\\d+) of (\\d+)");

    private final Path root;
    private final String data;
    private final String port;
    private final List<String> trainArgs;
    private final Path runs;

    private FaultBench(Path root, String data, String port, List<String> trainArgs, Path runs) {
        this.root = root;
        this.data = data;
        this.port = port;
        this.trainArgs = trainArgs;
        this.runs = runs;
    }

    static void run(String[] argv) throws Exception {
        Args a = new Args("bench --fault", argv, 0, Set.of("fault", "model", "epochs", "limit-train", "workers", "port",
                "root", "data", "runs", "checkpoint-every", "state-every"), Set.of());
        String fault = a.get("fault", "executor");
        if (!List.of("executor", "stall", "driver").contains(fault)) {
            throw new Args.UsageException("--fault is executor, stall or driver, got '" + fault + "'");
        }
        Path root = Path.of(a.get("root", "."));
        int workers = a.intValue("workers", 2, 2);
        String port = a.get("port", "7179");
        List<String> train = new ArrayList<>(List.of("train", "--model", a.get("model", "conf/models/lenet5.yaml"),
                "--data", a.get("data", "/usr/share/datasets/fashion-mnist"), "--workers", Integer.toString(workers),
                "--epochs", Integer.toString(a.intValue("epochs", 3, 2)), "--limit-train",
                Integer.toString(a.intValue("limit-train", 12000, 100)), "--checkpoint-every",
                Integer.toString(a.intValue("checkpoint-every", 10, 1))));
        Path runs = root.resolve(a.get("runs", "runs")).resolve("bench-fault");
        FaultBench b = new FaultBench(root, a.get("data", "/usr/share/datasets/fashion-mnist"), port, train, runs);
        b.measure(fault, workers, a.intValue("state-every", 5, 1));
    }

    private void measure(String fault, int workers, int stateEvery) throws Exception {
        deleteTree(runs);
        Files.createDirectories(runs);
        String master = "spark://127.0.0.1:" + port;
        double load0 = Bench.load1();
        Run local = train("local", "local[" + workers + "]", stateEvery, null);
        emitBaseline("local[" + workers + "]", local, null, load0);
        require(sh(runs.resolve("cluster-start.log"), 300, "scripts/cluster", "start", Integer.toString(workers), "1") == 0,
                "scripts/cluster start failed: see " + runs.resolve("cluster-start.log"));
        try {
            Run whole = train("whole", master, stateEvery, null);
            emitBaseline("cluster", whole, local, load0);
            require(whole.exit == 0, "the uninterrupted cluster run failed: see " + runs.resolve("whole.log"));
            Run faulted = train("faulted", master, stateEvery, fault);
            Map<String, Object> rec = base("fault");
            rec.put("fault", fault);
            rec.put("uninterrupted_seconds", Bench.round(whole.seconds, 1));
            rec.put("faulted_seconds", Bench.round(faulted.seconds, 1));
            rec.put("seconds_lost", Bench.round(faulted.seconds - whole.seconds, 1));
            rec.put("exit", faulted.exit);
            rec.put("same_bits", faulted.exit == 0 && sameBits(whole.out, faulted.out));
            Matcher m = RERUN.matcher(faulted.log);
            if (m.find()) {
                rec.put("rerun_from_round", Integer.parseInt(m.group(1)));
                rec.put("rounds_in_epoch", Integer.parseInt(m.group(2)));
            }
            rec.put("what", faulted.what);
            rec.put("load1_start", load0);
            rec.put("load1", Bench.load1());
            System.out.println(Bench.json(rec));
        } finally {
            sh(runs.resolve("cluster-stop.log"), 90, "scripts/cluster", "stop");
        }
    }

    private void emitBaseline(String mode, Run r, Run local, double load0) {
        Map<String, Object> rec = base("fault-baseline");
        rec.put("mode", mode);
        rec.put("seconds", Bench.round(r.seconds, 1));
        rec.put("exit", r.exit);
        rec.put("samples_per_sec_best_epoch", Bench.round(r.bestSamplesPerSec, 1));
        if (local != null && local.bestSamplesPerSec > 0) {
            rec.put("ratio_to_local", Bench.round(r.bestSamplesPerSec / local.bestSamplesPerSec, 3));
        }
        rec.put("load1_start", load0);
        rec.put("load1", Bench.load1());
        System.out.println(Bench.json(rec));
    }

    private static Map<String, Object> base(String phase) {
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("system", "sparktrain");
        rec.put("phase", phase);
        return rec;
    }

    /** One training run's outcome. */
    private record Run(Path out, double seconds, int exit, double bestSamplesPerSec, String log, String what) {
    }

    private Run train(String name, String master, int stateEvery, String fault) throws Exception {
        Path out = runs.resolve(name);
        Files.createDirectories(out);
        Path log = runs.resolve(name + ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add("scripts/sparktrain");
        cmd.addAll(trainArgs);
        cmd.addAll(List.of("--master", master, "--out", out.toString()));
        long t0 = System.nanoTime();
        Process p = command(log, stateEvery, cmd).start();
        String what = null;
        long stopped = -1;
        try {
            if (fault != null) {
                waitForEpoch2(p, out.resolve("checkpoint.sptr"), log);
                switch (fault) {
                    case "executor" -> {
                        long pid = lastExecutor();
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                        what = "executor JVM " + pid + " killed (SIGKILL) in epoch 2";
                    }
                    case "stall" -> {
                        stopped = lastExecutor();
                        new ProcessBuilder("kill", "-STOP", Long.toString(stopped)).start().waitFor();
                        what = "executor JVM " + stopped + " paused (SIGSTOP) in epoch 2";
                    }
                    default -> { // the driver: kill it, then the same command with --resume
                        p.descendants().forEach(ProcessHandle::destroyForcibly);
                        p.destroyForcibly();
                        p.waitFor(60, TimeUnit.SECONDS);
                        cmd.add("--resume");
                        Path log2 = runs.resolve(name + "-resume.log");
                        p = command(log2, stateEvery, cmd).start();
                        what = "driver killed (SIGKILL) in epoch 2, then the command again with --resume";
                        log = log2;
                    }
                }
            }
            if (!p.waitFor(1200, TimeUnit.SECONDS)) {
                throw new IllegalStateException(String.join(" ", cmd) + " did not end in 1200 s: see " + log);
            }
        } finally {
            if (stopped > 0) {
                new ProcessBuilder("kill", "-CONT", Long.toString(stopped)).start().waitFor();
            }
            end(p);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        return new Run(out, secs, p.exitValue(), bestEpoch(out), Files.readString(log, StandardCharsets.UTF_8), what);
    }

    private ProcessBuilder command(Path log, int stateEvery, List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("SPARKTRAIN_SKIP_BUILD", "1");
        pb.environment().put("SPARKTRAIN_MASTER_PORT", port);
        pb.environment().put("SPARKTRAIN_JAVA_OPTS", "-Xmx2g -Dspark.sparktrain.barrier.stateEveryRounds=" + stateEvery);
        return pb;
    }

    private int sh(Path log, long seconds, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("SPARKTRAIN_SKIP_BUILD", "1");
        pb.environment().put("SPARKTRAIN_MASTER_PORT", port);
        Process p = pb.start();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException(String.join(" ", cmd) + " did not end in " + seconds + " s");
            }
            return p.exitValue();
        } finally {
            end(p);
        }
    }

    private static void end(Process p) throws InterruptedException {
        if (p.isAlive()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void waitForEpoch2(Process p, Path checkpoint, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        while (System.nanoTime() < deadline) {
            require(p.isAlive(), "the run ended before epoch 2 began: see " + log);
            if ("2".equals(ClusterProcesses.partialEpoch(checkpoint))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no checkpoint inside epoch 2 within 600 s: see " + log);
    }

    /** The newest application's executor JVM with the highest PID, on this checkout's cluster. */
    private long lastExecutor() {
        List<Long> pids = ClusterProcesses.executorPids(root);
        require(!pids.isEmpty(), "no executor JVM of this checkout's cluster is running");
        return pids.get(pids.size() - 1);
    }

    private static double bestEpoch(Path out) throws IOException {
        Path log = out.resolve("metrics.jsonl");
        double best = 0;
        if (Files.exists(log)) {
            for (String l : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                JsonNode n = l.isBlank() ? null : JSON.readTree(l);
                if (n != null && n.has("samples_per_sec")) {
                    best = Math.max(best, n.get("samples_per_sec").asDouble());
                }
            }
        }
        return best;
    }

    private static boolean sameBits(Path a, Path b) throws IOException {
        ModelContents x = ModelFile.load(a.resolve("model.sptr"));
        ModelContents y = ModelFile.load(b.resolve("model.sptr"));
        return Arrays.equals(bits(x.params()), bits(y.params())) && Arrays.equals(bits(x.state()), bits(y.state()));
    }

    private static int[] bits(float[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Float.floatToRawIntBits(v[i]);
        }
        return r;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
