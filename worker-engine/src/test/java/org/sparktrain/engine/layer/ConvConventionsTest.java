package org.sparktrain.engine.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.GradientCheck;
import org.sparktrain.engine.Shape;

/** docs/architecture.md, Conventions: output sizes, the convolution itself against a direct loop, bad shapes. */
class ConvConventionsTest {

    private static Shape conv(int filters, int k, int s, int p, Shape in) {
        return new Conv2D.Config(filters, k, s, p, true, Init.HE).outputShape(in, "conv");
    }

    @Test
    void convOutputSizeIsFloorFormula() {
        assertEquals(Shape.of(6, 28, 28), conv(6, 5, 1, 2, Shape.of(1, 28, 28)));
        assertEquals(Shape.of(16, 10, 10), conv(16, 5, 1, 0, Shape.of(6, 14, 14)));
        // (7 + 2 − 3)/2 + 1 = 4; (8 + 2 − 3)/2 + 1 = 4 (floor of 3.5)
        assertEquals(Shape.of(2, 4, 4), conv(2, 3, 2, 1, Shape.of(3, 7, 8)));
        // 1×1 keeps the size; 1×1 stride 2 on 5: (5 − 1)/2 + 1 = 3
        assertEquals(Shape.of(4, 5, 6), conv(4, 1, 1, 0, Shape.of(3, 5, 6)));
        assertEquals(Shape.of(4, 3, 3), conv(4, 1, 2, 0, Shape.of(3, 5, 6)));
        // non-square: (5 + 2 − 2)/1 + 1 = 6, (8 − 3)/2 + 1 = 3
        assertEquals(Shape.of(3, 6, 3),
                new Conv2D.Config(3, 2, 3, 1, 2, 1, 0, true, Init.HE).outputShape(Shape.of(2, 5, 8), "c"));
        // kernel equal to the padded input: one output
        assertEquals(Shape.of(1, 1, 1), conv(1, 5, 1, 1, Shape.of(1, 3, 3)));
    }

    @Test
    void poolOutputSizeFloorAndCeil() {
        assertEquals(Shape.of(6, 14, 14), new MaxPool2D.Config(2).outputShape(Shape.of(6, 28, 28), "p"));
        assertEquals(Shape.of(6, 2, 2), new MaxPool2D.Config(2).outputShape(Shape.of(6, 5, 5), "p"));
        assertEquals(Shape.of(6, 3, 3),
                new MaxPool2D.Config(2, 2, 2, 2, 0, 0, true).outputShape(Shape.of(6, 5, 5), "p"));
        // 3×3 stride 2 on 6: floor (6 − 3)/2 + 1 = 2, ceil 3
        assertEquals(Shape.of(1, 2, 2),
                new AvgPool2D.Config(3, 3, 2, 2, 0, 0, false).outputShape(Shape.of(1, 6, 6), "p"));
        assertEquals(Shape.of(1, 3, 3),
                new AvgPool2D.Config(3, 3, 2, 2, 0, 0, true).outputShape(Shape.of(1, 6, 6), "p"));
        // padding: (5 + 2 − 3)/2 + 1 = 3 in both modes
        assertEquals(Shape.of(1, 3, 3),
                new MaxPool2D.Config(3, 3, 2, 2, 1, 1, true).outputShape(Shape.of(1, 5, 5), "p"));
    }

    @Test
    void ceilModeDropsWindowStartingInThePadding() {
        // in 4, k 2, s 2, p 1: ceil((4 + 2 − 2)/2) + 1 = 3; the third window starts at 4 − 1 = 3, inside
        // the image, so it stays. in 3, k 2, s 2, p 1: ceil(3/2) + 1 = 3, third window starts at
        // 2·2 − 1 = 3 = in: entirely padding, dropped -> 2 (PyTorch gives 2 as well).
        assertEquals(3, ConvGeometry.outSize(4, 2, 2, 1, true));
        assertEquals(2, ConvGeometry.outSize(3, 2, 2, 1, true));
        assertEquals(2, ConvGeometry.outSize(3, 2, 2, 1, false));
        assertEquals(3, ConvGeometry.outSize(5, 2, 2, 0, true));
        assertEquals(2, ConvGeometry.outSize(5, 2, 2, 0, false));
    }

    /** Direct 6-nested-loop convolution in double: the reference. */
    private static double[] naiveConv(float[] x, float[] w, float[] b, int batch, int c, int h, int wd,
                                      int cout, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow) {
        double[] y = new double[batch * cout * oh * ow];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < cout; o++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double s = b == null ? 0 : b[o];
                        for (int ci = 0; ci < c; ci++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int iy = oy * sh - ph + i;
                                    int ix = ox * sw - pw + j;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) {
                                        continue;
                                    }
                                    s += (double) w[((o * c + ci) * kh + i) * kw + j]
                                            * x[((n * c + ci) * h + iy) * wd + ix];
                                }
                            }
                        }
                        y[((n * cout + o) * oh + oy) * ow + ox] = s;
                    }
                }
            }
        }
        return y;
    }

    @Test
    void forwardEqualsDirectConvolution() {
        int[][] cases = {
            // c, h, w, cout, kh, kw, sh, sw, ph, pw, bias
            {2, 6, 7, 3, 3, 3, 1, 1, 1, 1, 1},
            {3, 9, 8, 4, 3, 2, 2, 3, 1, 0, 1},
            {3, 5, 6, 5, 1, 1, 1, 1, 0, 0, 0},
            {1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 1},
            {4, 5, 5, 2, 4, 4, 3, 3, 2, 2, 0},
        };
        for (int[] t : cases) {
            int batch = 3;
            Conv2D.Config cfg = new Conv2D.Config(t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10] == 1, Init.UNIFORM);
            Shape in = Shape.of(t[0], t[1], t[2]);
            Layer l = cfg.create(in, "conv");
            float[] p = new float[l.paramCount()];
            l.bind(p, new float[p.length], 0, new float[0], 0);
            l.initParams(new SplittableRandom(3));
            int wn = t[3] * t[0] * t[4] * t[5];
            float[] bias = null;
            if (cfg.bias()) {
                bias = GradientCheck.uniform(t[3], -1, 1, 4);
                System.arraycopy(bias, 0, p, wn, t[3]);
            }
            float[] x = GradientCheck.uniform(batch * in.size(), -1, 1, 5);
            // twice: the second call reuses the buffers (and, in inference, the single column slot)
            for (boolean training : new boolean[] {true, false}) {
                float[] y = l.forward(x, batch, training);
                Shape out = l.outShape();
                double[] want = naiveConv(x, p, bias, batch, t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7],
                        t[8], t[9], out.dim(1), out.dim(2));
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], y[i], 1e-5, "case " + java.util.Arrays.toString(t) + " index " + i);
                }
            }
        }
    }

    private static void assertShapeError(Runnable r, String... parts) {
        ShapeException e = assertThrows(ShapeException.class, r::run);
        for (String s : parts) {
            assertTrue(e.getMessage().contains(s), "message should name '" + s + "': " + e.getMessage());
        }
    }

    @Test
    void impossibleShapesAreRejectedNamingLayerAndSizes() {
        assertShapeError(() -> new Conv2D.Config(4, 5, 1, 0, true, Init.HE).outputShape(Shape.of(1, 3, 3),
                "layer 1 (conv2d)"), "layer 1 (conv2d)", "5x5", "[1, 3, 3]", "3x3");
        assertShapeError(() -> new Conv2D.Config(4, 5, 1, 0, true, Init.HE).create(Shape.of(1, 3, 3),
                "layer 1 (conv2d)"), "layer 1 (conv2d)", "5x5", "[1, 3, 3]");
        assertShapeError(() -> new Conv2D.Config(4, 3, 1, 1, true, Init.HE).outputShape(Shape.of(784),
                "layer 1 (conv2d)"), "layer 1 (conv2d)", "[784]", "[channels, height, width]");
        assertShapeError(() -> new MaxPool2D.Config(2).outputShape(Shape.of(10), "layer 4 (maxpool2d)"),
                "layer 4 (maxpool2d)", "[10]", "[channels, height, width]");
        assertShapeError(() -> new AvgPool2D.Config(2).outputShape(Shape.of(3, 10), "layer 4 (avgpool2d)"),
                "layer 4 (avgpool2d)", "[3, 10]");
        assertShapeError(() -> new MaxPool2D.Config(3).outputShape(Shape.of(2, 2, 8), "layer 5 (maxpool2d)"),
                "layer 5 (maxpool2d)", "3x3", "[2, 2, 8]", "2x8");
        assertShapeError(() -> new BatchNorm.Config().outputShape(Shape.of(28, 28), "layer 2 (batchnorm)"),
                "layer 2 (batchnorm)", "[28, 28]", "[features]", "[channels, height, width]");
        assertShapeError(() -> new BatchNorm.Config().create(Shape.of(28, 28), "layer 2 (batchnorm)"),
                "layer 2 (batchnorm)", "[28, 28]");
    }

    @Test
    void badConfigurationsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Conv2D.Config(0, 3, 1, 0, true, Init.HE));
        assertThrows(IllegalArgumentException.class, () -> new Conv2D.Config(2, 3, 0, 0, true, Init.HE));
        assertThrows(IllegalArgumentException.class, () -> new Conv2D.Config(2, 3, 1, -1, true, Init.HE));
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2D.Config(2, 2, 2, 2, 2, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new AvgPool2D.Config(0));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm.Config(1.5f, 1e-5f));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm.Config(0.1f, 0f));
    }
}
