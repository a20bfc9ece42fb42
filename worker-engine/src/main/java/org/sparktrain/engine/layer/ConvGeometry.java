package org.sparktrain.engine.layer;

import org.sparktrain.engine.Shape;
import org.sparktrain.engine.kernel.Columns;

/**
 * The sliding-window geometry shared by {@link Conv2D}, {@link MaxPool2D} and {@link AvgPool2D}:
 * output sizes, shape checks, and the im2col / col2im transforms. Immutable after construction.
 *
 * <p>Output size (docs/architecture.md, Conventions): {@code out = floor((in + 2·pad − k) / stride) + 1}. Pooling may
 * opt into ceil mode: {@code out = ceil((in + 2·pad − k) / stride) + 1}, after which a last window that would
 * start inside the right (or bottom) padding is dropped ({@code (out − 1)·stride ≥ in + pad ⇒ out − 1}),
 * PyTorch's rule; such windows would see only padding.
 *
 * <p>Column layout ({@link #im2col}): for one example of {@code C × H × W} (NCHW, row-major) the column
 * matrix is {@code K × P} row-major with {@code K = C·kh·kw} (row index {@code (c·kh + i)·kw + j}, the
 * same order as a conv weight row {@code [c][i][j]}) and {@code P = outH·outW} (column index
 * {@code oy·outW + ox}). Entry {@code (c,i,j ; oy,ox) = x[c][oy·sh − ph + i][ox·sw − pw + j]}, or 0 when
 * that position lies in the zero padding. So {@code W(Cout×K) · col(K×P)} is the convolution, written
 * directly in NCHW order.
 */
public final class ConvGeometry {
    final int channels;
    final int inH;
    final int inW;
    final int kh;
    final int kw;
    final int sh;
    final int sw;
    final int ph;
    final int pw;
    final int outH;
    final int outW;
    /** im2col / col2im of this geometry (the Vector API version when available). */
    private final Columns columns;

    ConvGeometry(int channels, int inH, int inW, int kh, int kw, int sh, int sw, int ph, int pw,
                 int outH, int outW) {
        this.channels = channels;
        this.inH = inH;
        this.inW = inW;
        this.kh = kh;
        this.kw = kw;
        this.sh = sh;
        this.sw = sw;
        this.ph = ph;
        this.pw = pw;
        this.outH = outH;
        this.outW = outW;
        this.columns = Columns.create(channels, inH, inW, kh, kw, sh, sw, ph, pw, outH, outW);
    }

    /**
     * {@code floor((in + 2·pad − k) / stride) + 1}, or in ceil mode {@code ceil(...) + 1} minus one when
     * the last window would start in the padding. Returns a value &lt; 1 when the window does not fit
     * ({@code k > in + 2·pad}); callers turn that into a {@link ShapeException}.
     */
    public static int outSize(int in, int k, int stride, int pad, boolean ceil) {
        int span = in + 2 * pad - k;
        if (span < 0) {
            return 0;
        }
        if (!ceil) {
            return span / stride + 1;
        }
        int out = (span + stride - 1) / stride + 1;
        if ((out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }

    /**
     * Checks that {@code in} is an image shape {@code [channels, height, width]} that a {@code kh×kw}
     * window with the given stride and padding fits, and returns the geometry.
     *
     * @param what the layer type for messages, e.g. {@code conv2d}
     * @throws ShapeException naming the layer and both sizes when it does not work out
     */
    static ConvGeometry of(Shape in, String layerName, String what, int kh, int kw, int sh, int sw,
                           int ph, int pw, boolean ceil) {
        if (in.rank() != 3) {
            throw new ShapeException(layerName + ": " + what + " needs an input of shape [channels, height, width], got "
                    + in + " (rank " + in.rank() + "); reshape the data to [1, height, width] or place the "
                    + what + " layer before any flatten/dense layer");
        }
        int h = in.dim(1);
        int w = in.dim(2);
        if (kh > h + 2 * ph || kw > w + 2 * pw) {
            throw new ShapeException(layerName + ": " + what + " window " + kh + "x" + kw
                    + " is larger than its input " + in + " padded by " + ph + "x" + pw + " (padded size "
                    + (h + 2 * ph) + "x" + (w + 2 * pw) + "); use a smaller kernel, more padding, or a larger input");
        }
        int oh = outSize(h, kh, sh, ph, ceil);
        int ow = outSize(w, kw, sw, pw, ceil);
        return new ConvGeometry(in.dim(0), h, w, kh, kw, sh, sw, ph, pw, oh, ow);
    }

    /** Rows of the column matrix: {@code C·kh·kw}. */
    int colRows() {
        return channels * kh * kw;
    }

    /** Columns of the column matrix: {@code outH·outW}. */
    int colCols() {
        return outH * outW;
    }

    int inSize() {
        return channels * inH * inW;
    }

    /**
     * Writes the {@code K × P} column matrix of one example.
     *
     * @param x   not modified; the example starts at {@code xOff} ({@code C·H·W} floats, NCHW)
     * @param col modified in {@code [colOff, colOff + K·P)}
     */
    void im2col(float[] x, int xOff, float[] col, int colOff) {
        im2col(x, xOff, col, colOff, outH * outW);
    }

    /**
     * As {@link #im2col(float[], int, float[], int)}, with row r of the column matrix starting at
     * {@code colOff + r·rowStride}: several examples then share one {@code K × (N·P)} matrix, example n
     * at {@code colOff = n·P}, {@code rowStride = N·P}, so that one GEMM covers the whole batch.
     */
    void im2col(float[] x, int xOff, float[] col, int colOff, int rowStride) {
        columns.im2col(x, xOff, col, colOff, rowStride);
    }

    /**
     * im2col of {@code batch} consecutive examples ({@code x} at {@code xOff + n·inSize()}) into one
     * {@code K × (batch·P)} matrix, example n at columns {@code [n·P, (n+1)·P)}, row r at
     * {@code colOff + r·rowStride}: the same values as {@code batch} calls of {@link #im2col}.
     */
    void im2colBatch(float[] x, int xOff, int batch, float[] col, int colOff, int rowStride) {
        columns.im2colBatch(x, xOff, inSize(), batch, col, colOff, rowStride);
    }

    /**
     * The adjoint of {@link #im2col}: sums the {@code K × P} column gradient back into the example's
     * input gradient, {@code dx[c][iy][ix] = Σ col entries that were read from (c, iy, ix)}. The
     * example's range of {@code dx} is cleared first (positions no window reads get 0).
     *
     * @param col not modified
     * @param dx  modified in {@code [dxOff, dxOff + C·H·W)}
     */
    void col2im(float[] col, int colOff, float[] dx, int dxOff) {
        col2im(col, colOff, dx, dxOff, outH * outW);
    }

    /** As {@link #col2im(float[], int, float[], int)}, row r of the column matrix at {@code colOff + r·rowStride}. */
    void col2im(float[] col, int colOff, float[] dx, int dxOff, int rowStride) {
        columns.col2im(col, colOff, dx, dxOff, rowStride);
    }

    /**
     * Validates a pooling configuration (shared by {@link MaxPool2D} and {@link AvgPool2D}). Padding is
     * limited to half the window, as in PyTorch, so that every window overlaps the real input.
     */
    static void checkPool(String what, int poolH, int poolW, int strideH, int strideW, int padH, int padW) {
        if (poolH <= 0 || poolW <= 0) {
            throw new IllegalArgumentException(what + ": pool size must be > 0, got " + poolH + "x" + poolW);
        }
        if (strideH <= 0 || strideW <= 0) {
            throw new IllegalArgumentException(what + ": stride must be > 0, got " + strideH + "x" + strideW
                    + " (the usual choice is the pool size)");
        }
        if (padH < 0 || padW < 0 || 2 * padH > poolH || 2 * padW > poolW) {
            throw new IllegalArgumentException(what + ": padding must be between 0 and half the pool size, got "
                    + padH + "x" + padW + " for pool " + poolH + "x" + poolW
                    + " (a window lying entirely in the padding would have no input)");
        }
    }

    /**
     * Window bounds along one axis for pooling: for output {@code o}, the real input range is
     * {@code [lo[o], hi[o])} (window clipped to the image) and {@code span[o]} is the window length
     * counting the padding but not any overhang beyond it (ceil mode), i.e.
     * {@code min(o·s − p + k, in + p) − (o·s − p)}: PyTorch's count_include_pad divisor factor.
     */
    static void windows(int out, int in, int k, int s, int p, int[] lo, int[] hi, int[] span) {
        for (int o = 0; o < out; o++) {
            int start = o * s - p;
            int end = Math.min(start + k, in + p);
            span[o] = end - start;
            lo[o] = Math.max(start, 0);
            hi[o] = Math.min(end, in);
        }
    }
}
