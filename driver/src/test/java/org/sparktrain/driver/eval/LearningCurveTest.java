package org.sparktrain.driver.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The bias/variance reading follows the stated rule on the curve's numbers (docs/architecture.md, Learning curves). */
class LearningCurveTest {
    private static LearningCurve.Point p(double fraction, long rows, double trainAcc, double valAcc) {
        return new LearningCurve.Point(fraction, rows, 0.5, trainAcc, 0.6, valAcc);
    }

    @Test
    void bothErrorsHighAndCloseIsHighBias() {
        // training error 0.30 and 0.31, validation 0.33 and 0.34: high (>= 0.10) and a gap of 0.03 (< 0.05)
        List<LearningCurve.Point> curve = List.of(p(0.1, 40, 0.70, 0.67), p(0.5, 200, 0.69, 0.66),
                p(1.0, 400, 0.69, 0.66));
        LearningCurve.Reading r = LearningCurve.read(curve);
        assertEquals(LearningCurve.Kind.HIGH_BIAS, r.kind(), r.text());
        assertTrue(r.text().contains("400 training rows") && r.text().contains("0.3100")
                && r.text().contains("0.3400") && r.text().contains("0.0300"), "the numbers it used: " + r.text());
        assertTrue(r.text().contains("high bias (underfitting)") && r.text().contains("more data will not help"),
                r.text());
    }

    @Test
    void aLargeGapThatShrinksWithDataIsHighVariance() {
        // training error 0 -> 0.02, validation 0.40 -> 0.12: the gap 0.40 -> 0.10, large and shrinking
        List<LearningCurve.Point> curve = List.of(p(0.1, 40, 1.0, 0.60), p(0.5, 200, 0.99, 0.80),
                p(1.0, 400, 0.98, 0.88));
        LearningCurve.Reading r = LearningCurve.read(curve);
        assertEquals(LearningCurve.Kind.HIGH_VARIANCE, r.kind(), r.text());
        assertTrue(r.text().contains("a gap of 0.1000") && r.text().contains("the gap was 0.4000")
                && r.text().contains("at 40 rows (10%)"), r.text());
        assertTrue(r.text().contains("more data should help"), r.text());
    }

    @Test
    void theOtherReadingsAtTheirBoundaries() {
        // the same large gap, not shrinking: not called high variance
        assertEquals(LearningCurve.Kind.GAP_NOT_SHRINKING, LearningCurve.read(List.of(p(0.5, 200, 0.98, 0.88),
                p(1.0, 400, 0.98, 0.88))).kind());
        // one point: nothing to shrink
        assertEquals(LearningCurve.Kind.GAP_NOT_SHRINKING, LearningCurve.read(List.of(p(1.0, 400, 1.0, 0.8))).kind());
        assertEquals(LearningCurve.Kind.BIAS_AND_VARIANCE, LearningCurve.read(List.of(p(0.5, 200, 0.8, 0.5),
                p(1.0, 400, 0.8, 0.6))).kind());
        assertEquals(LearningCurve.Kind.NEITHER, LearningCurve.read(List.of(p(0.5, 200, 0.97, 0.93),
                p(1.0, 400, 0.96, 0.94))).kind());
        // exactly at the thresholds: training error 0.10 is high, a gap of 0.05 is large
        assertEquals(LearningCurve.Kind.BIAS_AND_VARIANCE, LearningCurve.read(List.of(p(1.0, 400, 0.90, 0.85)))
                .kind());
    }

    @Test
    void fractionsAreParsedSortedAndChecked() {
        assertEquals(LearningCurve.DEFAULT_FRACTIONS, LearningCurve.fractions(""));
        assertEquals(List.of(0.2, 0.5, 1.0), LearningCurve.fractions("1,0.5,0.2,0.5"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LearningCurve.fractions("0.5,1.5"));
        assertTrue(e.getMessage().contains("(0, 1]") && e.getMessage().contains("1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LearningCurve.fractions("half"));
        assertTrue(e.getMessage().contains("--learning-curve"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LearningCurve.fractions("0"));
    }
}
