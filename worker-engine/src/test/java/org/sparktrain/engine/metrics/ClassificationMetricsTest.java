package org.sparktrain.engine.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {
    /**
     * Eight examples over three classes: {true, predicted} and the probability of the true class.
     * Confusion (rows true): [2 1 0] [0 1 1] [0 1 2]; column sums 2, 3, 3; row sums 3, 2, 3.
     */
    private static final int[][] EXAMPLES = {{0, 0}, {0, 1}, {0, 0}, {1, 1}, {1, 2}, {2, 2}, {2, 1}, {2, 2}};
    private static final double[] P_TRUE = {0.8, 0.3, 0.6, 0.7, 0.2, 0.9, 0.1, 0.5};
    /** The same examples as probability rows whose argmax is the prediction. */
    private static final float[] PROBS = {
        0.8f, 0.1f, 0.1f,
        0.3f, 0.6f, 0.1f,
        0.6f, 0.3f, 0.1f,
        0.2f, 0.7f, 0.1f,
        0.1f, 0.2f, 0.7f,
        0.05f, 0.05f, 0.9f,
        0.2f, 0.7f, 0.1f,
        0.25f, 0.25f, 0.5f,
    };
    private static final int[] LABELS = {0, 0, 0, 1, 1, 2, 2, 2};
    /** −(ln .8 + ln .3 + ln .6 + ln .7 + ln .2 + ln .9 + ln .1 + ln .5) / 8. */
    private static final double LOG_LOSS = 0.8756434531238482;

    private static ClassificationMetrics handExample() {
        ClassificationMetrics m = new ClassificationMetrics(3);
        for (int i = 0; i < EXAMPLES.length; i++) {
            m.add(EXAMPLES[i][0], EXAMPLES[i][1], Math.log(P_TRUE[i]));
        }
        return m;
    }

    private static void assertHandExample(ClassificationMetrics m, double lossTolerance) {
        assertEquals(8, m.count());
        assertArrayEquals(new long[][] {{2, 1, 0}, {0, 1, 1}, {0, 1, 2}}, m.confusionMatrix());
        assertEquals(5.0 / 8, m.accuracy(), 1e-12);
        assertEquals(1.0, m.precision(0), 1e-12);
        assertEquals(1.0 / 3, m.precision(1), 1e-12);
        assertEquals(2.0 / 3, m.precision(2), 1e-12);
        assertEquals(2.0 / 3, m.recall(0), 1e-12);
        assertEquals(1.0 / 2, m.recall(1), 1e-12);
        assertEquals(2.0 / 3, m.recall(2), 1e-12);
        assertEquals(0.8, m.f1(0), 1e-12);      // 2·1·(2/3) / (5/3)
        assertEquals(0.4, m.f1(1), 1e-12);      // 2·(1/3)·(1/2) / (5/6)
        assertEquals(2.0 / 3, m.f1(2), 1e-12);
        assertEquals(2.0 / 3, m.macroPrecision(), 1e-12);
        assertEquals(11.0 / 18, m.macroRecall(), 1e-12);
        assertEquals((0.8 + 0.4 + 2.0 / 3) / 3, m.macroF1(), 1e-12);
        assertEquals(3, m.support(0));
        assertEquals(2, m.support(1));
        assertEquals(LOG_LOSS, m.logLoss(), lossTolerance);
    }

    @Test
    void matchesHandComputedExample() {
        assertHandExample(handExample(), 1e-12);
    }

    @Test
    void batchOfProbabilitiesMatchesSingleAdds() {
        ClassificationMetrics m = new ClassificationMetrics(3);
        m.addBatch(PROBS, 3, LABELS, 8);
        assertHandExample(m, 1e-6); // float probabilities
    }

    @Test
    void mergeEqualsSingleAccumulation() {
        ClassificationMetrics a = new ClassificationMetrics(3);
        ClassificationMetrics b = new ClassificationMetrics(3);
        ClassificationMetrics empty = new ClassificationMetrics(3);
        for (int i = 0; i < EXAMPLES.length; i++) {
            (i % 3 == 0 ? a : b).add(EXAMPLES[i][0], EXAMPLES[i][1], Math.log(P_TRUE[i]));
        }
        ClassificationMetrics merged = new ClassificationMetrics(3).merge(a).merge(empty).merge(b);
        ClassificationMetrics single = handExample();
        assertArrayEquals(single.confusionMatrix(), merged.confusionMatrix());
        assertEquals(single.count(), merged.count());
        assertEquals(single.logLoss(), merged.logLoss(), 1e-12);
        assertHandExample(merged, 1e-12);
        assertThrows(IllegalArgumentException.class, () -> merged.merge(new ClassificationMetrics(4)));
    }

    @Test
    void logLossClampsProbabilitiesLikeScikitLearn() {
        ClassificationMetrics m = new ClassificationMetrics(2);
        m.add(0, 1, Double.NEGATIVE_INFINITY); // p = 0
        assertEquals(-Math.log(1e-15), m.logLoss(), 1e-9); // 34.538776…
        ClassificationMetrics sure = new ClassificationMetrics(2);
        sure.addBatch(new float[] {1f, 0f}, 2, new int[] {0}, 1);
        assertEquals(-Math.log1p(-1e-15), sure.logLoss(), 1e-20);
        assertTrue(sure.logLoss() > 0);
        ClassificationMetrics zero = new ClassificationMetrics(2);
        zero.addBatch(new float[] {1f, 0f}, 2, new int[] {1}, 1);
        assertEquals(-Math.log(1e-15), zero.logLoss(), 1e-9);
    }

    @Test
    void undefinedPrecisionAndRecallAreZero() {
        ClassificationMetrics m = new ClassificationMetrics(3);
        m.add(0, 0, Math.log(0.9));
        m.add(1, 0, Math.log(0.4));
        // class 2: never true, never predicted; class 1: never predicted
        assertEquals(0, m.precision(1));
        assertEquals(0, m.recall(1));
        assertEquals(0, m.f1(1));
        assertEquals(0, m.precision(2));
        assertEquals(0, m.recall(2));
        assertEquals(0, m.f1(2));
        assertEquals(0.5 / 3, m.macroPrecision(), 1e-12); // absent classes count in the macro mean
    }

    @Test
    void emptyMetricsHaveNaNAccuracyAndNullInJson() {
        ClassificationMetrics m = new ClassificationMetrics(2);
        assertTrue(Double.isNaN(m.accuracy()));
        assertTrue(Double.isNaN(m.logLoss()));
        Map<?, ?> json = m.fields();
        assertEquals(null, json.get("accuracy"));
        assertEquals(null, json.get("loss"));
        assertTrue(json.containsKey("loss"));
    }

    @Test
    void jsonIsValidAndHoldsEverything() {
        Map<?, ?> json = handExample().fields(); // the driver writes these with Jackson (MetricsJson)
        assertEquals(8, ((Number) json.get("count")).intValue());
        assertEquals(3, ((Number) json.get("classes")).intValue());
        assertEquals(0.625, ((Number) json.get("accuracy")).doubleValue());
        assertEquals(LOG_LOSS, ((Number) json.get("loss")).doubleValue(), 1e-12);
        Map<?, ?> macro = (Map<?, ?>) json.get("macro");
        assertEquals(2.0 / 3, ((Number) macro.get("precision")).doubleValue(), 1e-12);
        List<?> perClass = (List<?>) json.get("per_class");
        assertEquals(3, perClass.size());
        Map<?, ?> c1 = (Map<?, ?>) perClass.get(1);
        assertEquals(1, ((Number) c1.get("class")).intValue());
        assertEquals(0.4, ((Number) c1.get("f1")).doubleValue(), 1e-12);
        assertEquals(2, ((Number) c1.get("support")).intValue());
        List<List<Integer>> confusion = new java.util.ArrayList<>();
        for (Object row : (List<?>) json.get("confusion")) {
            List<Integer> r = new java.util.ArrayList<>();
            for (Object v : (List<?>) row) {
                r.add(((Number) v).intValue());
            }
            confusion.add(r);
        }
        assertEquals(List.of(List.of(2, 1, 0), List.of(0, 1, 1), List.of(0, 1, 2)), confusion);
    }

    @Test
    void summaryIsATableForPeople() {
        String s = handExample().summary();
        assertTrue(s.contains("accuracy 0.6250"), s);
        assertTrue(s.contains("log-loss 0.8756"), s);
        assertTrue(s.contains("precision") && s.contains("macro") && s.contains("confusion"), s);
        // totals, table header, 3 classes, macro, confusion title, column header, 3 rows
        assertEquals(1 + 1 + 3 + 1 + 1 + 1 + 3, s.split("\\R").length, s);
    }

    @Test
    void refusesLabelsOutsideTheClasses() {
        ClassificationMetrics m = new ClassificationMetrics(3);
        assertThrows(IllegalArgumentException.class, () -> m.add(3, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> m.add(0, -1, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.addBatch(PROBS, 3, new int[] {0, 0, 7, 1, 1, 2, 2, 2}, 8));
        assertTrue(e.getMessage().contains("row 2") && e.getMessage().contains("7"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.addBatch(PROBS, 4, LABELS, 6));
        assertThrows(IllegalArgumentException.class, () -> m.addBatch(PROBS, 3, LABELS, 9));
        assertThrows(IllegalArgumentException.class, () -> new ClassificationMetrics(1));
    }
}
