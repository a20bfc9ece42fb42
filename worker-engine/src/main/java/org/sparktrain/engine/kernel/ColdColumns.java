package org.sparktrain.engine.kernel;

/**
 * {@link VectorColumns} behind its cold phases. Its twin is the plain-Java {@link Columns}: im2col only copies
 * and zeroes (+0) floats, and the vector col2im adds each input position's column entries in the same (i, j)
 * order as the scalar scatter, from +0 (the +0 it adds for masked-off lanes changes no sum that starts at +0), so
 * the same bits ({@link ColdPhase}; tested in {@code TwinKernelsTest}).
 */
final class ColdColumns extends Columns {
    private static final ColdPhase IM2COL = new ColdPhase("im2col");
    private static final ColdPhase IM2COL_BATCH = new ColdPhase("im2col-batch");
    private static final ColdPhase COL2IM = new ColdPhase("col2im");
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
