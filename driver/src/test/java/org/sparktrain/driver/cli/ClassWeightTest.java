package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --class-weight}: the loss weighted per class instead of up-sampling (docs/architecture.md, Conventions). */
class ClassWeightTest {

    @Test
    void balancedWeightsGiveEveryClassTheSameTotalWeight(@TempDir Path dir) throws Exception {
        Path train = dir.resolve("train.csv");
        CsvTrainingTest.writeCsv(train, 500, 7); // about 1 in 5 rows positive
        long positives = Files.readAllLines(train).stream().skip(1).filter(l -> l.split(",")[2].equals("1")).count();
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, CsvTrainingTest.SPEC);
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", train.toString(),
                "--label-col", "target", "--scale", "zscore", "--class-weight", "balanced", "--workers", "2",
                "--out", dir.resolve("run").toString());
        assertEquals(0, r.status(), r.err() + r.out());
        Matcher m = Pattern.compile("class weights \\(balanced\\): \\[([0-9.]+), ([0-9.]+)\\]").matcher(r.out());
        assertTrue(m.find(), r.out());
        double w0 = Double.parseDouble(m.group(1));
        double w1 = Double.parseDouble(m.group(2));
        // N / (2 n_c): each class's rows carry half the total weight
        assertEquals(500.0 / (2 * (500 - positives)), w0, 1e-6);
        assertEquals(500.0 / (2 * positives), w1, 1e-6);
    }

    @Test
    void aWeightListOfTheWrongLengthIsRefusedBeforeAnythingIsRead(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, CsvTrainingTest.SPEC);
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", dir.resolve("none.csv")
                .toString(), "--class-weight", "1,2,3");
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().contains("--class-weight gives 3 weights for the 2 classes of " + spec), r.err());
        MainTest.Result bad = MainTest.run("train", "--model", spec.toString(), "--data", "x.csv", "--class-weight",
                "heavy");
        assertTrue(bad.err().contains("--class-weight must be balanced or one weight >= 0 per class"), bad.err());
    }
}
