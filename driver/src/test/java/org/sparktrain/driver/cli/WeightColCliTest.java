package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;

/**
 * {@code train --weight-col} (docs/architecture.md, Conventions, "Row weights"): weight 3 trains as the rows tripled
 * (one worker, SGD, a batch larger than the data: one full-batch step per epoch; the weighted run's learning rate ×
 * N/N'), the model records the column, validation and test metrics run on unweighted blocks, {@code score} leaves the
 * weight column out of the features, a bad weight is named by file, line and column, and {@code --resample} is refused.
 */
class WeightColCliTest {
    static final int N = 120;
    static final int POSITIVES = 30; // the first 30 rows: class 1, weight 3

    static String spec(double lr) {
        return "name: weighted\ninput: [3]\nclasses: 2\nlayers:\n  - {type: dense, units: 5, activation: tanh}\n"
                + "  - {type: dense, units: 2, activation: softmax}\noptimizer: {type: sgd, lr: " + lr + "}\n"
                + "training: {batch_size: 1024, epochs: 4, seed: 5}\n";
    }

    /** a,b,target,c[,w]: class 1 rows weigh 3 ({@code weights}) or are written 3 times ({@code tripled}). */
    static void write(Path file, boolean weights, boolean tripled, String badWeight) throws Exception {
        SplittableRandom r = new SplittableRandom(8);
        StringBuilder sb = new StringBuilder(weights ? "a,b,target,c,w\n" : "a,b,target,c\n");
        for (int i = 0; i < N; i++) {
            int y = i < POSITIVES ? 1 : 0;
            String row = (r.nextGaussian() + y) + "," + r.nextGaussian() + "," + y + "," + (0.5 * r.nextGaussian() - y)
                    + (weights ? "," + (i == 2 && badWeight != null ? badWeight : y == 1 ? "3" : "1") : "") + "\n";
            sb.append(row.repeat(tripled && y == 1 ? 3 : 1));
        }
        Files.writeString(file, sb.toString());
    }

    static float[] train(Path dir, String name, Path data, double lr, String... more) throws Exception {
        Path spec = dir.resolve(name + ".yaml");
        Files.writeString(spec, spec(lr));
        String[] base = {"train", "--model", spec.toString(), "--data", data.toString(), "--label-col", "target",
            "--workers", "1", "--test-fraction", "0", "--out", dir.resolve(name).toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        MainTest.Result res = MainTest.run(args);
        assertEquals(0, res.status(), res.err() + res.out());
        return ModelFile.load(dir.resolve(name).resolve("model.sptr")).params();
    }

    static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void weightThreeTrainsAsTheRowsTripledAndTheModelRecordsTheColumn(@TempDir Path dir) throws Exception {
        Path weighted = dir.resolve("weighted.csv");
        Path tripled = dir.resolve("tripled.csv");
        Path plain = dir.resolve("plain.csv");
        write(weighted, true, false, null);
        write(tripled, false, true, null);
        write(plain, false, false, null);
        double lr = 0.5;
        double lrWeighted = lr * N / (N + 2.0 * POSITIVES);
        float[] t = train(dir, "tripled", tripled, lr);
        float[] w = train(dir, "weighted", weighted, lrWeighted, "--weight-col", "w");
        float[] p = train(dir, "plain", plain, lrWeighted);
        double same = maxDiff(t, w);
        double other = maxDiff(t, p);
        assertTrue(same < 1e-5, "weighted vs tripled: max |Δθ| " + same);
        assertTrue(other > 1e-3, "unweighted vs tripled: max |Δθ| " + other + " (the comparison can fail)");
        ModelContents m = ModelFile.load(dir.resolve("weighted").resolve("model.sptr"));
        assertEquals("w", m.provenance().get("weight.column"));
        assertEquals(3, m.scaler().map(s -> s.featureCount()).orElse(3), "the weight is not a feature");
        assertEquals(null, ModelFile.load(dir.resolve("plain").resolve("model.sptr")).provenance().get("weight.column"));
    }

    @Test
    void validationAndTestMetricsRunOnTheUnweightedRows(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("weighted.csv");
        write(data, true, false, null);
        Path spec = dir.resolve("s.yaml");
        Files.writeString(spec, spec(0.3));
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(), "--label-col",
                "target", "--weight-col", "w", "--scale", "zscore", "--validation", "0.2", "--test", data.toString(),
                "--workers", "2", "--out", dir.resolve("run").toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("test accuracy") && r.out().contains("(" + N + " examples"), r.out());
        ModelContents m = ModelFile.load(dir.resolve("run").resolve("model.sptr"));
        assertEquals(3, m.scaler().orElseThrow().featureCount(), "the model's scaler: the features only");
        // score: the weight column is not a feature, in a labelled file and in one without it
        MainTest.Result s = MainTest.run("score", "--model-file", dir.resolve("run").resolve("model.sptr").toString(),
                "--data", data.toString(), "--label-col", "target", "--out", dir.resolve("scored").toString(),
                "--format", "csv");
        assertEquals(0, s.status(), s.err() + s.out());
        assertTrue(s.out().contains("accuracy"), s.out());
        Path plain = dir.resolve("plain.csv");
        write(plain, false, false, null);
        MainTest.Result s2 = MainTest.run("score", "--model-file", dir.resolve("run").resolve("model.sptr").toString(),
                "--data", plain.toString(), "--label-col", "target", "--out", dir.resolve("scored2").toString(),
                "--format", "csv");
        assertEquals(0, s2.status(), s2.err() + s2.out());
        MainTest.Result e = MainTest.run("evaluate", "--model", spec.toString(), "--data", data.toString(),
                "--label-col", "target", "--weight-col", "w", "--method", "kfold", "--folds", "3", "--epochs", "1",
                "--workers", "1");
        assertEquals(0, e.status(), e.err() + e.out());
    }

    @Test
    void aBadWeightIsNamedByFileLineAndColumnAndResampleIsRefused(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("s.yaml");
        Files.writeString(spec, spec(0.3));
        for (String bad : new String[] {"-1", "NaN", "heavy", ""}) {
            Path data = dir.resolve("bad.csv");
            write(data, true, false, bad);
            MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                    "--label-col", "target", "--weight-col", "w", "--workers", "1", "--out", dir.resolve("o").toString());
            assertNotEquals(0, r.status(), r.out());
            assertTrue(r.err().contains("bad.csv, line 4") && r.err().contains("weight column 'w'"), bad + ": " + r.err());
            MainTest.Result dropped = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                    "--label-col", "target", "--weight-col", "w", "--workers", "1", "--drop-bad-rows", "--out",
                    dir.resolve("d" + bad.length()).toString());
            assertEquals(0, dropped.status(), dropped.err());
            assertTrue(dropped.err().contains("negative, NaN or infinite row weight"), dropped.err());
        }
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", "x.csv", "--weight-col", "w",
                "--resample", "up");
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().contains("--resample and --weight-col both reweigh rows"), r.err());
    }
}
