package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train} on data without a test set holds out a stratified test fraction and ends with test metrics. */
class TestFractionTest {
    static final String SPEC = CsvTrainingTest.SPEC.replace("epochs: 4", "epochs: 1");

    static long number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in:\n" + text);
        return Long.parseLong(m.group(1));
    }

    @Test
    void aCsvWithoutTestHoldsOutTenPercentAndWritesMetrics(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("train.csv");
        CsvTrainingTest.writeCsv(csv, 400, 1);
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, SPEC);
        Path out = dir.resolve("run");
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", csv.toString(), "--label-col",
                "target", "--scale", "zscore", "--workers", "2", "--out", out.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("holding out a stratified 10% of its rows as the test set"), r.out());
        long test = number(r.out(), "test set: (\\d+) rows held out");
        long train = number(r.out(), "prepared (\\d+) training rows");
        assertEquals(400, train + test, r.out());
        assertTrue(test >= 38 && test <= 42, r.out());
        assertTrue(r.out().contains("(" + test + " examples)") && r.out().contains("test accuracy"), r.out());
        assertTrue(Files.readString(out.resolve("metrics.json")).contains("\"accuracy\""));

        // with --validation too: three disjoint parts, the validation share taken of what the test leaves
        Path out2 = dir.resolve("run2");
        r = MainTest.run("train", "--model", spec.toString(), "--data", csv.toString(), "--label-col", "target",
                "--validation", "0.25", "--test-fraction", "0.2", "--workers", "2", "--out", out2.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        test = number(r.out(), "test set: (\\d+) rows held out");
        long val = number(r.out(), "training examples, (\\d+) for validation");
        train = number(r.out(), "prepared (\\d+) training rows");
        assertEquals(400, train + val + test, r.out());
        assertTrue(test >= 78 && test <= 82 && val >= 78 && val <= 82, r.out());
        assertTrue(r.out().contains("val_acc") && r.out().contains("test accuracy"), r.out());
    }

    @Test
    void testFractionZeroOptsOutWithAWarning(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("train.csv");
        CsvTrainingTest.writeCsv(csv, 200, 1);
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, SPEC);
        Path out = dir.resolve("run");
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", csv.toString(), "--label-col",
                "target", "--test-fraction", "0", "--workers", "2", "--out", out.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.err().contains("--test-fraction 0 and no --test"), r.err());
        assertEquals(200, number(r.out(), "prepared (\\d+) training rows"));
        assertFalse(Files.exists(out.resolve("metrics.json")));
        r = MainTest.run("train", "--model", spec.toString(), "--data", csv.toString(), "--test-fraction", "1");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--test-fraction must be a fraction in [0, 1)"), r.err());
    }
}
