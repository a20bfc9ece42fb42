package org.sparktrain.engine.kernel;

/**
 * {@link VectorColumns} behind its cold phases. Its twin is the plain-Java {@link Columns}: im2col only copies
 * and zeroes (+0) floats, and the vector col2im adds each input position's column entries in the same (i, j)
 * order as the scalar scatter, from +0 (the +0 it adds for masked-off lanes changes no sum that starts at +0), so
 * the same bits ({@link ColdPhase}; tested in {@code TwinKernelsTest}).
 */
final class ColdColumns extends Columns {
    /** Warm rounds on two geometries: padded (masks) and unpadded (the full-row path), 5×5 kernels. */
    private static final Columns PADDED = new VectorColumns(2, 12, 12, 5, 5, 1, 1, 2, 2, 12, 12);
    private static final Columns UNPADDED = new VectorColumns(2, 12, 12, 5, 5, 1, 1, 0, 0, 8, 8);
    private static final float[] X = ColdElementwise.warmValues(2 * 2 * 144);
    private static final float[] COL = new float[50 * 2 * 144];
    private static final float[] DX = new float[2 * 144 + 16];
    private static final ColdPhase IM2COL = new ColdPhase("im2col", () -> {
        PADDED.im2col(X, 0, COL, 0, 144);
        UNPADDED.im2col(X, 0, COL, 0, 64);
    });
    private static final ColdPhase IM2COL_BATCH = new ColdPhase("im2col-batch", () -> {
        PADDED.im2colBatch(X, 0, 288, 2, COL, 0, 288);
        UNPADDED.im2colBatch(X, 0, 288, 2, COL, 0, 128);
    });
    private static final ColdPhase COL2IM = new ColdPhase("col2im", () -> {
        PADDED.col2im(COL, 0, DX, 0, 144);
        UNPADDED.col2im(COL, 0, DX, 0, 64);
    });
    final Columns vector;
    final Columns twin;

    ColdColumns(Columns vector, int channels, int inH, int inW, int kh, int kw, int sh, int sw, int ph, int pw,
                int outH, int outW) {
        super(channels, inH, inW, kh, kw, sh, sw, ph, pw, outH, outW);
        this.vector = vector;
        this.twin = Columns.scalar(channels, inH, inW, kh, kw, sh, sw, ph, pw, outH, outW);
    }

    @Override
    public void im2col(float[] x, int xOff, float[] col, int colOff, int rowStride) {
        ColdPhase phase = IM2COL;
        if (phase.vector()) {
            vector.im2col(x, xOff, col, colOff, rowStride);
        } else if (!phase.timed()) {
            twin.im2col(x, xOff, col, colOff, rowStride);
        } else {
            long t0 = System.nanoTime();
            long work = (long) channels * kh * kw * outH * outW;
            if (phase.tryVector()) {
                vector.im2col(x, xOff, col, colOff, rowStride);
                phase.vectorTook(t0, work);
            } else {
                twin.im2col(x, xOff, col, colOff, rowStride);
                phase.twinTook(t0, work);
            }
        }
    }

    @Override
    public void im2colBatch(float[] x, int xOff, int inStride, int batch, float[] col, int colOff, int rowStride) {
        ColdPhase phase = IM2COL_BATCH;
        if (phase.vector()) {
            vector.im2colBatch(x, xOff, inStride, batch, col, colOff, rowStride);
        } else if (!phase.timed()) {
            twin.im2colBatch(x, xOff, inStride, batch, col, colOff, rowStride);
        } else {
            long t0 = System.nanoTime();
            long work = (long) batch * channels * kh * kw * outH * outW;
            if (phase.tryVector()) {
                vector.im2colBatch(x, xOff, inStride, batch, col, colOff, rowStride);
                phase.vectorTook(t0, work);
            } else {
                twin.im2colBatch(x, xOff, inStride, batch, col, colOff, rowStride);
                phase.twinTook(t0, work);
            }
        }
    }

    @Override
    public void col2im(float[] col, int colOff, float[] dx, int dxOff, int rowStride) {
        ColdPhase phase = COL2IM;
        if (phase.vector()) {
            vector.col2im(col, colOff, dx, dxOff, rowStride);
        } else if (!phase.timed()) {
            twin.col2im(col, colOff, dx, dxOff, rowStride);
        } else {
            long t0 = System.nanoTime();
            long work = (long) channels * kh * kw * outH * outW;
            if (phase.tryVector()) {
                vector.col2im(col, colOff, dx, dxOff, rowStride);
                phase.vectorTook(t0, work);
            } else {
                twin.col2im(col, colOff, dx, dxOff, rowStride);
                phase.twinTook(t0, work);
            }
        }
    }

    @Override
    public String name() {
        return vector.name();
    }
}
