package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The divergence guard through the command line (docs/architecture.md, "Failing cleanly"): a run whose loss runs
 * away while staying finite stops with exit 1 and one message naming the epoch, the loss and the settings, leaving
 * the good model and checkpoint in --out byte for byte; a converging run is not stopped.
 */
class DivergenceTest {
    static final String SGD = MainTest.SPEC.replace("{type: adam, lr: 0.01}", "{type: sgd, lr: LR}");

    @Test
    void sgdWithAHugeRateStopsAndKeepsTheGoodModel(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 400, 4, 3, 1);
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, SGD.replace("LR", "0.1"));
        Path out = dir.resolve("run");
        // converging, and not stopped even with a short window of 3 rounds
        MainTest.Result ok = MainTest.run("train", "--model", good.toString(), "--data", data.toString(), "--out",
                out.toString(), "--divergence-rounds", "3");
        assertEquals(0, ok.status(), ok.err());
        assertTrue(ok.out().contains("epoch 3/3"), ok.out());
        byte[] model = Files.readAllBytes(out.resolve("model.sptr"));
        byte[] checkpoint = Files.readAllBytes(out.resolve("checkpoint.sptr"));
        // the same model into the same directory with a rate that makes the loss run away (to ~500: finite, so the
        // NaN check does not catch it; without the guard this run exits 0 and replaces the model)
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, SGD.replace("LR", "1000"));
        MainTest.Result r = MainTest.run("train", "--model", bad.toString(), "--data", data.toString(), "--out",
                out.toString(), "--divergence-rounds", "3");
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("the training loss diverged in epoch 1 in averaging round ")
                && r.err().contains("--divergence-factor 10") && r.err().contains("--divergence-rounds 3"), r.err());
        assertTrue(r.err().lines().count() == 1, r.err());
        assertArrayEquals(model, Files.readAllBytes(out.resolve("model.sptr")));
        assertArrayEquals(checkpoint, Files.readAllBytes(out.resolve("checkpoint.sptr")));
        // turned off, the same run finishes (and, as before the guard, replaces the model)
        MainTest.Result off = MainTest.run("train", "--model", bad.toString(), "--data", data.toString(), "--out",
                dir.resolve("off").toString(), "--divergence-factor", "0");
        assertEquals(0, off.status(), off.err());
        assertEquals(2, MainTest.run("train", "--model", bad.toString(), "--data", data.toString(),
                "--divergence-factor", "0.5").status());
    }
}
