package org.sparktrain.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.barrier.RecordingProxy;
import org.sparktrain.driver.barrier.TestPorts;
import org.sparktrain.driver.barrier.WireSearch;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;

/**
 * Issue 14, "The ring keeps Spark's promises", on a real standalone cluster (scripts/cluster with
 * SPARKTRAIN_CLUSTER_SECRET: its daemons authenticate and encrypt their RPC; 2 workers of 1 core, one executor JVM
 * each): the same small run with Spark's RPC encryption on ({@code spark.authenticate=true}, the secret,
 * {@code spark.network.crypto.enabled=true}) and off. The executors' ring advertises 127.0.0.3 while it listens on
 * 127.0.0.1, and a {@link RecordingProxy} in this JVM on 127.0.0.3 forwards every ring connection and records its
 * bytes: what a tap between the two executors sees. With encryption the driver says the ring is encrypted and the
 * captured bytes hold no run of four consecutive floats of the final parameters (or of their double, the last
 * round's sum of two workers) in either byte order; without it the same search finds tens of thousands (so it would
 * find a leak); both runs end with the same parameters, bit for bit, and the same test accuracy and loss.
 */
class EncryptedClusterTest {
    static final Path ROOT = StandaloneClusterTest.ROOT;
    static final Path FMNIST = StandaloneClusterTest.FMNIST;
    static final String PORT = "7179";
    static final String MASTER = "spark://127.0.0.1:" + PORT;
    /** The address the ring advertises; nothing listens there but the proxies. */
    static final String TAP = "127.0.0.3";

    static Path clusterLogs;
    static String secret;

    @BeforeAll
    static void startCluster() throws Exception {
        clusterLogs = StandaloneClusterTest.logDirectoryIfReady("sparktrain-cluster-encrypted");
        byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        secret = HexFormat.of().formatHex(key);
        Path log = clusterLogs.resolve("cluster.log");
        ProcessBuilder pb = ExecutorKillClusterTest.command(PORT, log, "scripts/cluster", "start", "2", "1");
        pb.environment().put("SPARKTRAIN_CLUSTER_SECRET", secret);
        assertEquals(0, ExecutorKillClusterTest.run(pb, log, 300), () -> StandaloneClusterTest.read(log));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (clusterLogs != null) {
            Path log = clusterLogs.resolve("stop.log");
            ExecutorKillClusterTest.run(ExecutorKillClusterTest.command(PORT, log, "scripts/cluster", "stop"), log, 90);
        }
    }

    /** One run's directory, log and the bytes its ring's connections carried. */
    record Run(Path out, String log, List<byte[]> wire, int connections) {
    }

    /** mlp on 3,000 rows, 1 epoch, 2 workers, averaging every 10 steps (5 rounds), with Spark's encryption on or off. */
    static Run train(Path dir, boolean encrypt) throws Exception {
        Path out = dir.resolve(encrypt ? "encrypted" : "plain");
        Files.createDirectories(out);
        Path log = dir.resolve((encrypt ? "encrypted" : "plain") + ".log");
        int port = TestPorts.twoFree();
        // task r listens on 127.0.0.1:port + r (ExecutorKillClusterTest's runs use ephemeral ports) and its partner
        // dials TAP:port + r, where a proxy forwards it
        try (RecordingProxy p0 = new RecordingProxy(TAP, port, "127.0.0.1:" + port);
             RecordingProxy p1 = new RecordingProxy(TAP, port + 1, "127.0.0.1:" + (port + 1))) {
            ProcessBuilder pb = ExecutorKillClusterTest.command(PORT, log, "scripts/sparktrain", "train", "-v",
                    "--model", "conf/models/mlp.yaml", "--data", FMNIST.toString(), "--master", MASTER,
                    "--workers", "2", "--epochs", "1", "--limit-train", "3000", "--averaging-frequency", "10",
                    "--out", out.toString(), "--metrics-out", out.resolve("test.json").toString());
            pb.environment().put("SPARKTRAIN_JAVA_OPTS", "-Xmx2g -Dspark.authenticate=true"
                    + " -Dspark.authenticate.secret=" + secret + " -Dspark.network.crypto.enabled=" + encrypt
                    + " -Dspark.sparktrain.allreduce.ports=" + port + "-" + (port + 1)
                    + " -Dspark.sparktrain.allreduce.bindAddress=127.0.0.1 -Dspark.sparktrain.allreduce.host=" + TAP);
            int status = ExecutorKillClusterTest.run(pb, log, 540);
            String text = StandaloneClusterTest.read(log);
            assertEquals(0, status, text);
            List<byte[]> wire = new java.util.ArrayList<>(p0.captured());
            wire.addAll(p1.captured());
            return new Run(out, text, wire, p0.connections() + p1.connections());
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void withSparksEncryptionTheRingsBytesAreEncryptedAndTheRunLearnsThePlainRunsBits(@TempDir Path tmp)
            throws Exception {
        Run sealed = train(tmp, true);
        Run plain = train(tmp, false);
        assertTrue(sealed.log().contains("traffic is encrypted (AES-256-GCM") && sealed.log()
                .contains("spark.network.crypto.enabled=true"), "the driver says the ring is encrypted:\n"
                + sealed.log());
        assertTrue(plain.log().contains("traffic is not encrypted"), plain.log());
        assertTrue(sealed.connections() >= 1 && plain.connections() >= 1,
                "the ring's connections went through the proxies: " + sealed.connections() + ", "
                        + plain.connections());

        ModelContents a = ModelFile.load(plain.out().resolve("model.sptr"));
        ModelContents b = ModelFile.load(sealed.out().resolve("model.sptr"));
        assertArrayEquals(ExecutorKillClusterTest.bits(a.params()), ExecutorKillClusterTest.bits(b.params()),
                "parameters with and without encryption");
        assertArrayEquals(ExecutorKillClusterTest.bits(a.state()), ExecutorKillClusterTest.bits(b.state()),
                "network state with and without encryption");
        assertEquals(ExecutorKillClusterTest.testMetrics(plain.out()), ExecutorKillClusterTest.testMetrics(sealed.out()),
                "test accuracy and loss, all digits");

        // the last round's all-gather carries the sum of the two workers' vectors, whose parameters are twice the
        // final ones (exactly: halving a float is exact); a round where one worker alone had a minibatch, the final
        // ones themselves
        float[] twice = a.params().clone();
        for (int i = 0; i < twice.length; i++) {
            twice[i] *= 2;
        }
        Set<WireSearch.Window> runs = WireSearch.runsOfFour(a.params(), twice);
        long plainBytes = plain.wire().stream().mapToLong(x -> x.length).sum();
        long sealedBytes = sealed.wire().stream().mapToLong(x -> x.length).sum();
        int inClear = WireSearch.occurrences(plain.wire(), runs);
        int inSealed = WireSearch.occurrences(sealed.wire(), runs);
        System.out.printf("EncryptedClusterTest: %d connection(s), %d bytes captured in clear, %d runs of the final"
                + " parameters found; encrypted: %d connection(s), %d bytes, %d runs%n", plain.connections(),
                plainBytes, inClear, sealed.connections(), sealedBytes, inSealed);
        assertTrue(inClear > 10_000, "the search finds the parameters on a plain ring: " + inClear);
        assertTrue(sealedBytes >= plainBytes, "the encrypted ring carried at least the plain one's bytes: "
                + sealedBytes + " < " + plainBytes);
        assertEquals(0, inSealed, "runs of the final parameters' floats on the encrypted ring's wire");
    }
}
