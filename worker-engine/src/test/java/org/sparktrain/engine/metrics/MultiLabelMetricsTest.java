package org.sparktrain.engine.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MultiLabelMetricsTest {

    // 4 rows, 3 labels; decisions at threshold 0.5 (0.5 itself is yes)
    static final float[] PROBS = {
        0.9f, 0.2f, 0.6f,  // yes no  yes
        0.1f, 0.7f, 0.5f,  // no  yes yes
        0.8f, 0.4f, 0.3f,  // yes no  no
        0.2f, 0.9f, 0.1f}; // no  yes no
    static final float[] TRUTH = {
        1, 0, 0,
        0, 1, 1,
        0, 1, 0,
        0, 1, 0};

    /**
     * By hand: label 0 TP 1 FP 1 FN 0; label 1 TP 2 FP 0 FN 1; label 2 TP 1 FP 1 FN 0. Rows 2 and 4 are all right.
     */
    @Test
    void matchHandComputedValues() {
        MultiLabelMetrics m = new MultiLabelMetrics(3);
        m.addBatch(PROBS, TRUTH, 4, 0.5);
        assertEquals(4, m.count());
        assertEquals(0.5, m.precision(0), 1e-12);
        assertEquals(1.0, m.recall(0), 1e-12);
        assertEquals(2.0 / 3, m.f1(0), 1e-12);
        assertEquals(1, m.support(0));
        assertEquals(1.0, m.precision(1), 1e-12);
        assertEquals(2.0 / 3, m.recall(1), 1e-12);
        assertEquals(0.8, m.f1(1), 1e-12);
        assertEquals(3, m.support(1));
        assertEquals(2.0 / 3, m.f1(2), 1e-12);
        // micro: TP 4, FP 2, FN 1 -> 8 / 11
        assertEquals(8.0 / 11, m.microF1(), 1e-12);
        assertEquals(4.0 / 6, m.microPrecision(), 1e-12);
        assertEquals(4.0 / 5, m.microRecall(), 1e-12);
        assertEquals((2.0 / 3 + 0.8 + 2.0 / 3) / 3, m.macroF1(), 1e-12);
        assertEquals(3.0 / 12, m.hammingLoss(), 1e-12);
        assertEquals(0.5, m.subsetAccuracy(), 1e-12);
        assertTrue(Double.isNaN(m.loss()));
        m.addLoss(0.25, 4);
        assertEquals(0.25, m.loss(), 1e-12);
        java.util.Map<String, Object> json = m.fields(); // written with Jackson by the driver (MetricsJson)
        assertEquals(0.7272727272727273, (Double) json.get("micro_f1"), 1e-15);
        java.util.Map<?, ?> first = (java.util.Map<?, ?>) ((java.util.List<?>) json.get("per_label")).get(0);
        assertEquals(0, ((Number) first.get("label")).intValue());
        assertEquals(0.5, (Double) first.get("precision"), 1e-15);
        assertEquals(1.0, (Double) first.get("recall"), 1e-15);
        assertTrue(m.summary().contains("hamming loss 0.2500"), m.summary());
        assertTrue(m.summary(java.util.List.of("spam", "urgent", "news")).contains("  urgent     1.0000     0.6667"),
                m.summary(java.util.List.of("spam", "urgent", "news")));
    }

    @Test
    void aHigherThresholdChangesTheDecisions() {
        MultiLabelMetrics m = new MultiLabelMetrics(3);
        m.addBatch(PROBS, TRUTH, 4, 0.75);
        // yes only at 0.9, 0.8, 0.9: label 0 TP 1 FP 1; label 1 TP 1 FN 2; label 2 FN 1
        assertEquals(2.0 * 2 / (2 * 2 + 1 + 3), m.microF1(), 1e-12);
        assertEquals(0.0, m.f1(2), 1e-12); // no positive decision: precision 0 by convention, not NaN
    }

    @Test
    void mergedPartsEqualOneAccumulator() {
        MultiLabelMetrics whole = new MultiLabelMetrics(3);
        whole.addBatch(PROBS, TRUTH, 4, 0.5);
        whole.addLoss(0.25, 4); // 0.25·4 = 0.625·1 + 0.125·3, exactly in binary
        MultiLabelMetrics a = new MultiLabelMetrics(3);
        a.addBatch(PROBS, TRUTH, 1, 0.5);
        a.addLoss(0.625, 1);
        MultiLabelMetrics b = new MultiLabelMetrics(3);
        b.addBatch(java.util.Arrays.copyOfRange(PROBS, 3, 12), java.util.Arrays.copyOfRange(TRUTH, 3, 12), 3, 0.5);
        b.addLoss(0.125, 3);
        a.merge(b);
        assertEquals(whole.fields(), a.fields());
        assertThrows(IllegalArgumentException.class, () -> a.merge(new MultiLabelMetrics(2)));
        assertTrue(Double.isNaN(new MultiLabelMetrics(2).microF1()));
    }
}
