package org.sparktrain.engine.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.GradientCheck;
import org.sparktrain.engine.LayerGradientCheck;
import org.sparktrain.engine.Shape;

/** Gradient checks and small exact cases for {@link MaxPool2D} and {@link AvgPool2D}. */
class PoolGradientTest {

    /**
     * A random permutation of {@code (i − n/2)·0.1}: all values distinct and 0.1 apart, so a ±h = ±0.01
     * perturbation never changes which input wins a max-pool window.
     */
    static float[] distinct(int n, long seed) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (i - n / 2) * 0.1f;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    @Test
    void maxPool2x2() {
        Shape in = Shape.of(2, 4, 6);
        LayerGradientCheck.check(new MaxPool2D.Config(2), in, distinct(3 * in.size(), 31), 3, 1, 1000);
    }

    @Test
    void maxPoolOverlappingWindowsWithPaddingAndCeilMode() {
        Shape in = Shape.of(2, 5, 6);
        LayerGradientCheck.check(new MaxPool2D.Config(3, 3, 2, 2, 1, 1, true), in,
                distinct(2 * in.size(), 32), 2, 1, 1000);
    }

    @Test
    void avgPoolWithoutPadding() {
        Shape in = Shape.of(2, 4, 6);
        float[] x = GradientCheck.uniform(3 * in.size(), -1f, 1f, 33);
        LayerGradientCheck.check(new AvgPool2D.Config(2, 3), in, x, 3, 1, 1000);
    }

    @Test
    void avgPoolWithPaddingOverlapping() {
        Shape in = Shape.of(2, 5, 5);
        float[] x = GradientCheck.uniform(2 * in.size(), -1f, 1f, 34);
        LayerGradientCheck.check(new AvgPool2D.Config(3, 3, 2, 2, 1, 1, false), in, x, 2, 1, 1000);
    }

    @Test
    void avgPoolWithPaddingCeilMode() {
        Shape in = Shape.of(1, 6, 7);
        float[] x = GradientCheck.uniform(2 * in.size(), -1f, 1f, 35);
        LayerGradientCheck.check(new AvgPool2D.Config(3, 2, 2, 2, 1, 1, true), in, x, 2, 1, 1000);
    }

    @Test
    void maxPoolTiesFirstMaximumWins() {
        Layer l = new MaxPool2D.Config(2).create(Shape.of(1, 2, 2), "pool");
        float[] y = l.forward(new float[] {1, 3, 3, 2}, 1, true);
        assertEquals(3f, y[0]);
        float[] dx = l.backward(new float[] {5}, 1);
        assertArrayEquals(new float[] {0, 5, 0, 0}, java.util.Arrays.copyOf(dx, 4));
    }

    @Test
    void maxPoolPropagatesNaN() {
        for (MaxPool2D.Config cfg : new MaxPool2D.Config[] {new MaxPool2D.Config(2),
                new MaxPool2D.Config(2, 2, 2, 2, 0, 0, true)}) {
            Layer l = cfg.create(Shape.of(1, 2, 3), "pool");
            float[] y = l.forward(new float[] {1, Float.NaN, 0, 2, 0, 0}, 1, true);
            assertTrue(Float.isNaN(y[0]), cfg.toString());
        }
    }

    @Test
    void maxPoolTiesFirstMaximumWinsInTheGeneralLoop() {
        // 3x3 windows, stride 1: not the unrolled 2x2 path
        Layer l = new MaxPool2D.Config(3, 3, 1, 1, 0, 0, false).create(Shape.of(1, 3, 3), "pool");
        l.forward(new float[] {0, 1, 0, 4, 2, 4, 4, 0, 0}, 1, true);
        float[] dx = l.backward(new float[] {1}, 1);
        assertArrayEquals(new float[] {0, 0, 0, 1, 0, 0, 0, 0, 0}, java.util.Arrays.copyOf(dx, 9));
    }

    @Test
    void maxPoolPaddingNeverWins() {
        // all inputs negative: with padding 1 the zero padding must not become the maximum
        Layer l = new MaxPool2D.Config(2, 2, 2, 2, 1, 1, false).create(Shape.of(1, 2, 2), "pool");
        float[] y = l.forward(new float[] {-1, -2, -3, -4}, 1, false);
        assertArrayEquals(new float[] {-1, -2, -3, -4}, java.util.Arrays.copyOf(y, 4));
    }

    @Test
    void avgPoolCountsPaddingAsZeros() {
        // PyTorch: AvgPool2d(2, stride=2, padding=1) on [[1,2],[3,4]] gives [[1/4, 2/4],[3/4, 4/4]]
        Layer l = new AvgPool2D.Config(2, 2, 2, 2, 1, 1, false).create(Shape.of(1, 2, 2), "pool");
        float[] y = l.forward(new float[] {1, 2, 3, 4}, 1, false);
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f, 1f}, java.util.Arrays.copyOf(y, 4), 1e-7f);
    }

    @Test
    void avgPoolCeilModeDivisorExcludesOverhangBeyondPadding() {
        // PyTorch: AvgPool2d(2, stride=2, ceil_mode=True) on a 1x3 row [1, 2, 3] (as 1x1x3 with pool 1x2):
        // windows [1,2] and [3] (overhang, not padding) -> 1.5 and 3 / 1
        Layer l = new AvgPool2D.Config(1, 2, 1, 2, 0, 0, true).create(Shape.of(1, 1, 3), "pool");
        assertEquals(Shape.of(1, 1, 2), l.outShape());
        float[] y = l.forward(new float[] {1, 2, 3}, 1, false);
        assertArrayEquals(new float[] {1.5f, 3f}, java.util.Arrays.copyOf(y, 2), 1e-7f);
    }
}
