package org.sparktrain.engine.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparktrain.engine.Shape;

/** docs/architecture.md, Conventions: inverted dropout; rate is the probability of dropping; identity at inference. */
class DropoutTest {

    @Test
    void keepsTheMeanAndDropsAtTheRate() {
        int n = 200_000;
        float rate = 0.3f;
        Layer d = new Dropout.Config(rate).create(Shape.of(n), "dropout");
        d.setRandomSeed(123);
        float[] x = new float[n];
        java.util.Arrays.fill(x, 2f);
        float[] y = d.forward(x, 1, true);
        int dropped = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (y[i] == 0f) {
                dropped++;
            } else {
                assertEquals(2f / (1f - rate), y[i], 1e-6f); // kept values divided by 1 - rate
            }
            sum += y[i];
        }
        // binomial: sd of the dropped fraction = sqrt(0.3·0.7/200000) ≈ 0.001; allow 5 sd
        assertEquals(rate, dropped / (double) n, 0.005);
        assertEquals(2.0, sum / n, 0.02);
    }

    @Test
    void identityAtInference() {
        Layer d = new Dropout.Config(0.5f).create(Shape.of(10), "dropout");
        float[] x = new float[10];
        for (int i = 0; i < 10; i++) {
            x[i] = i;
        }
        assertSame(x, d.forward(x, 1, false));
    }

    @Test
    void sameSeedSameMaskOtherSeedOtherMask() {
        Layer d = new Dropout.Config(0.5f).create(Shape.of(64), "dropout");
        float[] x = new float[64];
        java.util.Arrays.fill(x, 1f);
        d.setRandomSeed(1);
        float[] a = d.forward(x, 1, true).clone();
        d.setRandomSeed(1);
        float[] b = d.forward(x, 1, true).clone();
        d.setRandomSeed(2);
        float[] c = d.forward(x, 1, true).clone();
        assertTrue(java.util.Arrays.equals(a, b));
        assertTrue(!java.util.Arrays.equals(a, c));
    }
}
