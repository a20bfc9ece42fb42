package org.sparktrain.engine.layer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.GradientCheck;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.kernel.NaiveGemm;

/**
 * Layer contract: after the first call with the largest batch, forward and backward allocate nothing.
 * The convolution runs on {@link NaiveGemm} here so that only this package's code is measured; the
 * Vector API kernels the layers use (im2col, pooling) box vectors until C2 has compiled them, so the
 * steady state is checked after a warm-up.
 */
class ConvLayersAllocationTest {

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static void assertSteadyStateAllocatesNothing(Layer l, int batch) {
        float[] p = new float[l.paramCount()];
        float[] s = new float[l.stateCount()];
        l.bind(p, new float[p.length], 0, s, 0);
        l.initParams(new SplittableRandom(1));
        l.initState();
        float[] x = GradientCheck.uniform(batch * l.inShape().size(), -1, 1, 2);
        float[] dy = GradientCheck.uniform(batch * l.outShape().size(), -1, 1, 3);
        Runnable step = () -> {
            l.forward(x, batch, true);
            l.backward(dy, batch);
            l.forward(x, batch - 1, false);
            l.forward(x, batch - 1, true);
            l.backward(dy, batch - 1);
        };
        step.run();
        long base = allocated();
        long overhead = allocated() - base; // the counter's own cost
        // The Vector API kernels (im2col, pooling) box vectors until C2 has compiled them: warm up
        // until three steps allocate nothing, for at most ~20 000 steps.
        long bytes = Long.MAX_VALUE;
        for (int round = 0; round < 200 && bytes >= 256; round++) {
            for (int i = 0; i < 100; i++) {
                step.run();
            }
            long before = allocated();
            for (int i = 0; i < 3; i++) {
                step.run();
            }
            bytes = allocated() - before - overhead;
        }
        assertTrue(bytes < 256, l + ": steady-state forward/backward allocated " + bytes + " bytes");
    }

    @Test
    void steadyStateAllocatesNothing() {
        Shape img = Shape.of(3, 8, 7);
        assertSteadyStateAllocatesNothing(new Conv2D("conv", img,
                new Conv2D.Config(4, 3, 2, 1, true, Init.HE), new NaiveGemm()), 4);
        assertSteadyStateAllocatesNothing(new Conv2D("conv 1x1", img,
                new Conv2D.Config(4, 1, 1, 0, true, Init.HE), new NaiveGemm()), 4);
        assertSteadyStateAllocatesNothing(new MaxPool2D.Config(2).create(img, "max"), 4);
        assertSteadyStateAllocatesNothing(new MaxPool2D.Config(3, 3, 2, 2, 1, 1, true).create(img, "max"), 4);
        assertSteadyStateAllocatesNothing(new AvgPool2D.Config(3, 3, 2, 2, 1, 1, true).create(img, "avg"), 4);
        assertSteadyStateAllocatesNothing(new BatchNorm.Config().create(img, "bn conv"), 4);
        assertSteadyStateAllocatesNothing(new BatchNorm.Config().create(Shape.of(5), "bn dense"), 4);
    }
}
