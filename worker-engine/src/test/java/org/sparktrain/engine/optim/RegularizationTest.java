package org.sparktrain.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.ParamRanges;

class RegularizationTest {
    // Parameters 0..5; ranges 1..2 and 4..4 are "weights", 0, 3 and 5 are "biases".
    private static final ParamRanges WEIGHTS = new ParamRanges.Builder().add(1, 2).add(4, 1).build();

    private static float[] params() {
        return new float[] {7f, 2f, -3f, 9f, 0f, -8f};
    }

    private static float[] grads() {
        return new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    }

    @Test
    void l1AndL2PenaltyAndGradientOnTheRangesOnly() {
        Regularization reg = new Regularization(0.1, 0.01, WEIGHTS);
        float[] g = grads();
        double penalty = reg.addPenaltyGradient(params(), g);
        // Penalised w = (2, -3, 0):
        //   l1·Σ|w| = 0.1·(2 + 3 + 0) = 0.5
        //   (l2/2)·Σw² = 0.005·(4 + 9 + 0) = 0.065      → penalty 0.565
        assertEquals(0.565, penalty, 1e-9);
        // Gradient l1·sign(w) + l2·w:
        //   w=2:  0.2 + 0.1 + 0.02  = 0.32
        //   w=-3: 0.3 - 0.1 - 0.03  = 0.17
        //   w=0:  0.5 + 0 + 0       = 0.5   (sign(0) = 0)
        // Entries 0, 3, 5 (outside the ranges) untouched.
        assertArrayEquals(new float[] {0.1f, 0.32f, 0.17f, 0.4f, 0.5f, 0.6f}, g, 1e-7f);
        assertEquals(0.565, reg.penalty(params()), 1e-9);
    }

    @Test
    void l2Only() {
        Regularization reg = new Regularization(0, 0.5, ParamRanges.all(2));
        float[] g = {0f, 0f};
        // penalty = 0.25·(1 + 4) = 1.25;  gradient = 0.5·w = (0.5, -1)
        assertEquals(1.25, reg.addPenaltyGradient(new float[] {1f, -2f}, g), 1e-12);
        assertArrayEquals(new float[] {0.5f, -1f}, g, 0f);
    }

    @Test
    void noneIsANoOp() {
        float[] g = grads();
        assertEquals(0.0, Regularization.none().addPenaltyGradient(params(), g));
        assertArrayEquals(grads(), g, 0f);
        assertFalse(Regularization.none().isActive());
        assertTrue(new Regularization(0.1, 0, WEIGHTS).isActive());
    }

    @Test
    void paramsAreNotModified() {
        float[] w = params();
        new Regularization(0.1, 0.1, WEIGHTS).addPenaltyGradient(w, grads());
        assertArrayEquals(params(), w, 0f);
    }

    @Test
    void rangeOutsideTheVectorFails() {
        Regularization reg = new Regularization(0.1, 0, ParamRanges.all(10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> reg.addPenaltyGradient(params(), grads()));
        assertTrue(e.getMessage().contains("outside the 6 parameters"), e.getMessage());
    }

    @Test
    void fromSpec() {
        Map<String, Object> spec = new HashMap<>();
        spec.put("l1", 0); // Integer
        spec.put("l2", 1e-4); // Double
        Regularization reg = Regularization.fromSpec(spec, WEIGHTS);
        assertEquals(0.0, reg.l1());
        assertEquals(1e-4, reg.l2());
        assertEquals(WEIGHTS, reg.ranges());
        assertEquals(2.0, Regularization.fromSpec(Map.of("l1", 2L), WEIGHTS).l1());
        assertFalse(Regularization.fromSpec(null, WEIGHTS).isActive());

        assertMessage(Map.of("l3", 0.1), "regularization: unknown key 'l3' (allowed: l1, l2)");
        assertMessage(Map.of("l2", -0.1), "regularization: 'l2' must be a finite number >= 0, got -0.1");
        assertMessage(Map.of("l1", Double.NaN), "regularization: 'l1' must be a finite number, got NaN");
        assertMessage(Map.of("l1", "0.1"), "regularization: 'l1' must be a number, got the text '0.1' (remove the quotes?)");
    }

    private static void assertMessage(Map<String, Object> spec, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Regularization.fromSpec(spec, WEIGHTS));
        assertEquals(message, e.getMessage());
    }
}
