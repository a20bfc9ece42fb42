package org.sparktrain.engine.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.GradientCheck;
import org.sparktrain.engine.LayerGradientCheck;
import org.sparktrain.engine.ParamRanges;
import org.sparktrain.engine.Shape;

/** Central-difference gradient checks of {@link Conv2D}: weights, bias and input, several geometries. */
class ConvGradientTest {

    private static void check(Conv2D.Config cfg, Shape in, int batch, long seed) {
        float[] x = GradientCheck.uniform(batch * in.size(), -1f, 1f, seed);
        LayerGradientCheck.check(cfg, in, x, batch, seed + 100, 400);
    }

    @Test
    void kernel3Pad1Stride1TwoInThreeOut() {
        check(new Conv2D.Config(3, 3, 1, 1, true, Init.XAVIER), Shape.of(2, 5, 5), 2, 21);
    }

    @Test
    void stride2WithPadding() {
        check(new Conv2D.Config(2, 3, 2, 1, true, Init.XAVIER), Shape.of(2, 7, 6), 2, 22);
    }

    @Test
    void oneByOne() {
        check(new Conv2D.Config(4, 1, 1, 0, true, Init.XAVIER), Shape.of(3, 4, 5), 2, 23);
    }

    @Test
    void oneByOneStride2GoesThroughIm2col() {
        check(new Conv2D.Config(2, 1, 2, 0, true, Init.XAVIER), Shape.of(3, 5, 5), 2, 24);
    }

    @Test
    void nonSquareKernelRectangularInputMixedStrides() {
        check(new Conv2D.Config(3, 2, 3, 1, 2, 1, 0, true, Init.XAVIER), Shape.of(2, 5, 8), 2, 25);
    }

    @Test
    void withoutBias() {
        check(new Conv2D.Config(3, 3, 1, 0, false, Init.HE), Shape.of(2, 4, 5), 3, 26);
    }

    @Test
    void strideLargerThanKernelLeavesUnreadInputsWithZeroGradient() {
        check(new Conv2D.Config(2, 2, 3, 0, true, Init.XAVIER), Shape.of(1, 8, 8), 2, 27);
    }

    @Test
    void paddingWiderThanInput() {
        // a 5x5 kernel on a 2x3 image padded by 2: some kernel rows/columns never see a real pixel
        check(new Conv2D.Config(2, 5, 1, 2, true, Init.XAVIER), Shape.of(2, 2, 3), 2, 28);
    }

    @Test
    void parameterLayoutCountsAndPenalizedRange() {
        Conv2D.Config cfg = new Conv2D.Config(6, 5, 5, 1, 1, 2, 2, true, Init.HE);
        Layer l = cfg.create(Shape.of(1, 28, 28), "layer 1 (conv2d)");
        assertEquals(Shape.of(6, 28, 28), l.outShape());
        assertEquals(6 * 25 + 6, l.paramCount());
        float[] p = new float[l.paramCount() + 3];
        l.bind(p, new float[p.length], 3, new float[0], 0);
        l.initParams(new SplittableRandom(1));
        ParamRanges.Builder b = new ParamRanges.Builder();
        l.addPenalizedRanges(b);
        ParamRanges r = b.build();
        assertEquals(1, r.count());
        assertEquals(3, r.offset(0));
        assertEquals(150, r.length(0));
        for (int i = 0; i < 6; i++) {
            assertEquals(0f, p[3 + 150 + i], "bias starts at 0");
        }
    }

    @Test
    void noInputGradientWhenNotNeededAndSameWeightGradient() {
        Conv2D.Config cfg = new Conv2D.Config(3, 3, 2, 1, true, Init.XAVIER);
        Shape in = Shape.of(2, 6, 6);
        int batch = 3;
        float[] x = GradientCheck.uniform(batch * in.size(), -1f, 1f, 5);
        float[][] g = new float[2][];
        for (int t = 0; t < 2; t++) {
            Layer l = cfg.create(in, "conv");
            float[] p = new float[l.paramCount()];
            g[t] = new float[l.paramCount()];
            l.bind(p, g[t], 0, new float[0], 0);
            l.initParams(new SplittableRandom(9));
            l.setNeedInputGrad(t == 0);
            l.forward(x, batch, true);
            float[] dy = GradientCheck.uniform(batch * l.outShape().size(), -1f, 1f, 6);
            float[] dx = l.backward(dy, batch);
            if (t == 1) {
                assertNull(dx);
            }
        }
        assertArrayEquals(g[0], g[1]);
    }
}
