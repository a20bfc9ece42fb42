package org.sparktrain.engine.layer;

import java.util.Arrays;
import org.sparktrain.engine.Shape;

/**
 * Average pooling over {@code poolH×poolW} windows of each channel, with PyTorch's default
 * {@code count_include_pad=True} semantics: padded positions count as zeros in the average, so
 * <pre>
 *   y[n][c][oy][ox] = (Σ_{real positions in the window} x) / (spanH(oy) · spanW(ox))
 * </pre>
 * where {@code span(o) = min(o·s − p + k, in + p) − (o·s − p)} is the window length counting the zero
 * padding; it is {@code k} except in ceil mode, where the part of a window hanging beyond the padded
 * input is not counted (exactly PyTorch's divisor). Output size as {@link MaxPool2D}: floor mode by
 * default; ceil mode drops a last window that would start inside the right/bottom padding.
 *
 * <p>Backward: each input position receives {@code Σ dy / divisor} over the windows that contain it.
 * Memory: output of {@code batch × C·outH·outW}, input gradient of {@code batch × C·H·W}; the input
 * itself is not needed by backward.
 */
public final class AvgPool2D extends Layer {

    /**
     * Immutable configuration; padding at most half the pool size (as in PyTorch).
     *
     * @param ceilMode round the output size up instead of down (see the class comment)
     */
    public record Config(int poolH, int poolW, int strideH, int strideW, int padH, int padW, boolean ceilMode)
            implements PoolWindow {
        public Config {
            ConvGeometry.checkPool("avgpool2d", poolH, poolW, strideH, strideW, padH, padW);
        }

        /** {@code pool×pool} windows, stride = pool size, no padding, floor mode. */
        public Config(int pool) {
            this(pool, pool, pool, pool, 0, 0, false);
        }

        /** {@code poolH×poolW} windows, stride = pool size, no padding, floor mode. */
        public Config(int poolH, int poolW) {
            this(poolH, poolW, poolH, poolW, 0, 0, false);
        }

        @Override
        public String type() {
            return "avgpool2d";
        }

        @Override
        public Layer create(Shape in, String layerName) {
            return new AvgPool2D(layerName, in, geometry(in, layerName));
        }
    }

    private final ConvGeometry g;
    private final int inSize;
    private final int outSize;
    private final int[] rowLo;
    private final int[] rowHi;
    private final int[] colLo;
    private final int[] colHi;
    /** {@code 1 / (spanH(oy)·spanW(ox))} for every output position of one plane. */
    private final float[] inv;
    private float[] y;
    private float[] dx;

    private AvgPool2D(String name, Shape in, ConvGeometry g) {
        super(name, in, Shape.of(g.channels, g.outH, g.outW));
        this.g = g;
        this.inSize = g.inSize();
        this.outSize = g.channels * g.outH * g.outW;
        rowLo = new int[g.outH];
        rowHi = new int[g.outH];
        colLo = new int[g.outW];
        colHi = new int[g.outW];
        int[] spanH = new int[g.outH];
        int[] spanW = new int[g.outW];
        ConvGeometry.windows(g.outH, g.inH, g.kh, g.sh, g.ph, rowLo, rowHi, spanH);
        ConvGeometry.windows(g.outW, g.inW, g.kw, g.sw, g.pw, colLo, colHi, spanW);
        inv = new float[g.outH * g.outW];
        for (int oy = 0; oy < g.outH; oy++) {
            for (int ox = 0; ox < g.outW; ox++) {
                inv[oy * g.outW + ox] = (float) (1.0 / (spanH[oy] * spanW[ox]));
            }
        }
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training) {
        y = ensure(y, batch * outSize);
        int inW = g.inW;
        int planeIn = g.inH * inW;
        int planes = batch * g.channels;
        int o = 0;
        for (int pl = 0; pl < planes; pl++) {
            int base = pl * planeIn;
            int q = 0;
            for (int oy = 0; oy < g.outH; oy++) {
                int y0 = rowLo[oy];
                int y1 = rowHi[oy];
                for (int ox = 0; ox < g.outW; ox++, o++, q++) {
                    int x0 = colLo[ox];
                    int x1 = colHi[ox];
                    float s = 0f;
                    for (int iy = y0; iy < y1; iy++) {
                        int row = base + iy * inW;
                        for (int ix = x0; ix < x1; ix++) {
                            s += x[row + ix];
                        }
                    }
                    y[o] = s * inv[q];
                }
            }
        }
        return y;
    }

    @Override
    public float[] backward(float[] dOut, int batch) {
        if (!needInputGrad) {
            return null;
        }
        int n = batch * inSize;
        dx = ensure(dx, n);
        Arrays.fill(dx, 0, n, 0f);
        int inW = g.inW;
        int planeIn = g.inH * inW;
        int planes = batch * g.channels;
        int o = 0;
        for (int pl = 0; pl < planes; pl++) {
            int base = pl * planeIn;
            int q = 0;
            for (int oy = 0; oy < g.outH; oy++) {
                int y0 = rowLo[oy];
                int y1 = rowHi[oy];
                for (int ox = 0; ox < g.outW; ox++, o++, q++) {
                    int x0 = colLo[ox];
                    int x1 = colHi[ox];
                    float d = dOut[o] * inv[q];
                    for (int iy = y0; iy < y1; iy++) {
                        int row = base + iy * inW;
                        for (int ix = x0; ix < x1; ix++) {
                            dx[row + ix] += d;
                        }
                    }
                }
            }
        }
        return dx;
    }
}
