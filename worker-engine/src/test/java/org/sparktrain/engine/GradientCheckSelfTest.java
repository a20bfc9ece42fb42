package org.sparktrain.engine;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The gradient check must be able to fail: a gradient 3% off is caught, the true one passes. */
class GradientCheckSelfTest {

    @Test
    void catchesAGradientThreePercentOff() {
        float[] w = GradientCheck.uniform(20, -1f, 1f, 1);
        // f(w) = Σ sin(w_i)·w_i², f' = cos(w)·w² + 2 w sin(w)
        java.util.function.DoubleSupplier f = () -> {
            double s = 0;
            for (float v : w) {
                s += Math.sin(v) * v * v;
            }
            return s;
        };
        float[] good = new float[20];
        float[] bad = new float[20];
        for (int i = 0; i < 20; i++) {
            double v = w[i];
            good[i] = (float) (Math.cos(v) * v * v + 2 * v * Math.sin(v));
            bad[i] = good[i] * 1.03f;
        }
        GradientCheck.check("true gradient", w, 0, 20, good, 0, f, 20);
        assertThrows(AssertionFailedError.class, () -> GradientCheck.check("wrong gradient", w, 0, 20, bad, 0, f, 20));
    }
}
