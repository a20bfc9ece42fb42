package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.engine.io.FittedScaler;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;

/** The command line on CSV input: label column by name, scaling, resampling and validation inside the run. */
class CsvTrainingTest {
    static final String SPEC = """
            name: csv-mlp
            input: [4]
            classes: 2
            layers:
              - {type: dense, units: 8, activation: tanh}
              - {type: dense, units: 2, activation: softmax}
            optimizer: {type: adam, lr: 0.05}
            training: {batch_size: 16, epochs: 4, seed: 3}
            """;

    /** An imbalanced two-class CSV (about 1 in 5 positive) whose features are on very different scales. */
    static void writeCsv(Path file, int n, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder("a,b,target,c,d\n");
        for (int i = 0; i < n; i++) {
            int y = r.nextInt(5) == 0 ? 1 : 0;
            double a = r.nextGaussian() + 2 * y;
            double b = 1000 + 100 * r.nextGaussian();
            double c = 0.001 * (r.nextGaussian() - y);
            double d = r.nextDouble();
            sb.append(a).append(',').append(b).append(',').append(y).append(',').append(c).append(',').append(d)
                    .append('\n');
        }
        Files.writeString(file, sb.toString());
    }

    @Test
    void trainsOnCsvWithScalingResamplingAndValidation(@TempDir Path dir) throws Exception {
        Path train = dir.resolve("train.csv");
        Path test = dir.resolve("test.csv");
        writeCsv(train, 600, 1);
        writeCsv(test, 200, 2);
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, SPEC);
        Path out = dir.resolve("run");
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", train.toString(),
                "--test", test.toString(), "--label-col", "target", "--scale", "zscore", "--resample", "up",
                "--validation", "0.2", "--workers", "2", "--out", out.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("resampling"), r.out()); // per-class counts before -> after are reported
        assertTrue(r.out().contains("val_acc"), r.out());
        ModelContents m = ModelFile.load(out.resolve("model.sptr"));
        FittedScaler s = m.scaler().orElseThrow();
        assertEquals(FittedScaler.Kind.ZSCORE, s.kind());
        assertEquals(4, s.featureCount());
        // feature b has mean ~1000: the scaler was fitted on the data, not left at identity
        assertTrue(Math.abs(s.shift()[1] - 1000) < 50, "fitted mean of feature b: " + s.shift()[1]);
        assertTrue(r.out().contains("test accuracy"), r.out());
    }

    @Test
    void aBadCellNamesTheFileAndLine(@TempDir Path dir) throws Exception {
        Path train = dir.resolve("bad.csv");
        Files.writeString(train, "a,b,target,c,d\n1,2,0,3,4\n1,x,1,3,4\n");
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, SPEC);
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", train.toString(),
                "--label-col", "target", "--out", dir.resolve("o").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("bad.csv") && r.err().contains("line 3"), r.err());
        assertTrue(Files.notExists(dir.resolve("o").resolve("model.sptr")));
    }
}
