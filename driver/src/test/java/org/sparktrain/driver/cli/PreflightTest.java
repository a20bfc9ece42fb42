package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mistakes found before Spark starts: one message naming the spec file or the flag, a non-zero exit, nothing
 * written. The data paths are left broken where the check under test comes first: a command that got as far as
 * reading would fail on them instead.
 */
class PreflightTest {
    static MainTest.Result run(String... args) {
        return MainTest.run(args);
    }

    @Test
    void aSpecWithoutAnOptimizerFailsNamingTheSpecBeforeAnythingIsRead(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("no-optimizer.yaml");
        Files.writeString(spec, MainTest.SPEC.replace("optimizer: {type: adam, lr: 0.01}\n", "optimizer: {}\n"));
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 30, 4, 3, 1);
        Path out = dir.resolve("run");
        MainTest.Result r = run("train", "--model", spec.toString(), "--data", data.toString(), "--out", out.toString());
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains(spec.toString()) && r.err().contains("optimizer"), r.err());
        assertFalse(r.out().contains("prepared"), r.out());
        assertFalse(Files.exists(out));

        Files.writeString(spec, MainTest.SPEC.replace("optimizer: {type: adam, lr: 0.01}\n",
                "optimizer: {type: adam, lr: 0.01}\nregularization: {l3: 1}\n"));
        r = run("evaluate", "--model", spec.toString(), "--data", dir.resolve("missing").toString());
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains(spec.toString()) && r.err().contains("l3"), r.err());
    }

    @Test
    void anOutThatIsAFileOrCannotBeMadeIsNamed(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, MainTest.SPEC);
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 30, 4, 3, 1);
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        MainTest.Result r = run("train", "--model", spec.toString(), "--data", data.toString(), "--out", file.toString());
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().contains("--out " + file) && r.err().contains("is a file"), r.err());
        assertEquals("x", Files.readString(file));
        r = run("train", "--model", spec.toString(), "--data", data.toString(), "--out",
                file.resolve("run").toString());
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().contains("--out " + file.resolve("run")), r.err());
        r = run("train", "--model", spec.toString(), "--data", data.toString(), "--out", dir.resolve("o").toString(),
                "--metrics-out", dir.toString());
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().contains("--metrics-out " + dir) && r.err().contains("is a directory"), r.err());
        assertFalse(Files.exists(dir.resolve("o")));
    }

    @Test
    void missingInputsAreNamedByTheirFlag(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, MainTest.SPEC);
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 30, 4, 3, 1);
        Path missing = dir.resolve("missing");
        MainTest.Result r = run("train", "--model", spec.toString(), "--data", missing.toString());
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().contains("--data " + missing + ": no such file"), r.err());
        r = run("train", "--model", spec.toString(), "--data", data.toString(), "--test", missing.toString(),
                "--out", dir.resolve("o").toString());
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().contains("--test " + missing + ": no such file"), r.err());
        assertFalse(Files.exists(dir.resolve("o")));
        r = run("evaluate", "--model", spec.toString(), "--data", missing.toString());
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().contains("--data " + missing), r.err());
        r = run("score", "--model-file", missing.toString(), "--data", data.toString(), "--out",
                dir.resolve("scores").toString());
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().contains("--model-file " + missing + ": no such file"), r.err());
        Path existing = Files.createDirectories(dir.resolve("scores"));
        r = run("score", "--model-file", spec.toString(), "--data", data.toString(), "--out", existing.toString());
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().contains("--out " + existing + " exists already"), r.err());
    }
}
