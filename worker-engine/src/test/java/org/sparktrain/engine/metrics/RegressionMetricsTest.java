package org.sparktrain.engine.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RegressionMetricsTest {

    /** Hand-computed: targets (1, 2, 3, 4) and (0, 0, 1, 1); predictions off by (0, 1, -1, 2) and (0, 0, 0, 2). */
    @Test
    void perOutputAndOverallAgainstHandComputedValues() {
        float[] y = {1, 0, 2, 0, 3, 1, 4, 1};
        float[] p = {1, 0, 3, 0, 2, 1, 6, 3};
        RegressionMetrics m = new RegressionMetrics(2);
        m.addBatch(p, y, 4);
        assertEquals(4, m.count());
        assertEquals(Math.sqrt((0 + 1 + 1 + 4) / 4.0), m.rmse(0), 1e-12);
        assertEquals(Math.sqrt(4 / 4.0), m.rmse(1), 1e-12);
        assertEquals(4 / 4.0, m.mae(0), 1e-12);
        assertEquals(2 / 4.0, m.mae(1), 1e-12);
        assertEquals(1 - 6 / 5.0, m.r2(0), 1e-12); // SST = 2.25 + 0.25 + 0.25 + 2.25 = 5
        assertEquals(1 - 4 / 1.0, m.r2(1), 1e-12); // SST = 4 · 0.25 = 1
        assertEquals(Math.sqrt(10 / 8.0), m.rmse(), 1e-12);
        assertEquals(6 / 8.0, m.mae(), 1e-12);
        assertEquals(((1 - 1.2) + (1 - 4)) / 2, m.r2(), 1e-12);
        assertTrue(Double.isNaN(m.loss()));
        m.addLoss(0.5, 4);
        assertEquals(0.5, m.loss(), 0);
        java.util.Map<?, ?> first = (java.util.Map<?, ?>) ((java.util.List<?>) m.fields().get("per_output")).get(0);
        assertEquals(0, ((Number) first.get("output")).intValue(), m.fields().toString());
    }

    @Test
    void mergingPartsGivesTheWholeUpToRounding() {
        float[] y = new float[20];
        float[] p = new float[20];
        for (int i = 0; i < 20; i++) {
            y[i] = (float) Math.sin(i) * 10 + 1000; // a large mean: the sums of squares would cancel
            p[i] = y[i] + (i % 3) - 1;
        }
        RegressionMetrics whole = new RegressionMetrics(1);
        whole.addBatch(p, y, 20);
        RegressionMetrics a = new RegressionMetrics(1);
        a.addBatch(p, y, 7);
        RegressionMetrics b = new RegressionMetrics(1);
        b.addBatch(java.util.Arrays.copyOfRange(p, 7, 20), java.util.Arrays.copyOfRange(y, 7, 20), 13);
        a.merge(b);
        assertEquals(whole.count(), a.count());
        assertEquals(whole.rmse(), a.rmse(), 1e-9);
        assertEquals(whole.r2(), a.r2(), 1e-9);
        assertTrue(whole.r2() > 0.9 && whole.r2() < 1, "r2 " + whole.r2());
    }
}
