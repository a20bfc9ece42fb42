package org.sparktrain.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts' class-data-sharing archive (scripts/lib.sh, java_cds): the first Spark run writes it, later
 * runs load the project's classes from it, and a damaged archive, a failed run or SPARKTRAIN_CDS=0 change
 * nothing a user sees.
 */
class ClassSharingTest {
    static final Path ROOT = StandaloneClusterTest.ROOT;

    record Run(int status, String out) {
    }

    static Run sparktrain(Path cds, Map<String, String> env, String... args) throws Exception {
        Path out = Files.createTempFile("sparktrain-cds", ".out");
        try {
            List<String> cmd = Stream.concat(Stream.of("scripts/sparktrain"), Stream.of(args)).collect(Collectors.toList());
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(out.toFile());
            pb.environment().put("SPARKTRAIN_SKIP_BUILD", "1");
            pb.environment().put("SPARKTRAIN_CDS_DIR", cds.toString());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("scripts/sparktrain " + String.join(" ", args) + " did not finish in 120 s");
            }
            return new Run(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static List<Path> archives(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().collect(Collectors.toList());
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aSparkRunWritesTheArchiveLaterRunsLoadFromItAndADamagedOneIsIgnored(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.exists(StandaloneClusterTest.FMNIST.resolve("train-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        assertTrue(Files.exists(ROOT.resolve("driver/target/lib")), "the driver module must be packaged first");
        Assumptions.assumeTrue(Files.getFileStore(tmp).getUsableSpace() > (2L << 30),
                "less than 2 GB free for the temporary directory: the scripts write no archive without 1 GB free");
        Path cds = tmp.resolve("cds");

        // a run that starts no Spark writes nothing
        Run help = sparktrain(cds, Map.of(), "--help");
        assertEquals(0, help.status(), help.out());
        assertTrue(help.out().contains("usage: sparktrain"), help.out());
        assertEquals(List.of(), archives(cds));

        // a failed run writes no archive and keeps its exit status
        Run failed = sparktrain(cds, Map.of(), "train", "--no-such-flag");
        assertEquals(2, failed.status(), "a wrong command line exits 2, through the archive-writing path too");
        assertEquals(List.of(), archives(cds));

        // the first Spark run writes it as it exits
        Run train = sparktrain(cds, Map.of(), "train", "--model", "conf/models/mlp.yaml", "--data",
                StandaloneClusterTest.FMNIST.toString(), "--limit-train", "600", "--epochs", "1", "--master", "local[2]",
                "--out", tmp.resolve("out").toString());
        assertEquals(0, train.status(), train.out());
        assertTrue(train.out().contains("test accuracy"), train.out());
        assertFalse(train.out().contains("[warning]") || train.out().contains("shared archive")
                || train.out().contains("Error occurred"), "the JVM's archive messages stay off stdout: " + train.out());
        List<Path> written = archives(cds);
        assertEquals(1, written.size(), () -> "one archive, no temporary file left: " + written);
        assertTrue(written.get(0).getFileName().toString().matches("sparktrain-\\d+\\.jsa"), written.toString());

        // the next run maps the project's classes from it (the JVM's class-load log says where from)
        Path log = tmp.resolve("load.txt");
        Run shared = sparktrain(cds, Map.of("SPARKTRAIN_JAVA_OPTS", "-Xmx512m -Xlog:class+load=info:file=" + log),
                "--help");
        assertEquals(0, shared.status());
        assertEquals(help.out(), shared.out());
        String main = Files.readAllLines(log).stream().filter(l -> l.contains(" org.sparktrain.driver.cli.Main "))
                .findFirst().orElseThrow(() -> new AssertionError("Main is not in the class-load log"));
        assertTrue(main.contains("shared objects file"), main);
        assertEquals(written, archives(cds), "an existing archive is used, not rewritten");

        // a damaged archive: the JVM refuses it silently and the run is the same
        Files.write(written.get(0), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Run damaged = sparktrain(cds, Map.of(), "--help");
        assertEquals(0, damaged.status());
        assertEquals(help.out(), damaged.out());

        // SPARKTRAIN_CDS=0: no archive at all
        Path off = tmp.resolve("off");
        Run plain = sparktrain(off, Map.of("SPARKTRAIN_CDS", "0"), "train", "--model", "conf/models/mlp.yaml",
                "--data", StandaloneClusterTest.FMNIST.toString(), "--limit-train", "600", "--epochs", "1",
                "--master", "local[2]", "--out", tmp.resolve("out2").toString());
        assertEquals(0, plain.status(), plain.out());
        assertFalse(Files.exists(off));
    }
}
