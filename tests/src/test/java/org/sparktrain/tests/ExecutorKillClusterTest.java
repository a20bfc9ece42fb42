package org.sparktrain.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;

/**
 * Issue 14 on a real standalone cluster (scripts/cluster: 2 workers of 1 core, one executor JVM each): one
 * executor JVM killed with SIGKILL in the middle of a barrier epoch. The driver reruns the epoch's stage from the
 * state task 0 last handed over (docs/architecture.md, "Recovery in rounds, not epochs") once Spark has started a
 * replacement executor; the run must end with exit 0 and the uninterrupted run's parameters, bit for bit, and its
 * log must say which round it resumed from. The seconds the kill cost are printed, not asserted.
 */
class ExecutorKillClusterTest {
    static final Path ROOT = StandaloneClusterTest.ROOT;
    static final Path FMNIST = StandaloneClusterTest.FMNIST;
    static final String PORT = "7178";
    static final String MASTER = "spark://127.0.0.1:" + PORT;
    static final Pattern RERUN = Pattern.compile(
            "Rerunning the epoch's stage from round (\\d+) of (\\d+) \\(the state after (\\d+) rounds, handed over by task 0\\)");

    static Path clusterLogs;

    static ProcessBuilder command(Path log, String... cmd) {
        return command(PORT, log, cmd);
    }

    /** {@code cmd} in the worktree, its output to {@code log}, for the cluster whose master listens on {@code port}. */
    static ProcessBuilder command(String port, Path log, String... cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("SPARKTRAIN_SKIP_BUILD", "1");
        pb.environment().put("SPARKTRAIN_MASTER_PORT", port);
        pb.environment().put("SPARKTRAIN_CDS", "0");
        // the hand-over every 5 rounds (a Spark setting: the driver's SparkConf reads spark.* system properties)
        pb.environment().put("SPARKTRAIN_JAVA_OPTS", "-Xmx2g -Dspark.sparktrain.barrier.stateEveryRounds=5");
        return pb;
    }

    static int sh(Path log, long seconds, String... cmd) throws Exception {
        return run(command(log, cmd), log, seconds);
    }

    /** Runs {@code pb} (its output in {@code log}) for at most {@code seconds}, ending it by PID; its exit status. */
    static int run(ProcessBuilder pb, Path log, long seconds) throws Exception {
        Process p = pb.start();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError(String.join(" ", pb.command()) + " did not finish in " + seconds + " s; log: "
                        + StandaloneClusterTest.read(log));
            }
            return p.exitValue();
        } finally {
            end(p);
        }
    }

    /** Ends a process this test started, and its children, by PID. */
    static void end(Process p) throws InterruptedException {
        if (p.isAlive()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @BeforeAll
    static void startCluster() throws Exception {
        clusterLogs = StandaloneClusterTest.logDirectoryIfReady("sparktrain-cluster-kill");
        Path log = clusterLogs.resolve("cluster.log");
        assertEquals(0, sh(log, 300, "scripts/cluster", "start", "2", "1"), () -> StandaloneClusterTest.read(log));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (clusterLogs != null) {
            sh(clusterLogs.resolve("stop.log"), 90, "scripts/cluster", "stop");
        }
    }

    static String[] train(Path out) {
        return new String[] {"scripts/sparktrain", "train", "--model", "conf/models/lenet5.yaml", "--data",
            FMNIST.toString(), "--master", MASTER, "--workers", "2", "--epochs", "3", "--limit-train", "12000",
            "--checkpoint-every", "10", "--out", out.toString(), "--metrics-out", out.resolve("test.json").toString()};
    }

    static Path whole;
    static double wholeSeconds;

    /** The uninterrupted run, made once for both tests: its directory. */
    static synchronized Path uninterrupted() throws Exception {
        if (whole == null) {
            Path dir = clusterLogs.resolve("whole");
            Files.createDirectories(dir);
            Path wholeLog = clusterLogs.resolve("whole.log");
            long t0 = System.nanoTime();
            int status = sh(wholeLog, 540, train(dir));
            wholeSeconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(0, status, () -> StandaloneClusterTest.read(wholeLog));
            whole = dir;
        }
        return whole;
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void anExecutorKilledMidEpochCostsARerunFromTheLatestRoundNotTheResult(@TempDir Path tmp) throws Exception {
        Path whole = uninterrupted();
        Path wholeLog = clusterLogs.resolve("whole.log");
        long t0;

        // the same run, one executor JVM killed once epoch 2 has passed a checkpoint inside it
        Path killed = tmp.resolve("killed");
        Files.createDirectories(killed);
        Path killedLog = tmp.resolve("killed.log");
        t0 = System.nanoTime();
        Process run = command(killedLog, train(killed)).start();
        String killedWhat;
        try {
            killedWhat = killAnExecutorInEpoch2(run, killed.resolve("checkpoint.sptr"), killedLog);
            assertTrue(run.waitFor(540, TimeUnit.SECONDS), () -> "the killed run did not end in 540 s: "
                    + StandaloneClusterTest.read(killedLog));
        } finally {
            end(run);
        }
        double killedSeconds = (System.nanoTime() - t0) / 1e9;
        String text = StandaloneClusterTest.read(killedLog);
        assertEquals(0, run.exitValue(), text);

        Matcher m = RERUN.matcher(text);
        assertTrue(m.find(), () -> "no rerun from a handed-over round in the log:\n" + text);
        int from = Integer.parseInt(m.group(1));
        assertTrue(from > 1, text);
        String line = text.lines().filter(l -> l.contains("Rerunning the epoch's stage")).findFirst().orElseThrow();

        ModelContents a = ModelFile.load(whole.resolve("model.sptr"));
        ModelContents b = ModelFile.load(killed.resolve("model.sptr"));
        assertArrayEquals(bits(a.params()), bits(b.params()), "parameters after a kill vs uninterrupted");
        assertArrayEquals(bits(a.state()), bits(b.state()), "BatchNorm statistics after a kill vs uninterrupted");
        assertEquals(testMetrics(whole), testMetrics(killed), "test accuracy and loss, all digits");

        System.out.printf("ExecutorKillClusterTest: %s; %s%n  uninterrupted %.1f s, killed %.1f s: %.1f s lost%n"
                + "  uninterrupted:%n%s%n  killed:%n%s%n", killedWhat, line.strip(), wholeSeconds, killedSeconds,
                killedSeconds - wholeSeconds, epochLines(StandaloneClusterTest.read(wholeLog)), epochLines(text));
    }

    /**
     * An executor JVM paused with SIGSTOP in epoch 2 (issue 14, "Stalled peer"): its peer's ring gives up after
     * the stall limit (5 s here), the driver gets Spark to replace the paused executor instead of waiting for
     * the heartbeat timeout (120 s) to free its slot, and the stage reruns from the latest handed-over round. The
     * run ends with exit 0 and the uninterrupted run's bits. The paused JVM gets SIGCONT at the end whatever
     * happened (Spark's worker has normally killed it by then).
     */
    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aPausedExecutorIsReplacedAndTheRunEndsWithTheSameBits(@TempDir Path tmp) throws Exception {
        Path whole = uninterrupted();
        Path paused = tmp.resolve("paused");
        Files.createDirectories(paused);
        Path pausedLog = tmp.resolve("paused.log");
        long t0 = System.nanoTime();
        ProcessBuilder pb = command(pausedLog, train(paused));
        pb.environment().put("SPARKTRAIN_JAVA_OPTS", pb.environment().get("SPARKTRAIN_JAVA_OPTS")
                + " -Dspark.sparktrain.allreduce.stallTimeout=5s");
        Process run = pb.start();
        long[] stopped = {-1};
        try {
            waitForEpoch2(run, paused.resolve("checkpoint.sptr"), pausedLog);
            List<Long> executors = executorPids();
            assertEquals(2, executors.size(), "this cluster's executor JVMs: " + executors);
            stopped[0] = executors.get(executors.size() - 1);
            assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(stopped[0])).start().waitFor());
            assertTrue(run.waitFor(540, TimeUnit.SECONDS), () -> "the paused run did not end in 540 s: "
                    + StandaloneClusterTest.read(pausedLog));
        } finally {
            if (stopped[0] > 0) {
                new ProcessBuilder("kill", "-CONT", Long.toString(stopped[0])).start().waitFor();
            }
            end(run);
        }
        double pausedSeconds = (System.nanoTime() - t0) / 1e9;
        String text = StandaloneClusterTest.read(pausedLog);
        assertEquals(0, run.exitValue(), text);
        assertTrue(text.contains("stopped responding on executor") && text.contains("asked to replace"),
                () -> "the driver did not ask Spark to replace the paused executor:\n" + text);
        assertTrue(RERUN.matcher(text).find() || text.contains("Rerunning the epoch's stage"),
                () -> "no rerun in the log:\n" + text);
        ModelContents a = ModelFile.load(whole.resolve("model.sptr"));
        ModelContents b = ModelFile.load(paused.resolve("model.sptr"));
        assertArrayEquals(bits(a.params()), bits(b.params()), "parameters after a pause vs uninterrupted");
        assertArrayEquals(bits(a.state()), bits(b.state()), "BatchNorm statistics after a pause vs uninterrupted");
        String line = text.lines().filter(l -> l.contains("stopped responding")).findFirst().orElse("");
        System.out.printf("ExecutorKillClusterTest: executor JVM %d paused (SIGSTOP) in epoch 2; %s%n"
                + "  uninterrupted %.1f s, paused %.1f s: %.1f s lost%n", stopped[0], line.strip(), wholeSeconds,
                pausedSeconds, pausedSeconds - wholeSeconds);
    }

    /**
     * The driver killed with SIGKILL in the middle of epoch 2 (issue 14): no model is written, the mid-epoch
     * checkpoint stays, and the same command with {@code --resume} ends with the uninterrupted run's bits.
     */
    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aKilledDriverResumesFromItsCheckpointToTheSameBits(@TempDir Path tmp) throws Exception {
        Path whole = uninterrupted();
        Path out = tmp.resolve("driver-killed");
        Files.createDirectories(out);
        Path log = tmp.resolve("driver-killed.log");
        Process run = command(log, train(out)).start();
        try {
            waitForEpoch2(run, out.resolve("checkpoint.sptr"), log);
        } finally {
            end(run); // SIGKILL of the driver JVM (and the launcher script)
        }
        assertTrue(Files.exists(out.resolve("checkpoint.sptr")), "the checkpoint stays after the driver is killed");
        assertTrue(!Files.exists(out.resolve("model.sptr")), "a killed driver writes no model");
        Path resumedLog = tmp.resolve("resumed.log");
        List<String> resume = new ArrayList<>(List.of(train(out)));
        resume.add("--resume");
        int status = sh(resumedLog, 540, resume.toArray(new String[0]));
        String text = StandaloneClusterTest.read(resumedLog);
        assertEquals(0, status, text);
        ModelContents a = ModelFile.load(whole.resolve("model.sptr"));
        ModelContents b = ModelFile.load(out.resolve("model.sptr"));
        assertArrayEquals(bits(a.params()), bits(b.params()), "parameters after a driver kill and --resume");
        assertArrayEquals(bits(a.state()), bits(b.state()), "BatchNorm statistics after a driver kill and --resume");
        assertEquals(testMetrics(whole), testMetrics(out), "test accuracy and loss, all digits");
    }

    /**
     * The driver stopped by SIGTERM, then another run by SIGINT, in epoch 2 (issue 14, Tests: "a run stopped by
     * SIGINT/SIGTERM exits 130/143, writes no model and keeps the checkpoint; a failed run into an --out that holds a
     * good model leaves it byte for byte"): each run's --out holds the uninterrupted run's model before it starts.
     */
    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aSignalledDriverExits143Or130KeepingTheCheckpointAndTheGoodModelByteForByte(@TempDir Path tmp)
            throws Exception {
        Path whole = uninterrupted();
        byte[] good = Files.readAllBytes(whole.resolve("model.sptr"));
        for (String signal : List.of("TERM", "INT")) {
            Path out = tmp.resolve("signal-" + signal);
            Files.createDirectories(out);
            Files.write(out.resolve("model.sptr"), good);
            Path log = tmp.resolve("signal-" + signal + ".log");
            Process run = command(log, train(out)).start(); // SPARKTRAIN_CDS=0: the script execs the driver JVM
            try {
                waitForEpoch2(run, out.resolve("checkpoint.sptr"), log);
                Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(run.pid())).start();
                assertEquals(0, kill.waitFor(), "kill -" + signal + " " + run.pid());
                assertTrue(run.waitFor(180, TimeUnit.SECONDS), () -> "the run did not stop in 180 s after SIG" + signal
                        + ": " + StandaloneClusterTest.read(log));
            } finally {
                end(run);
            }
            String text = StandaloneClusterTest.read(log);
            assertEquals(signal.equals("TERM") ? 143 : 130, run.exitValue(), text);
            assertArrayEquals(good, Files.readAllBytes(out.resolve("model.sptr")),
                    "SIG" + signal + ": the good model in --out is left byte for byte");
            assertTrue(Files.exists(out.resolve("checkpoint.sptr")), "SIG" + signal + ": the checkpoint is kept");
            assertTrue(!text.contains("model written to"), () -> "SIG" + signal + ": no model is written:\n" + text);
        }
    }

    /**
     * A Spark Worker daemon killed (its executor goes with it) while the run needs both slots (issue 14, "Fewer
     * slots than workers"): Spark waits a bounded time for the slot (shortened here), then the run stops with exit 1,
     * a message naming the shortage and --resume, and the checkpoint kept. On the restarted cluster the same command
     * with {@code --resume} ends with the uninterrupted run's bits.
     */
    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aLostWorkerStopsTheRunWithItsCheckpointAndResumeOnTheRestartedClusterGivesTheSameBits(@TempDir Path tmp)
            throws Exception {
        Path whole = uninterrupted();
        Path out = tmp.resolve("worker-lost");
        Files.createDirectories(out);
        Path log = tmp.resolve("worker-lost.log");
        ProcessBuilder pb = command(log, train(out));
        pb.environment().put("SPARKTRAIN_JAVA_OPTS", pb.environment().get("SPARKTRAIN_JAVA_OPTS")
                + " -Dspark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures=5");
        Process run = pb.start();
        try {
            waitForEpoch2(run, out.resolve("checkpoint.sptr"), log);
            long worker = Long.parseLong(Files.readString(ROOT.resolve("runs/cluster/worker-2.pid")).trim());
            assertTrue(ProcessHandle.of(worker).map(ProcessHandle::destroyForcibly).orElse(false),
                    "SIGKILL to worker " + worker);
            assertTrue(run.waitFor(540, TimeUnit.SECONDS), () -> "the run did not stop in 540 s after its worker was"
                    + " lost: " + StandaloneClusterTest.read(log));
        } finally {
            end(run);
        }
        String text = StandaloneClusterTest.read(log);
        assertEquals(1, run.exitValue(), text);
        assertTrue(text.contains("fewer task slots") && text.contains("--resume"),
                () -> "no message naming the shortage and --resume:\n" + text);
        assertTrue(Files.exists(out.resolve("checkpoint.sptr")), "the checkpoint is kept");
        assertTrue(!Files.exists(out.resolve("model.sptr")), "a stopped run writes no model");

        Path restart = clusterLogs.resolve("restart.log");
        assertEquals(0, sh(restart, 90, "scripts/cluster", "stop"), () -> StandaloneClusterTest.read(restart));
        assertEquals(0, sh(restart, 300, "scripts/cluster", "start", "2", "1"), () -> StandaloneClusterTest.read(restart));
        Path resumedLog = tmp.resolve("resumed.log");
        List<String> resume = new ArrayList<>(List.of(train(out)));
        resume.add("--resume");
        int status = sh(resumedLog, 540, resume.toArray(new String[0]));
        assertEquals(0, status, () -> StandaloneClusterTest.read(resumedLog));
        ModelContents a = ModelFile.load(whole.resolve("model.sptr"));
        ModelContents b = ModelFile.load(out.resolve("model.sptr"));
        assertArrayEquals(bits(a.params()), bits(b.params()), "parameters after a lost worker and --resume");
        assertArrayEquals(bits(a.state()), bits(b.state()), "BatchNorm statistics after a lost worker and --resume");
    }

    /** Waits until the run's checkpoint is one written inside epoch 2. */
    static void waitForEpoch2(Process run, Path checkpoint, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(400);
        while (System.nanoTime() < deadline) {
            assertTrue(run.isAlive(), () -> "the run ended before epoch 2 began: " + StandaloneClusterTest.read(log));
            if ("2".equals(partialEpoch(checkpoint))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no checkpoint inside epoch 2 within 400 s: " + StandaloneClusterTest.read(log));
    }

    static String epochLines(String log) {
        return String.join("\n", log.lines().filter(l -> l.startsWith("epoch ") || l.startsWith("prepared ")
                || l.startsWith("test accuracy")).map(l -> "    " + l).toList());
    }

    /** The test metrics JSON's accuracy and loss as written (all their digits). */
    static String testMetrics(Path out) throws Exception {
        String json = Files.readString(out.resolve("test.json"));
        Matcher acc = Pattern.compile("\"accuracy\":([-0-9.eE]+)").matcher(json);
        Matcher loss = Pattern.compile("\"(?:log_?[lL]oss|loss)\":([-0-9.eE]+)").matcher(json);
        assertTrue(acc.find() && loss.find(), json);
        return "accuracy " + acc.group(1) + " loss " + loss.group(1);
    }

    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    /**
     * Waits until the run's checkpoint is one written inside epoch 2 ({@code --checkpoint-every}: the epoch is under
     * way and task 0 has handed a state over), then SIGKILLs one executor JVM of this cluster. Returns what it killed.
     */
    static String killAnExecutorInEpoch2(Process run, Path checkpoint, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(400);
        while (System.nanoTime() < deadline) {
            assertTrue(run.isAlive(), () -> "the run ended before epoch 2 began: " + StandaloneClusterTest.read(log));
            String partial = partialEpoch(checkpoint);
            if ("2".equals(partial)) {
                List<Long> executors = executorPids();
                assertEquals(2, executors.size(), "this cluster's executor JVMs: " + executors);
                long pid = executors.get(executors.size() - 1);
                ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
                assertTrue(h.destroyForcibly(), "SIGKILL to executor " + pid);
                return "executor JVM " + pid + " killed (SIGKILL) after the checkpoint of epoch 2's round "
                        + rounds(checkpoint);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no checkpoint inside epoch 2 within 400 s: " + StandaloneClusterTest.read(log));
    }

    static String partialEpoch(Path checkpoint) {
        return org.sparktrain.driver.bench.ClusterProcesses.partialEpoch(checkpoint);
    }

    static String rounds(Path checkpoint) {
        try {
            return ModelFile.load(checkpoint).provenance().get("checkpoint.partial.rounds");
        } catch (Exception e) {
            return "?";
        }
    }

    /** PIDs of the executor JVMs of this worktree's cluster's newest application, ascending. */
    static List<Long> executorPids() {
        return org.sparktrain.driver.bench.ClusterProcesses.executorPids(ROOT);
    }
}
