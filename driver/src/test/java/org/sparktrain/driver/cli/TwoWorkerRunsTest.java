package org.sparktrain.driver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.eval.FoldResult;

/**
 * End to end on two workers with the global minibatch (docs/architecture.md, "The global minibatch"): holdout and
 * bootstrap evaluation, and early stopping on a validation split.
 */
class TwoWorkerRunsTest {

    @Test
    void holdoutAndBootstrapTrainOnTwoWorkers(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 200, 4, 3, 13);
        Path spec = dir.resolve("tiny.yaml");
        Files.writeString(spec, MainTest.SPEC);
        MainTest.Result h = MainTest.run("evaluate", "--out", dir.resolve("eval3").toString(),
                "--model", spec.toString(), "--data", data.toString(),
                "--method", "holdout", "--validation", "0.3", "--workers", "2", "--epochs", "2");
        assertEquals(0, h.status(), h.err());
        assertTrue(h.out().contains("1 run(s), 1 at a time as concurrent Spark jobs, 2 worker(s) each"), h.out());
        List<FoldResult> one = EvaluateCommand.lastResults;
        assertEquals(1, one.size());
        assertEquals(60, one.get(0).validationRows()); // stratified 30% of 200
        double accuracy = ((org.sparktrain.engine.metrics.ClassificationMetrics) one.get(0).metrics()).accuracy();
        assertTrue(accuracy > 0.5, "accuracy " + accuracy);

        MainTest.Result b = MainTest.run("evaluate", "--out", dir.resolve("eval4").toString(),
                "--model", spec.toString(), "--data", data.toString(),
                "--method", "bootstrap", "--rounds", "2", "--workers", "2", "--epochs", "2");
        assertEquals(0, b.status(), b.err());
        List<FoldResult> two = EvaluateCommand.lastResults;
        assertEquals(2, two.size());
        for (FoldResult f : two) {
            // out-of-bag rows: about (1 - 1/e) of the rows are drawn, the rest validate
            assertTrue(f.validationRows() > 40 && f.validationRows() < 110, "out-of-bag rows " + f.validationRows());
        }
    }

    @Test
    void earlyStoppingOnAValidationSplitWithTwoWorkers(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        TinyIdx.write(data, "train", 240, 4, 3, 14);
        Path spec = dir.resolve("tiny.yaml");
        // validation accuracy on these well-separated classes stops improving within a few epochs (at 1.0 it cannot
        // improve at all): patience 1 ends the run well before its 12 epochs
        Files.writeString(spec, MainTest.SPEC.replace("epochs: 3",
                "epochs: 12, early_stopping: {patience: 1, metric: accuracy}"));
        Path out = dir.resolve("run");
        MainTest.Result r = MainTest.run("train", "--model", spec.toString(), "--data", data.toString(),
                "--validation", "0.25", "--workers", "2", "--out", out.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("2 workers"), r.out());
        assertTrue(r.out().contains("val_loss"), r.out());
        assertTrue(r.out().contains("early stopping after epoch"), r.out());
        assertTrue(Files.exists(out.resolve("model.sptr")));
    }
}
