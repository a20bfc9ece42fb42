package org.sparktrain.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradientClippingTest {

    @Test
    void normBelowMaxIsUntouched() {
        float[] g = {3f, 4f}; // ‖g‖ = 5
        assertEquals(5.0, GradientClipping.byNorm(6).apply(g), 0);
        assertArrayEquals(new float[] {3f, 4f}, g, 0f);
    }

    @Test
    void normExactlyAtMaxIsUntouched() {
        float[] g = {3f, 4f};
        assertEquals(5.0, GradientClipping.byNorm(5).apply(g), 0);
        assertArrayEquals(new float[] {3f, 4f}, g, 0f);
    }

    @Test
    void normAboveMaxIsScaled() {
        float[] g = {3f, 4f, 0f};
        // ‖g‖ = 5 > 1: g·1/(5 + 1e-6) = (0.59999988, 0.79999984, 0)
        double before = GradientClipping.byNorm(1).apply(g);
        assertEquals(5.0, before, 0);
        assertArrayEquals(new float[] {(float) (3 / 5.000001), (float) (4 / 5.000001), 0f}, g, 1e-7f);
        assertEquals(1.0 - 2e-7, GradientClipping.l2Norm(g), 1e-6);
        assertTrue(GradientClipping.l2Norm(g) < 1.0, "the 1e-6 puts the norm just under max");
    }

    @Test
    void normIsComputedInDouble() {
        // 1e6 elements of 1e-3: a float running sum of squares drifts visibly, a double one does not.
        float[] g = new float[1_000_000];
        java.util.Arrays.fill(g, 1e-3f);
        double expected = Math.sqrt(1_000_000 * (double) 1e-3f * 1e-3f);
        assertEquals(expected, GradientClipping.l2Norm(g), 1e-9);
    }

    @Test
    void nonFiniteNormLeavesGradientAsIs() {
        float[] g = {Float.NaN, 1f};
        assertTrue(Double.isNaN(GradientClipping.byNorm(1).apply(g)));
        assertTrue(Float.isNaN(g[0]));
        assertEquals(1f, g[1]);
    }

    @Test
    void byValueClamps() {
        float[] g = {-3f, -1f, 0f, 0.5f, 1f, 2.5f, Float.NaN};
        GradientClipping.byValue(1).apply(g);
        assertArrayEquals(new float[] {-1f, -1f, 0f, 0.5f, 1f, 1f, Float.NaN}, g, 0f);
    }

    @Test
    void noneReturnsTheNormAndChangesNothing() {
        float[] g = {30f, 40f};
        assertEquals(50.0, GradientClipping.none().apply(g), 0);
        assertArrayEquals(new float[] {30f, 40f}, g, 0f);
    }

    @Test
    void fromSpec() {
        GradientClipping n = GradientClipping.fromSpec(Map.of("clip_norm", 5)); // Integer
        assertEquals(GradientClipping.Mode.NORM, n.mode());
        assertEquals(5.0, n.threshold());
        GradientClipping v = GradientClipping.fromSpec(Map.of("clip_value", 0.5));
        assertEquals(GradientClipping.Mode.VALUE, v.mode());
        assertEquals(0.5, v.threshold());
        assertSame(GradientClipping.none(), GradientClipping.fromSpec(null));
        assertSame(GradientClipping.none(), GradientClipping.fromSpec(new HashMap<>()));

        assertMessage(Map.of("clip_norm", 1, "clip_value", 1),
                "gradient clipping: give one of 'clip_norm' or 'clip_value', not both");
        assertMessage(Map.of("max_norm", 1), "gradient clipping: unknown key 'max_norm' (allowed: clip_norm, clip_value)");
        assertMessage(Map.of("clip_norm", 0), "gradient clipping: 'clip_norm' must be a finite number > 0, got 0.0");
        assertMessage(Map.of("clip_value", -1L), "gradient clipping: 'clip_value' must be a finite number > 0, got -1.0");
        assertMessage(Map.of("clip_norm", Double.NaN), "gradient clipping: 'clip_norm' must be a finite number, got NaN");
        assertMessage(Map.of("clip_norm", Double.POSITIVE_INFINITY),
                "gradient clipping: 'clip_norm' must be a finite number, got Infinity");
    }

    private static void assertMessage(Map<String, Object> spec, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GradientClipping.fromSpec(spec));
        assertEquals(message, e.getMessage());
    }
}
