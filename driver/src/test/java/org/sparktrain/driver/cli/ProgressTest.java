package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first line names the command, spec and data before Spark starts; preparation says what it is doing. */
class ProgressTest {
    @Test
    void aStartUpLineBeforeSparkAndTheReadAnnounced(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 60, 4, 3, 1);
        TinyIdx.write(data, "t10k", 30, 4, 3, 2);
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, MainTest.SPEC);
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(), "--epochs",
                "1", "--out", dir.resolve("run").toString());
        assertEquals(0, r.status(), r.err());
        String first = r.out().lines().findFirst().orElse("");
        assertTrue(first.startsWith("sparktrain train: tiny (" + spec + ") on " + data + "; starting Spark ("), first);
        int reading = r.out().indexOf("reading and validating " + data + " ...");
        int prepared = r.out().indexOf("prepared ");
        assertTrue(reading > 0 && prepared > reading, r.out());
        // not a console and every phase shorter than 10 s: no progress line, no carriage return
        assertFalse(r.out().contains("\r") || r.out().contains("epoch 1/1: ")
                || r.out().contains("reading: "), r.out());

    }

    private static final long S = 1_000_000_000L;

    @Test
    void onAConsoleTheLineRedrawsInPlaceAndIsCleared() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long[] now = {0};
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, () -> now[0]);
        p.begin();
        p.tick("epoch 1/3: 1 s");
        now[0] = S / 4;
        p.tick("epoch 1/3: ~50% (10 s of ~20 s)");
        p.tick("epoch 1/3: 11 s"); // shorter: the rest of the longer line is blanked
        p.clear();
        String pad = " ".repeat("epoch 1/3: ~50% (10 s of ~20 s)".length() - "epoch 1/3: 11 s".length());
        assertEquals("\repoch 1/3: 1 s" + "\repoch 1/3: ~50% (10 s of ~20 s)" + "\repoch 1/3: 11 s" + pad
                + "\r" + " ".repeat("epoch 1/3: 11 s".length()) + "\r", bytes.toString(StandardCharsets.UTF_8));
        assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("\n"), "no new lines on a console");
    }

    @Test
    void elsewhereAPlainLineAtMostEveryTenSecondsAndNoneForShortPhases() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long[] now = {100 * S};
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, () -> now[0]);
        p.begin();
        for (int s = 1; s <= 25; s++) { // a tick a second, as the phase's thread does
            now[0] = (100 + s) * S;
            p.tick("at " + s + " s");
        }
        p.clear();
        assertEquals("at 10 s\nat 20 s\n", bytes.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
        bytes.reset();
        p.begin();
        now[0] += 9 * S;
        p.tick("short");
        p.clear();
        assertEquals("", bytes.toString(StandardCharsets.UTF_8), "a phase under 10 s prints nothing");
    }

    @Test
    void theChoiceFollowsTheOutput() {
        // a command printing anywhere but this JVM's console gets plain lines (tests, pipes, CI logs)
        assertFalse(Progress.forOutput(new PrintStream(new ByteArrayOutputStream())).console());
        assertEquals(System.console() != null, Progress.forOutput(System.out).console());
        PrintStream o = new PrintStream(new ByteArrayOutputStream());
        // under CI a log gets nothing extra unless asked; a terminal (there is none in CI) would still redraw
        assertTrue(Progress.forOutput(o, false, java.util.Map.of("CI", "true")).off());
        assertFalse(Progress.forOutput(o, false, java.util.Map.of("CI", "true", "SPARKTRAIN_PROGRESS", "1")).off());
        assertFalse(Progress.forOutput(o, false, java.util.Map.of("CI", "false")).off());
        assertFalse(Progress.forOutput(o, false, java.util.Map.of()).off(), "a pipe or file: plain lines");
        assertFalse(Progress.forOutput(o, true, java.util.Map.of("CI", "true")).off());
        assertTrue(Progress.forOutput(o, true, java.util.Map.of("SPARKTRAIN_PROGRESS", "0")).off());
    }

    @Test
    void aPhaseThreadRedrawsUntilClosed() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, System::nanoTime);
        try (Progress.Phase phase = p.start(() -> "working")) {
            long deadline = System.nanoTime() + 10 * S;
            while (!bytes.toString(StandardCharsets.UTF_8).contains("\rworking") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }
        String o = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(o.startsWith("\rworking") && o.endsWith("\r       \r"), o);
        int after = o.length();
        Thread.sleep(600);
        assertEquals(after, bytes.toString(StandardCharsets.UTF_8).length(), "nothing once closed");
    }

    @Test
    void theLinesSayWhatIsKnown() {
        // counted 4 s into the read at 30,000 rows/s and 6.25 MB/s, shown at 5 s: 75 MB left is 12 s from the
        // count, 11 s from now
        assertEquals("reading: 120,000 rows in 5 s (30,000 rows/s), 25% of 100.0 MB, ETA 11 s",
                Progress.preparation("reading", 120_000, 25L << 20, 100L << 20, 5, 4, 30_000, 6.25 * (1 << 20)));
        assertEquals("reading: 3 s", Progress.preparation("reading", 0, 0, -1, 3, 0, 0, 0),
                "an input Spark does not count (IDX): the time only");
        assertEquals("reading: 5,000 rows in 2 s (2,500 rows/s)",
                Progress.preparation("reading", 5000, 4096, -1, 2, 2, 2500, 2048), "size unknown: no share, no ETA");
        assertEquals("reading: 5,000 rows in 2 s (2,500 rows/s), 100% of 4.0 kB",
                Progress.preparation("reading", 5000, 4096, 4096, 2, 2, 2500, 2048), "all read: no ETA");
        assertEquals("epoch 1/5: 12 s, 938 steps per worker (no earlier epoch to time it by)",
                Progress.epoch(1, 5, 12.2, 938, Double.NaN));
        assertEquals("epoch 2/5: ~45% (9 s of ~20 s), ETA ~11 s", Progress.epoch(2, 5, 9, 938, 20));
        assertEquals("epoch 3/5: 25 s, longer than the last epoch's 20 s", Progress.epoch(3, 5, 25, 938, 20));
    }
}
