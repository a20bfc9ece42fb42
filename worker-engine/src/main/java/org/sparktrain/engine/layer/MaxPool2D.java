package org.sparktrain.engine.layer;

import java.util.Arrays;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.kernel.PoolKernels;

/**
 * Max pooling over {@code poolH×poolW} windows of each channel:
 * {@code y[n][c][oy][ox] = max_{i,j} x[n][c][oy·sh − ph + i][ox·sw − pw + j]} over the positions that lie
 * inside the image (padding counts as −∞, i.e. it never wins). Input {@code [C, H, W]}, output
 * {@code [C, outH, outW]} with {@code out = floor((in + 2·pad − k) / stride) + 1}, or in ceil mode
 * {@code ceil(...) + 1} where a last window starting inside the right/bottom padding is dropped and a
 * window overhanging the padded input is clipped to the image (PyTorch's rules; see {@link ConvGeometry}).
 *
 * <p>The forward records, per output, the index of the winning input (ties: the first maximum in
 * row-major window order wins; a NaN in a window makes that output NaN, so it is not hidden from the
 * loss); backward routes each output
 * gradient to that input: {@code dx[argmax] += dy}. Overlapping windows (stride &lt; pool) add up.
 * Memory: output and argmax ({@code int}) of {@code batch × C·outH·outW}, input gradient of
 * {@code batch × C·H·W}.
 */
public final class MaxPool2D extends Layer {

    /**
     * Immutable configuration; padding at most half the pool size (as in PyTorch).
     *
     * @param ceilMode round the output size up instead of down (see the class comment)
     */
    public record Config(int poolH, int poolW, int strideH, int strideW, int padH, int padW, boolean ceilMode)
            implements PoolWindow {
        public Config {
            ConvGeometry.checkPool("maxpool2d", poolH, poolW, strideH, strideW, padH, padW);
        }

        /** {@code pool×pool} windows, stride = pool size, no padding, floor mode: the usual pooling. */
        public Config(int pool) {
            this(pool, pool, pool, pool, 0, 0, false);
        }

        /** {@code poolH×poolW} windows, stride = pool size, no padding, floor mode. */
        public Config(int poolH, int poolW) {
            this(poolH, poolW, poolH, poolW, 0, 0, false);
        }

        @Override
        public String type() {
            return "maxpool2d";
        }

        @Override
        public Layer create(Shape in, String layerName) {
            return new MaxPool2D(layerName, in, geometry(in, layerName));
        }
    }

    private final ConvGeometry g;
    private final int inSize;
    private final int outSize;
    private final int[] rowLo;
    private final int[] rowHi;
    private final int[] colLo;
    private final int[] colHi;
    /**
     * 2×2 windows, stride 2, no padding, none clipped: the LeNet case, done by {@link PoolKernels}
     * (vectorised: 6.8% of LeNet-5's training time before), with window codes 0..3 in argmax.
     */
    private final boolean pool2x2;
    private static final PoolKernels POOL = PoolKernels.fastest();
    private float[] y;
    private int[] argmax;
    private float[] dx;

    private MaxPool2D(String name, Shape in, ConvGeometry g) {
        super(name, in, Shape.of(g.channels, g.outH, g.outW));
        this.g = g;
        this.inSize = g.inSize();
        this.outSize = g.channels * g.outH * g.outW;
        rowLo = new int[g.outH];
        rowHi = new int[g.outH];
        colLo = new int[g.outW];
        colHi = new int[g.outW];
        ConvGeometry.windows(g.outH, g.inH, g.kh, g.sh, g.ph, rowLo, rowHi, new int[g.outH]);
        ConvGeometry.windows(g.outW, g.inW, g.kw, g.sw, g.pw, colLo, colHi, new int[g.outW]);
        pool2x2 = g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0
                && 2 * g.outH <= g.inH && 2 * g.outW <= g.inW;
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training) {
        // the 2×2 kernel may store up to slack() entries past the outputs
        int len = batch * outSize + (pool2x2 ? POOL.slack() : 0);
        y = ensure(y, len);
        if (argmax == null || argmax.length < len) {
            argmax = new int[len];
        }
        int inW = g.inW;
        int planeIn = g.inH * inW;
        int planes = batch * g.channels;
        if (pool2x2) {
            // argmax then holds the winner's position in its window (0..3), see backward
            POOL.maxPool2x2(x, planes, g.inH, g.inW, g.outH, g.outW, y, argmax);
            return y;
        }
        int o = 0;
        for (int pl = 0; pl < planes; pl++) {
            int base = pl * planeIn;
            for (int oy = 0; oy < g.outH; oy++) {
                int y0 = rowLo[oy];
                int y1 = rowHi[oy];
                for (int ox = 0; ox < g.outW; ox++, o++) {
                    int x0 = colLo[ox];
                    int x1 = colHi[ox];
                    int bi = base + y0 * inW + x0;
                    float best = x[bi];
                    for (int iy = y0; iy < y1; iy++) {
                        int row = base + iy * inW;
                        for (int ix = x0; ix < x1; ix++) {
                            float v = x[row + ix];
                            // strict '>' keeps the first maximum; Math.max propagates a NaN
                            bi = v > best ? row + ix : bi;
                            best = Math.max(best, v);
                        }
                    }
                    y[o] = best;
                    argmax[o] = bi;
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
        int m = batch * outSize;
        if (pool2x2) {
            // argmax[o] is the window position 0..3 (row-major); windows do not overlap. (Writing all
            // four inputs of each window with selects instead of clearing first measured slower:
            // 7.6% of the training profile against ~4.5% for clear + scatter.)
            int inW = g.inW;
            int planeIn = g.inH * inW;
            int o = 0;
            for (int pl = 0, planes = batch * g.channels; pl < planes; pl++) {
                for (int oy = 0; oy < g.outH; oy++) {
                    int r0 = pl * planeIn + 2 * oy * inW;
                    for (int ox = 0; ox < g.outW; ox++, o++) {
                        int c = argmax[o];
                        dx[r0 + (c >> 1) * inW + 2 * ox + (c & 1)] = dOut[o];
                    }
                }
            }
            return dx;
        }
        for (int o = 0; o < m; o++) {
            dx[argmax[o]] += dOut[o];
        }
        return dx;
    }
}
