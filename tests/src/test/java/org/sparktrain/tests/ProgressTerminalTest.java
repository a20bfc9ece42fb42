package org.sparktrain.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress line as users see it (docs/architecture.md, "Progress"): in a pseudo-terminal (util-linux
 * {@code script}) it redraws in place with carriage returns and is cleared before the next line; in a pipe the same
 * run prints no carriage return.
 */
class ProgressTerminalTest {
    static final Path ROOT = StandaloneClusterTest.ROOT;

    static String run(List<String> cmd) throws Exception {
        Path out = Files.createTempFile("sparktrain-progress", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(out.toFile());
            pb.environment().put("SPARKTRAIN_SKIP_BUILD", "1");
            pb.environment().put("SPARKTRAIN_CDS", "0");
            Process p = pb.start();
            if (!p.waitFor(150, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " did not finish in 150 s");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), text);
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void redrawnInATerminalPlainInAPipe(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")),
                "util-linux's script (a pseudo-terminal) is not installed");
        assertTrue(Files.exists(ROOT.resolve("driver/target/lib")), "the driver module must be packaged first");
        Path csv = tmp.resolve("rows.csv");
        StringBuilder sb = new StringBuilder("a,b,label\n");
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < 100_000; i++) {
            int y = r.nextInt(2);
            sb.append(r.nextDouble() + y).append(',').append(r.nextDouble()).append(',').append(y).append('\n');
        }
        Files.writeString(csv, sb.toString());
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, """
                name: progress
                input: [2]
                classes: 2
                layers:
                  - {type: dense, units: 8, activation: relu}
                  - {type: dense, units: 2, activation: softmax}
                optimizer: {type: adam, lr: 0.01}
                training: {batch_size: 32, epochs: 2, seed: 1}
                """);
        String args = "scripts/sparktrain train --model " + spec + " --data " + csv + " --workers 2 --out ";

        String tty = run(List.of("/usr/bin/script", "-qefc", args + tmp.resolve("tty"), "/dev/null"));
        // a fresh JVM's read takes well over the 250 ms between redraws
        assertTrue(tty.contains("\rreading: "), "the read's line, redrawn: " + tty);
        int clear = tty.indexOf("\r" + " ".repeat(9));
        assertTrue(clear > 0 && tty.indexOf("prepared ", clear) > clear, "cleared before the next line: " + tty);
        assertTrue(tty.contains("epoch 2/2  loss"), tty);

        String pipe = run(List.of("scripts/sparktrain", "train", "--model", spec.toString(), "--data", csv.toString(),
                "--workers", "2", "--out", tmp.resolve("pipe").toString()));
        assertFalse(pipe.contains("\r"), "no carriage return in a pipe: " + pipe);
        assertTrue(pipe.contains("epoch 2/2  loss"), pipe);
    }
}
