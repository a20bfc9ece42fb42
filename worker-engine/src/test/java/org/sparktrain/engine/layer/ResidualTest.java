package org.sparktrain.engine.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.GradientCheck;
import org.sparktrain.engine.LayerGradientCheck;
import org.sparktrain.engine.Shape;

class ResidualTest {

    @Test
    void identityShortcutGradient() {
        var block = new Residual.Config(List.of(new Dense.Config(5, true, Init.XAVIER),
                new Activation.Config(Activation.Kind.TANH, 0f), new Dense.Config(5, true, Init.XAVIER)));
        float[] x = GradientCheck.uniform(3 * 5, -1f, 1f, 21);
        Layer l = LayerGradientCheck.check(block, Shape.of(5), x, 3, 22, 1000);
        assertEquals(2 * (5 * 5 + 5), l.paramCount()); // no projection
    }

    @Test
    void denseProjectionGradient() {
        var block = new Residual.Config(List.of(new Dense.Config(3, true, Init.XAVIER),
                new Activation.Config(Activation.Kind.SIGMOID, 0f)));
        float[] x = GradientCheck.uniform(2 * 6, -1f, 1f, 23);
        Layer l = LayerGradientCheck.check(block, Shape.of(6), x, 2, 24, 1000);
        assertEquals(6 * 3 + 3 + 6 * 3, l.paramCount()); // body + projection without bias
    }

    @Test
    void convProjectionWithStrideGradient() {
        // body: conv 2→3 channels, stride 2, 6×6 → 3×3; shortcut: 1×1 conv, stride 2
        var block = new Residual.Config(List.of(
                new Conv2D.Config(3, 3, 3, 2, 2, 1, 1, true, Init.XAVIER),
                new BatchNorm.Config(0.1f, 1e-5f),
                new Activation.Config(Activation.Kind.TANH, 0f)));
        float[] x = GradientCheck.uniform(2 * 2 * 6 * 6, -1f, 1f, 25);
        Layer l = LayerGradientCheck.check(block, Shape.of(2, 6, 6), x, 2, 26, 400);
        assertEquals(Shape.of(3, 3, 3), l.outShape());
    }

    @Test
    void outputIsBodyPlusInput() {
        var block = new Residual.Config(List.of(new Activation.Config(Activation.Kind.TANH, 0f)));
        Layer l = block.create(Shape.of(3), "res");
        l.bind(new float[0], new float[0], 0, new float[0], 0);
        float[] y = l.forward(new float[] {0.5f, -1f, 2f}, 1, false);
        assertEquals(0.5f + (float) Math.tanh(0.5), y[0], 1e-6f);
        assertEquals(-1f + (float) Math.tanh(-1), y[1], 1e-6f);
    }

    @Test
    void impossibleProjectionIsRefused() {
        var block = new Residual.Config(List.of(new Flatten.Config()));
        ShapeException e = assertThrows(ShapeException.class, () -> block.outputShape(Shape.of(2, 4, 4), "layer 3 (residual)"));
        assertTrue(e.getMessage().contains("layer 3 (residual)") && e.getMessage().contains("[2, 4, 4]"), e.getMessage());
    }
}
