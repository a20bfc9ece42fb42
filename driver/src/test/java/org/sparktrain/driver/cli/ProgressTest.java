package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    }
}
