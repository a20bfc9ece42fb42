package org.sparktrain.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Columns} on {@code jdk.incubator.vector}, for horizontal stride 1 (other strides use the
 * scalar code).
 *
 * <p>im2col: each output row segment {@code col[(c,i,j)][oy][0..outW)} is one unaligned load of the
 * input row shifted by {@code j − pw} per vector chunk, with the padding lanes zeroed by a precomputed
 * mask. Chunks are stored whole: the lanes past {@code outW} spill into the following output rows,
 * which are written after it; a chunk reaching past the end of the example's row segment is merged
 * with a blend instead, so nothing outside the documented range changes.
 *
 * <p>col2im is computed as a gather instead of a scatter-add: each input row chunk
 * {@code dx[c][iy][ix0..ix0+L)} is the sum over (i, j) of the column row {@code (c,i,j)} at
 * {@code oy = (iy + ph − i)/sh}, loaded shifted by {@code pw − j} with the lanes whose output column
 * is out of range masked off. The accumulator stays in a register and each dx chunk is stored once
 * (no read-modify-write chains, no clearing pass). Loads that would leave the array fall back to the
 * scalar gather for that chunk.
 */
final class VectorColumns extends Columns implements ColdTwin<Columns> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** L true then L false: from offset {@code L − w} the mask is "lane &lt; w". */
    private static final boolean[] LANES_BELOW = new boolean[2 * L];

    static {
        java.util.Arrays.fill(LANES_BELOW, 0, L, true);
    }

    /** Output-row chunks per row: ceil(outW / L). */
    private final int outChunks;
    /** im2col: for kernel column j, lane ox is real input iff imValid[j][ox]. */
    private final boolean[][] imValid;
    /** col2im: for kernel column j, output column ox is real iff colValid[j][ox + L]. */
    private final boolean[][] colValid;

    VectorColumns(int channels, int inH, int inW, int kh, int kw, int sh, int sw, int ph, int pw,
                  int outH, int outW) {
        super(channels, inH, inW, kh, kw, sh, sw, ph, pw, outH, outW);
        outChunks = (outW + L - 1) / L;
        int inChunks = (inW + L - 1) / L;
        imValid = new boolean[kw][outChunks * L];
        colValid = new boolean[kw][L + inChunks * L + pw + L];
        for (int j = 0; j < kw; j++) {
            for (int ox = oxLo[j]; ox < oxHi[j]; ox++) {
                imValid[j][ox] = true;
                colValid[j][ox + L] = true;
            }
        }
    }

    /** Behind a cold phase on the plain-Java {@link Columns}, its bit-identical twin. */
    @Override
    public Columns withTwin() {
        return new ColdColumns(this, channels, inH, inW, kh, kw, sh, sw, ph, pw, outH, outW);
    }

    @Override
    public void im2col(float[] x, int xOff, float[] col, int colOff, int rowStride) {
        if (sw != 1) {
            super.im2col(x, xOff, col, colOff, rowStride);
            return;
        }
        final int plane = inH * inW;
        final int span = outChunks * L;
        int r = colOff;
        for (int c = 0; c < channels; c++) {
            int xc = xOff + c * plane;
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    boolean[] valid = imValid[j];
                    int lo = oxLo[j];
                    int hi = oxHi[j];
                    for (int oy = 0; oy < outH; oy++) {
                        int dst = r + oy * outW;
                        int iy = oy * sh - ph + i;
                        boolean real = iy >= 0 && iy < inH && hi > lo;
                        int src = xc + iy * inW - pw + j;
                        if (dst < 0 || dst + span > col.length || (real && (src < 0 || src + span > x.length))) {
                            segment(x, src, col, dst, real, lo, hi);
                            continue;
                        }
                        int segEnd = r + outH * outW;
                        // separate paths rather than a vector-typed conditional: a vector phi of imprecise
                        // type can defeat the intrinsics on JDK 17 (boxing)
                        for (int ox0 = 0; ox0 < outW; ox0 += L) {
                            int d = dst + ox0;
                            if (real) {
                                FloatVector v = FloatVector.zero(S).blend(FloatVector.fromArray(S, x, src + ox0),
                                        VectorMask.fromArray(S, valid, ox0));
                                if (d + L <= segEnd) {
                                    v.intoArray(col, d);
                                } else {
                                    // past the segment's end: keep what follows it (lanes before the end
                                    // but past this row belong to later rows, written after this one)
                                    VectorMask<Float> below = VectorMask.fromArray(S, LANES_BELOW, L - (outW - ox0));
                                    FloatVector.fromArray(S, col, d).blend(v, below).intoArray(col, d);
                                }
                            } else if (d + L <= segEnd) {
                                FloatVector.zero(S).intoArray(col, d);
                            } else {
                                VectorMask<Float> below = VectorMask.fromArray(S, LANES_BELOW, L - (outW - ox0));
                                FloatVector.fromArray(S, col, d).blend(FloatVector.zero(S), below).intoArray(col, d);
                            }
                        }
                    }
                    r += rowStride;
                }
            }
        }
    }

    /**
     * Row by row over the whole batch (row r of every example, then row r + 1): the stores then run
     * through each row of the column matrix in order instead of jumping by a row stride every P floats.
     * Per row, the output rows oy that read real input rows are done by a loop without per-row checks
     * when all their loads are in bounds, with no mask when kernel column j sees no padding.
     */
    @Override
    public void im2colBatch(float[] x, int xOff, int inStride, int batch, float[] col, int colOff, int rowStride) {
        if (sw != 1) {
            super.im2colBatch(x, xOff, inStride, batch, col, colOff, rowStride);
            return;
        }
        final int plane = inH * inW;
        final int p = outH * outW;
        final int span = outChunks * L;
        int r = colOff;
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < kh; i++) {
                // output rows whose input row iy = oy·sh − ph + i is real: [oyLo, oyHi)
                int oyLo = Math.min(outH, Math.max(0, ceilDiv(ph - i, sh)));
                int oyHi = Math.max(oyLo, Math.min(outH, ceilDiv(inH + ph - i, sh)));
                for (int j = 0; j < kw; j++) {
                    boolean[] valid = imValid[j];
                    int lo = oxLo[j];
                    int hi = oxHi[j];
                    boolean full = lo == 0 && hi == outW;
                    int realHi = hi > lo ? oyHi : oyLo;
                    // the end of this row's columns: chunks crossing it are merged, not stored whole
                    int rowEnd = r + batch * p;
                    for (int n = 0; n < batch; n++) {
                        int xc = xOff + n * inStride + c * plane;
                        int seg = r + n * p;
                        // in increasing address order: a whole-vector store spills into the rows after it
                        zeroRows(col, seg, 0, oyLo, rowEnd);
                        if (oyLo == realHi) {
                            zeroRows(col, seg, realHi, outH, rowEnd);
                            continue;
                        }
                        int src0 = xc + (oyLo * sh - ph + i) * inW - pw + j;
                        int srcLast = xc + ((realHi - 1) * sh - ph + i) * inW - pw + j;
                        int dst0 = seg + oyLo * outW;
                        int dstLast = seg + (realHi - 1) * outW;
                        if (src0 < 0 || srcLast + span > x.length || dst0 < 0 || dstLast + span > col.length) {
                            for (int oy = oyLo; oy < realHi; oy++) {
                                int dst = seg + oy * outW;
                                int src = xc + (oy * sh - ph + i) * inW - pw + j;
                                if (src < 0 || src + span > x.length || dst < 0 || dst + span > col.length) {
                                    segment(x, src, col, dst, true, lo, hi);
                                } else {
                                    realRow(x, src, col, dst, valid, rowEnd);
                                }
                            }
                        } else if (full) {
                            for (int oy = oyLo, src = src0, dst = dst0; oy < realHi; oy++, src += sh * inW, dst += outW) {
                                for (int ox0 = 0; ox0 < outW; ox0 += L) {
                                    int d = dst + ox0;
                                    FloatVector v = FloatVector.fromArray(S, x, src + ox0);
                                    if (d + L <= rowEnd) {
                                        v.intoArray(col, d);
                                    } else {
                                        VectorMask<Float> below = VectorMask.fromArray(S, LANES_BELOW, L - (outW - ox0));
                                        FloatVector.fromArray(S, col, d).blend(v, below).intoArray(col, d);
                                    }
                                }
                            }
                        } else {
                            for (int oy = oyLo, src = src0, dst = dst0; oy < realHi; oy++, src += sh * inW, dst += outW) {
                                realRow(x, src, col, dst, valid, rowEnd);
                            }
                        }
                        zeroRows(col, seg, realHi, outH, rowEnd);
                    }
                    r += rowStride;
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return Math.floorDiv(a + b - 1, b);
    }

    /** Output row segment {@code col[dst .. dst+outW)} from the input row at {@code src}, padding lanes zeroed. */
    private void realRow(float[] x, int src, float[] col, int dst, boolean[] valid, int rowEnd) {
        for (int ox0 = 0; ox0 < outW; ox0 += L) {
            int d = dst + ox0;
            FloatVector v = FloatVector.zero(S).blend(FloatVector.fromArray(S, x, src + ox0),
                    VectorMask.fromArray(S, valid, ox0));
            if (d + L <= rowEnd) {
                v.intoArray(col, d);
            } else {
                VectorMask<Float> below = VectorMask.fromArray(S, LANES_BELOW, L - (outW - ox0));
                FloatVector.fromArray(S, col, d).blend(v, below).intoArray(col, d);
            }
        }
    }

    /** Output rows {@code [oy0, oy1)} of the segment at {@code seg}: zeros (rows reading the padding). */
    private void zeroRows(float[] col, int seg, int oy0, int oy1, int rowEnd) {
        for (int oy = oy0; oy < oy1; oy++) {
            int dst = seg + oy * outW;
            if (dst < 0 || dst + outChunks * L > col.length) {
                java.util.Arrays.fill(col, dst, dst + outW, 0f);
                continue;
            }
            for (int ox0 = 0; ox0 < outW; ox0 += L) {
                int d = dst + ox0;
                if (d + L <= rowEnd) {
                    FloatVector.zero(S).intoArray(col, d);
                } else {
                    VectorMask<Float> below = VectorMask.fromArray(S, LANES_BELOW, L - (outW - ox0));
                    FloatVector.fromArray(S, col, d).blend(FloatVector.zero(S), below).intoArray(col, d);
                }
            }
        }
    }

    /** One output row segment in scalar code (array edges). */
    private void segment(float[] x, int src, float[] col, int dst, boolean real, int lo, int hi) {
        for (int ox = 0; ox < outW; ox++) {
            col[dst + ox] = real && ox >= lo && ox < hi ? x[src + ox] : 0f;
        }
    }

    @Override
    public void col2im(float[] col, int colOff, float[] dx, int dxOff, int rowStride) {
        if (sw != 1 || sh != 1) {
            super.col2im(col, colOff, dx, dxOff, rowStride);
            return;
        }
        final int plane = inH * inW;
        final int end = dxOff + channels * plane;
        final int colMax = col.length - L;
        final int kk = kh * kw;
        // column (i, j) of row oy = iy + ph − i: s(i, j) = base + i·(kw·rowStride − outW) + j·(rowStride − 1),
        // increasing in i and j (rowStride ≥ outH·outW), so the extreme loads are at the corners.
        final int di = kw * rowStride - outW;
        final int dj = rowStride - 1;
        for (int c = 0; c < channels; c++) {
            int dxc = dxOff + c * plane;
            int rc = colOff + c * kk * rowStride;
            for (int iy = 0; iy < inH; iy++) {
                int drow = dxc + iy * inW;
                // rows i with 0 ≤ oy = iy + ph − i < outH
                int iLo = Math.max(0, iy + ph - outH + 1);
                int iHi = Math.min(kh - 1, iy + ph);
                for (int ix0 = 0; ix0 < inW; ix0 += L) {
                    int w = Math.min(L, inW - ix0);
                    int d = drow + ix0;
                    int base = rc + (iy + ph) * outW + ix0 + pw;
                    if (iLo > iHi || base + iLo * di < 0 || base + iHi * di + (kw - 1) * dj > colMax) {
                        gatherScalar(col, colOff, rowStride, dx, c, iy, ix0, w, d);
                        continue;
                    }
                    if (d + L > dx.length) {
                        // the array's last chunk (an exactly sized dx): no full-width load or store fits
                        gatherScalar(col, colOff, rowStride, dx, c, iy, ix0, w, d);
                        continue;
                    }
                    // Σ over rows i and kernel columns j of the masked loads at base + i·di + j·dj, as ONE
                    // loop in this method: JDK 17 boxed the accumulator of a nested loop (and of a helper
                    // returning a vector) on every add
                    FloatVector acc = FloatVector.zero(S);
                    int terms = (iHi - iLo + 1) * kw;
                    int si = base + iLo * di;
                    int maskOff = ix0 + pw + L;
                    for (int t = 0, j = 0; t < terms; t++) {
                        VectorMask<Float> m = VectorMask.fromArray(S, colValid[j], maskOff - j);
                        // blend then add: a masked add is not intrinsified on JDK 17 (it allocates)
                        acc = acc.add(FloatVector.zero(S).blend(FloatVector.fromArray(S, col, si + j * dj), m));
                        if (++j == kw) {
                            j = 0;
                            si += di;
                        }
                    }
                    if (d + L <= end) {
                        // lanes past this row land in later positions of the example, written after
                        acc.intoArray(dx, d);
                    } else {
                        VectorMask<Float> keep = VectorMask.fromArray(S, LANES_BELOW, L - w);
                        FloatVector.fromArray(S, dx, d).blend(acc, keep).intoArray(dx, d);
                    }
                }
            }
        }
    }

    /** {@code dx[c][iy][ix0 .. ix0+w)} as a scalar gather (chunks whose loads would leave the array). */
    private void gatherScalar(float[] col, int colOff, int rowStride, float[] dx, int c, int iy, int ix0, int w, int d) {
        for (int q = 0; q < w; q++) {
            int ix = ix0 + q;
            float sum = 0f;
            for (int i = 0; i < kh; i++) {
                int t = iy + ph - i;
                if (t < 0 || t % sh != 0 || t / sh >= outH) {
                    continue;
                }
                int oy = t / sh;
                for (int j = 0; j < kw; j++) {
                    int ox = ix + pw - j;
                    if (ox < oxLo[j] || ox >= oxHi[j]) {
                        continue;
                    }
                    sum += col[colOff + ((c * kh + i) * kw + j) * rowStride + oy * outW + ox];
                }
            }
            dx[d + q] = sum;
        }
    }

    @Override
    public String name() {
        return "vector-api";
    }
}
