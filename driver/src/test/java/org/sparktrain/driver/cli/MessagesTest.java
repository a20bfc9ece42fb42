package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages count the way the output does: rows from 1 (a CSV's line as an editor shows it, an IDX file's example),
 * folds from 1 as evaluate's table; a hint names the flag, not the Java option.
 */
class MessagesTest {
    @Test
    void aBadRowIsCountedFromOneAndTheHintNamesTheFlag(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, MainTest.SPEC);
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 20, 4, 3, 1);
        // the 5th example's label (byte 8 + 4 of the labels file) is outside the 3 classes
        Path labels = data.resolve("train-labels-idx1-ubyte");
        byte[] b = Files.readAllBytes(labels);
        b[8 + 4] = 7;
        Files.write(labels, b);
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(), "--out",
                dir.resolve("o").toString(), "--test-fraction", "0");
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("example 5 (the first example is 1)"), r.err());
        assertTrue(r.err().contains("--drop-bad-rows") && !r.err().contains("read with dropBadRows"), r.err());

        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "label,a\n0,1\n1,2\n2,x\n");
        Path spec1 = dir.resolve("one.yaml");
        Files.writeString(spec1, MainTest.SPEC.replace("input: [16]", "input: [1]"));
        r = MainTest.run("train", "--model", spec1.toString(), "--data", csv.toString(), "--out",
                dir.resolve("o").toString());
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("line 4"), r.err()); // the header is line 1, the bad row the third data row
    }

    @Test
    void anEmptyFoldIsCountedFromOne(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, MainTest.SPEC.replace("input: [16]", "input: [1]"));
        Path csv = dir.resolve("three.csv");
        Files.writeString(csv, "label,a\n0,1\n1,2\n2,3\n");
        MainTest.Result r = MainTest.run("evaluate", "--out", dir.resolve("eval5").toString(),
                "--model", spec.toString(), "--data", csv.toString(),
                "--folds", "4", "--epochs", "1", "--workers", "1", "--parallel-folds", "1");
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().matches("(?s).*part of fold [1-4] .*"), r.err());
        assertFalse(r.err().contains("fold 0"), r.err());
    }
}
