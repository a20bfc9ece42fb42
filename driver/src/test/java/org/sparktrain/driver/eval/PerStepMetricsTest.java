package org.sparktrain.driver.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.TestSpark;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.metrics.ClassificationMetrics;
import org.sparktrain.engine.metrics.RealSteps;
import org.sparktrain.engine.metrics.RegressionMetrics;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.partitioning.Block;

/**
 * Per-step metrics of a many-to-many model (docs/architecture.md, "Variable-length sequences"): every real step is
 * an example, padded steps never count, whatever the model predicts there.
 */
class PerStepMetricsTest {
    /** 2 sequences, T = 3, K = 2: lengths 2 and 1; the padded steps' predictions would change every number. */
    @Test
    void onlyRealStepsCountHandComputed() {
        float[] probs = {
            0.9f, 0.1f, 0.2f, 0.8f, 0.9f, 0.1f, // sequence 0: label 0 right, label 0 wrong, padded
            0.3f, 0.7f, 0.1f, 0.9f, 0.6f, 0.4f}; // sequence 1: label 1 right, padded, padded
        int[] labels = {0, 0, 0, 1, 0, 0};
        float[] mask = {1, 1, 0, 1, 0, 0};
        int real = RealSteps.compact(probs, 2, mask, 6);
        RealSteps.compact(labels, mask, 6);
        assertEquals(3, real);
        ClassificationMetrics m = new ClassificationMetrics(2);
        m.addBatch(probs, 2, labels, real);
        m.addSequences(2);
        assertEquals(3, m.count());
        assertEquals(2.0 / 3, m.accuracy(), 1e-12);
        assertEquals(-(Math.log(0.9f) + Math.log(0.2f) + Math.log(0.7f)) / 3, m.logLoss(), 1e-6);
        assertEquals(1, m.confusion(0, 1));
        assertEquals(1, m.confusion(1, 1));
        assertEquals(1, m.confusion(0, 0));
        assertEquals(3L, m.fields().get("count"), "count is the real steps");
        assertEquals(java.util.Map.of("steps", 3L, "sequences", 2L), m.fields().get("per_step"));
        assertEquals(true, m.summary().startsWith("per step: 3 real steps over 2 sequences"), m.summary());

        // regression: K = 1 per step, the padded step's huge error never counts
        float[] pred = {1, 2, 100};
        float[] y = {2, 4, 0};
        float[] steps = {1, 1, 0};
        int n = RealSteps.compact(pred, 1, steps, 3);
        RealSteps.compact(y, 1, steps, 3);
        RegressionMetrics r = new RegressionMetrics(1);
        r.addBatch(pred, y, n);
        assertEquals(Math.sqrt((1 + 4) / 2.0), r.rmse(), 1e-12);
        assertEquals(1.5, r.mae(), 1e-12);
    }

    @Test
    void distributedEvaluationCountsTheRealStepsOfEverySequence() {
        Network net = Network.build(ModelSpec.parse("""
                input: [3, 1]
                classes: 2
                layers:
                  - {type: lstm, units: 3, return_sequences: true}
                  - {type: time_distributed, units: 2}
                loss: softmax_cross_entropy
                """, "tagger.yaml"), 11);
        // rows [x (3·1), length, label per step (3)]; the padded steps hold labels 1 the reader never writes
        Block b = new Block();
        b.size = 2;
        b.featureSize = 3 + 1 + 3;
        b.features = new float[] {0.5f, -1f, 0f, 2, 1, 0, 1, -0.7f, 0f, 0f, 1, 0, 1, 1};
        b.labels = new int[] {0, 1};
        b.ids = new long[] {1, 2};
        ClassificationMetrics m = DistributedEvaluation.evaluate(TestSpark.jsc(), net,
                TestSpark.jsc().parallelize(List.of(b), 1));
        assertEquals(3, m.count(), "2 + 1 real steps");
        assertEquals(2, m.sequences());
        // by hand from the network's own per-step probabilities at the real steps
        float[] probs = new float[2 * 3 * 2];
        net.predict(new float[] {0.5f, -1f, 0f, -0.7f, 0f, 0f}, new float[] {1, 1, 0, 1, 0, 0}, 2, probs);
        int[][] real = {{0, 0, 1}, {0, 1, 0}, {1, 0, 0}}; // (sequence, step, label)
        long right = 0;
        long[][] confusion = new long[2][2];
        for (int[] s : real) {
            int at = (s[0] * 3 + s[1]) * 2;
            int predicted = probs[at + 1] > probs[at] ? 1 : 0;
            right += predicted == s[2] ? 1 : 0;
            confusion[s[2]][predicted]++;
        }
        assertEquals(right / 3.0, m.accuracy(), 1e-12);
        assertEquals(java.util.Arrays.deepToString(confusion), java.util.Arrays.deepToString(m.confusionMatrix()));
    }
}
