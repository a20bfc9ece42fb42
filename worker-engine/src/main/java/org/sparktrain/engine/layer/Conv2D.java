package org.sparktrain.engine.layer;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.sparktrain.engine.ParamRanges;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.kernel.Gemm;
import org.sparktrain.engine.kernel.Gemms;
import org.sparktrain.engine.kernel.NormKernels;

/**
 * 2-D convolution (cross-correlation, as in every framework) with zero padding and strides:
 * <pre>
 *   y[n][o][oy][ox] = b[o] + Σ_{c,i,j} W[o][c][i][j] · x[n][c][oy·sh − ph + i][ox·sw − pw + j]
 * </pre>
 * (x read as 0 outside the image). Input {@code [C, H, W]}, output {@code [Cout, outH, outW]} with
 * {@code out = floor((in + 2·pad − k) / stride) + 1} (docs/architecture.md, Conventions); both NCHW row-major
 * per example.
 *
 * <p>Computed by im2col ({@link ConvGeometry}) over chunks of examples (docs/architecture.md, decision 2):
 * {@code col(K × nc·P)} with {@code K = C·kh·kw}, {@code P = outH·outW}, example n of the chunk in
 * columns {@code [n·P, (n+1)·P)}; then ONE product per chunk {@code Yt(Cout × nc·P) = W(Cout×K)·col},
 * reordered from channel-major into NCHW. Backward, per chunk: {@code dYt} (the chunk's output gradient,
 * channel-major), the columns again (recomputed), {@code dW += dYt·colᵀ} and {@code db += Σ dYt[o][·]},
 * {@code dcol = Wᵀ·dYt} then col2im into dX (skipped when the input gradient is not needed).
 * The chunk is sized so that its column matrix stays in L2 ({@link #CHUNK_BYTES}): a batch-wide column
 * matrix (5 MB for conv1 of LeNet-5 at batch 64) made im2col and the products stream through L3, and
 * recomputing the columns in backward costs less than that (LeNet-5 training +25%).
 * A 1×1 convolution with stride 1 and no padding uses the input itself (per example, no im2col).
 *
 * <p>Parameters in the flat vector: W as {@code [Cout][C·kh·kw]} (row-major, so W is {@code Cout×K},
 * each row in {@code [c][i][j]} order), then b {@code [Cout]} when enabled. Only W is penalised.
 * Initialisation: fan-in {@code C·kh·kw}, fan-out {@code Cout·kh·kw}; b starts at 0.
 *
 * <p>Workspaces: the column matrix, dYt, Yt and dcol of one chunk, plus the input gradient; backward
 * reads the input kept from forward (the Layer contract keeps it unchanged until then).
 */
public final class Conv2D extends Layer {

    /**
     * Immutable configuration.
     *
     * @param filters output channels (Cout)
     * @param kernelH kernel height, ≥ 1
     * @param kernelW kernel width, ≥ 1
     * @param strideH vertical stride, ≥ 1
     * @param strideW horizontal stride, ≥ 1
     * @param padH    zero padding added at the top and at the bottom, ≥ 0
     * @param padW    zero padding added at the left and at the right, ≥ 0
     * @param bias    whether to add a learnable bias per output channel
     * @param init    weight initialisation
     */
    public record Config(int filters, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                         boolean bias, Init init) implements LayerConfig {
        public Config {
            if (filters <= 0) {
                throw new IllegalArgumentException("conv2d: filters must be > 0, got " + filters);
            }
            if (kernelH <= 0 || kernelW <= 0) {
                throw new IllegalArgumentException("conv2d: kernel size must be > 0, got " + kernelH + "x" + kernelW);
            }
            if (strideH <= 0 || strideW <= 0) {
                throw new IllegalArgumentException("conv2d: stride must be > 0, got " + strideH + "x" + strideW);
            }
            if (padH < 0 || padW < 0) {
                throw new IllegalArgumentException("conv2d: padding must be >= 0, got " + padH + "x" + padW);
            }
            if (init == null) {
                throw new IllegalArgumentException("conv2d: init must be given (he, xavier or uniform)");
            }
        }

        /** Square kernel, equal strides and paddings in both directions. */
        public Config(int filters, int kernel, int stride, int pad, boolean bias, Init init) {
            this(filters, kernel, kernel, stride, stride, pad, pad, bias, init);
        }

        @Override
        public String type() {
            return "conv2d";
        }

        @Override
        public Shape outputShape(Shape in, String layerName) {
            ConvGeometry g = geometry(in, layerName);
            return Shape.of(filters, g.outH, g.outW);
        }

        ConvGeometry geometry(Shape in, String layerName) {
            return ConvGeometry.of(in, layerName, type(), kernelH, kernelW, strideH, strideW, padH, padW, false);
        }

        @Override
        public Layer create(Shape in, String layerName) {
            return new Conv2D(layerName, in, this, Gemms.fastest());
        }
    }

    /** Bias gradients are sums over the batch's pixels: the vectorised reduction of BatchNorm. */
    private static final NormKernels NORM = NormKernels.fastest();
    private final Config config;
    private final ConvGeometry g;
    private final Gemm gemm;
    private final int cout;
    /** K = C·kh·kw: the GEMM's inner dimension and the length of one weight row. */
    private final int k;
    /** P = outH·outW: output pixels per example. */
    private final int p;
    private final int inSize;
    private final int outSize;
    /** 1×1 kernel, stride 1, no padding: col_n is x_n itself (K = C rows of P = H·W pixels). */
    private final boolean direct;

    private float[] x;
    private float[] y;
    private float[] col;
    private float[] dcol;
    /** Channel-major output / output gradient of a chunk: {@code Cout × (N·P)}. */
    private float[] yt;
    private float[] dyt;
    /**
     * Bytes of column matrix per chunk of examples: about half the 1 MiB L2 of the Zen 4 dev box,
     * leaving room for dYt, the weights and the GEMM's panels. LeNet-5: conv1 6, conv2 8 examples,
     * which also makes the products' width (4704, 800) a multiple of the 32-column panel (no packed
     * ragged panel). Measured on LeNet-5 training (thread-CPU samples/s, alternating runs): 192 KiB
     * 10.5k, 384 KiB 10.7-11.3k (later 11.0-12.4k), 480 KiB 12.0-12.3k, 768 KiB 10.1k, whole batch
     * (the earlier design) 8.4-8.8k.
     */
    static final int CHUNK_BYTES = 480 * 1024;
    private final double[] biasAcc;
    private float[] dx;
    /** Batch of the last training forward whose columns are all in {@link #col}; 0 after inference. */
    private int colBatch;

    Conv2D(String name, Shape inShape, Config config, Gemm gemm) {
        this(name, inShape, config, config.geometry(inShape, name), gemm);
    }

    private Conv2D(String name, Shape inShape, Config config, ConvGeometry g, Gemm gemm) {
        super(name, inShape, Shape.of(config.filters(), g.outH, g.outW));
        this.config = config;
        this.g = g;
        this.gemm = gemm;
        this.cout = config.filters();
        this.k = g.colRows();
        this.p = g.colCols();
        this.inSize = g.inSize();
        this.outSize = cout * p;
        this.direct = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0;
        this.biasAcc = new double[cout];
    }

    @Override
    public int paramCount() {
        return cout * k + (config.bias() ? cout : 0);
    }

    @Override
    public void initParams(SplittableRandom rnd) {
        int area = g.kh * g.kw;
        config.init().fill(params, pOff, cout * k, k, cout * area, rnd);
        if (config.bias()) {
            Arrays.fill(params, pOff + cout * k, pOff + cout * k + cout, 0f);
        }
    }

    @Override
    public void addPenalizedRanges(ParamRanges.Builder b) {
        b.add(pOff, cout * k);
    }

    @Override
    public float[] forward(float[] x, int batch, boolean training) {
        this.x = x;
        y = ensure(y, batch * outSize);
        int bOff = pOff + cout * k;
        if (direct) {
            for (int n = 0; n < batch; n++) {
                int yOff = n * outSize;
                if (config.bias()) {
                    for (int o = 0; o < cout; o++) {
                        Arrays.fill(y, yOff + o * p, yOff + (o + 1) * p, params[bOff + o]);
                    }
                }
                // Y_n (Cout×P) = W (Cout×K) · X_n (K×P), straight into NCHW
                gemm.gemm(false, false, cout, p, k, params, pOff, x, n * inSize, y, yOff, config.bias());
            }
            colBatch = training ? batch : 0;
            return y;
        }
        // Chunks of examples whose columns fit in L2 (backward recomputes them: cheaper than
        // streaming a batch-wide column matrix through L3 twice).
        int chunk = Math.min(batch, chunk());
        col = ensure(col, k * chunk * p);
        yt = ensure(yt, cout * chunk * p);
        for (int n0 = 0; n0 < batch; n0 += chunk) {
            int nc = Math.min(chunk, batch - n0);
            int stride = nc * p;
            g.im2colBatch(x, n0 * inSize, nc, col, 0, stride);
            if (config.bias()) {
                for (int o = 0; o < cout; o++) {
                    Arrays.fill(yt, o * stride, (o + 1) * stride, params[bOff + o]);
                }
            }
            // Yt (Cout × nc·P) = W (Cout×K) · col (K × nc·P): one product for the chunk
            gemm.gemm(false, false, cout, stride, k, params, pOff, col, 0, yt, 0, config.bias());
            // Yt is channel-major ([c][n][p]); the layer's output is NCHW ([n][c][p])
            for (int n = 0; n < nc; n++) {
                int yOff = (n0 + n) * outSize;
                for (int o = 0; o < cout; o++) {
                    System.arraycopy(yt, o * stride + n * p, y, yOff + o * p, p);
                }
            }
        }
        colBatch = training ? batch : 0;
        return y;
    }

    @Override
    public float[] backward(float[] dOut, int batch) {
        if (colBatch != batch) {
            throw new IllegalStateException(name + ": backward needs the preceding forward to be a training "
                    + "forward with the same batch (got batch " + batch + ", last training batch " + colBatch + ")");
        }
        if (direct) {
            return backwardDirect(dOut, batch);
        }
        int chunk = Math.min(batch, chunk());
        dyt = ensure(dyt, cout * chunk * p);
        col = ensure(col, k * chunk * p);
        if (needInputGrad) {
            dx = ensure(dx, batch * inSize);
            dcol = ensure(dcol, k * chunk * p);
        }
        if (config.bias()) {
            Arrays.fill(biasAcc, 0);
        }
        for (int n0 = 0; n0 < batch; n0 += chunk) {
            int nc = Math.min(chunk, batch - n0);
            int stride = nc * p;
            // dYt (Cout × nc·P): the chunk's output gradient, channel-major
            for (int n = 0; n < nc; n++) {
                for (int o = 0; o < cout; o++) {
                    System.arraycopy(dOut, (n0 + n) * outSize + o * p, dyt, o * stride + n * p, p);
                }
            }
            g.im2colBatch(x, n0 * inSize, nc, col, 0, stride);
            // dW (Cout×K) (+)= dYt (Cout × nc·P) · colᵀ (nc·P × K); the first chunk overwrites
            gemm.gemm(false, true, cout, k, stride, dyt, 0, col, 0, grads, pOff, n0 > 0);
            if (config.bias()) {
                for (int o = 0; o < cout; o++) {
                    biasAcc[o] += NORM.sum(dyt, o * stride, o * stride + stride);
                }
            }
            if (needInputGrad) {
                // dcol (K × nc·P) = Wᵀ (K×Cout) · dYt (Cout × nc·P), then gathered into each image
                gemm.gemm(true, false, k, stride, cout, params, pOff, dyt, 0, dcol, 0, false);
                for (int n = 0; n < nc; n++) {
                    g.col2im(dcol, n * p, dx, (n0 + n) * inSize, stride);
                }
            }
        }
        if (config.bias()) {
            int bOff = pOff + cout * k;
            for (int o = 0; o < cout; o++) {
                grads[bOff + o] = (float) biasAcc[o];
            }
        }
        return needInputGrad ? dx : null;
    }

    /** Examples per chunk: as many as keep one chunk's column matrix within {@link #CHUNK_BYTES}. */
    private int chunk() {
        return Math.max(1, CHUNK_BYTES / (4 * k * p));
    }

    /** 1×1, stride 1, no padding: the input is its own column matrix, per example. */
    private float[] backwardDirect(float[] dOut, int batch) {
        // dW (Cout×K) = Σ_n dY_n (Cout×P) · X_nᵀ (P×K); the first product overwrites the range
        for (int n = 0; n < batch; n++) {
            gemm.gemm(false, true, cout, k, p, dOut, n * outSize, x, n * inSize, grads, pOff, n > 0);
        }
        if (config.bias()) {
            int bOff = pOff + cout * k;
            for (int o = 0; o < cout; o++) {
                double s = 0;
                for (int n = 0; n < batch; n++) {
                    s += NORM.sum(dOut, n * outSize + o * p, n * outSize + o * p + p);
                }
                grads[bOff + o] = (float) s;
            }
        }
        if (!needInputGrad) {
            return null;
        }
        dx = ensure(dx, batch * inSize);
        // dX_n (C×HW) = Wᵀ (C×Cout) · dY_n (Cout×HW)
        for (int n = 0; n < batch; n++) {
            gemm.gemm(true, false, k, p, cout, params, pOff, dOut, n * outSize, dx, n * inSize, false);
        }
        return dx;
    }
}
