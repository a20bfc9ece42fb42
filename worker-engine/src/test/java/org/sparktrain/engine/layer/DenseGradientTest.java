package org.sparktrain.engine.layer;

import org.junit.jupiter.api.Test;
import org.sparktrain.engine.GradientCheck;
import org.sparktrain.engine.LayerGradientCheck;
import org.sparktrain.engine.Shape;

class DenseGradientTest {

    @Test
    void denseWithBias() {
        float[] x = GradientCheck.uniform(3 * 7, -1f, 1f, 11);
        LayerGradientCheck.check(new Dense.Config(5, true, Init.XAVIER), Shape.of(7), x, 3, 5, 1000);
    }

    @Test
    void denseWithoutBiasOnImageInput() {
        float[] x = GradientCheck.uniform(2 * 2 * 3 * 3, -1f, 1f, 12);
        LayerGradientCheck.check(new Dense.Config(4, false, Init.HE), Shape.of(2, 3, 3), x, 2, 6, 1000);
    }

    @Test
    void activations() {
        for (Activation.Kind k : Activation.Kind.values()) {
            float[] x = GradientCheck.awayFromZero(4 * 6, 0.05f, 2f, 13);
            LayerGradientCheck.check(new Activation.Config(k, 0.1f), Shape.of(6), x, 4, 7, 1000);
        }
    }

    @Test
    void dropoutWithFixedMask() {
        float[] x = GradientCheck.uniform(4 * 10, -1f, 1f, 14);
        LayerGradientCheck.check(new Dropout.Config(0.5f), Shape.of(10), x, 4, 8, 1000);
    }
}
