package org.sparktrain.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.bench.DataScaleBench;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;

/**
 * Training data twice the JVM's heap (a CSV of 264,000 rows × 1,024 features, 1.08 GB as floats; the run's
 * heap 512 MB): {@code scripts/sparktrain train} on local[2] trains to the end, with the same parameters,
 * bit for bit, as the same run with a 6 GB heap (the data then cached in memory). A run that cannot fit
 * (a shuffle window as large as a worker's rows) ends with one out-of-memory message naming what to raise,
 * exit status 1, and the model of the earlier run in its --out left as it was.
 */
class LargerThanHeapTest {
    static final int ROWS = 264_000;
    static final int FEATURES = 1024;
    static final String SPEC = """
            name: wide
            input: [1024]
            classes: 4
            layers:
              - {type: dense, units: 16, activation: relu}
              - {type: dense, units: 4, activation: softmax}
            optimizer: {type: adam, lr: 0.001}
            training: {batch_size: 64, epochs: 1, seed: 5}
            """;

    @TempDir
    static Path dir;
    static Path csv;
    static Path spec;

    @BeforeAll
    static void writeData() throws Exception {
        // the CSV (1.0 GB) and Spark's on-disk copies of it (about 1.1 GB per run) go to the temporary directory
        Assumptions.assumeTrue(Files.getFileStore(dir).getUsableSpace() > (5L << 30),
                "needs 5 GB free in the temporary directory, " + dir + " has less");
        csv = dir.resolve("wide.csv");
        spec = dir.resolve("wide.yaml");
        Files.writeString(spec, SPEC);
        DataScaleBench.writeCsv(csv, ROWS, FEATURES, 4); // integers 0-255, shifted by the label
    }

    record Run(int status, String out) {
    }

    static Run train(String heap, Path out, String... extra) throws Exception {
        Path log = Files.createTempFile(dir, "run", ".log");
        List<String> cmd = Stream.concat(Stream.of("scripts/sparktrain", "train", "--model", spec.toString(), "--data",
                csv.toString(), "--scale", "zscore", "--workers", "2", "--master", "local[2]", "--out", out.toString(),
                // no held-out test set: every row trains where it was read, the path whose memory this test holds
                "--test-fraction", "0"),
                Stream.of(extra)).collect(Collectors.toList());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(StandaloneClusterTest.ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARKTRAIN_SKIP_BUILD", "1");
        pb.environment().put("SPARKTRAIN_CDS", "0");
        pb.environment().putAll(Map.of("SPARKTRAIN_JAVA_OPTS", "-Xmx" + heap));
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("train with -Xmx" + heap + " did not finish in 300 s:\n" + Files.readString(log));
        }
        return new Run(p.exitValue(), Files.readString(log));
    }

    static float[] params(Path model) throws Exception {
        try (InputStream in = Files.newInputStream(model)) {
            ModelContents m = ModelFile.read(in, model.toString());
            return m.params();
        }
    }

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void dataTwiceTheHeapTrainsToTheSameBitsAndAnOutOfMemoryRunSaysSo() throws Exception {
        assertTrue((long) ROWS * FEATURES * 4 > 2L * 512 * 1024 * 1024, "the data is twice the small heap");
        Path small = dir.resolve("small-heap");
        Run s = train("512m", small);
        assertEquals(0, s.status(), s.out());
        assertTrue(s.out().contains("stored on disk"), "the stored blocks spill to disk at 512 MB:\n" + s.out());
        assertTrue(s.out().contains("epoch 1/1"), s.out());
        Path large = dir.resolve("large-heap");
        Run l = train("6g", large);
        assertEquals(0, l.status(), l.out());
        assertTrue(l.out().contains("stored in memory"), "the data is cached in memory at 6 GB:\n" + l.out());
        float[] a = params(small.resolve("model.sptr"));
        float[] b = params(large.resolve("model.sptr"));
        assertArrayEquals(b, a, "the same parameters, bit for bit, whatever the memory");

        // A run that must hold a whole worker's rows at once runs out of memory: one message, exit 1, and
        // the model already in --out is left as it was.
        String before = hash(small);
        Run oom = train("512m", small, "--shuffle-window", "100000000");
        assertEquals(1, oom.status(), oom.out());
        assertTrue(oom.out().contains("sparktrain: ran out of memory"), oom.out());
        assertTrue(oom.out().contains("SPARKTRAIN_JAVA_OPTS") && oom.out().contains("spark.executor.memory"), oom.out());
        assertFalse(oom.out().contains("interrupted"), oom.out());
        assertFalse(oom.out().contains("internal error"), oom.out());
        assertEquals(before, hash(small), "model.sptr untouched");
    }

    static String hash(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        if (!Files.exists(p)) {
            return "";
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted().toList()) {
                if (Files.isRegularFile(q) && q.getFileName().toString().equals("model.sptr")) {
                    md.update(q.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                    md.update(Files.readAllBytes(q));
                }
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
