package org.sparktrain.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorColumns} against the scalar {@link Columns}: bit-identical im2col and col2im (the
 * gather adds each position's terms in the same (i, j) order as the scalar scatter), over widths
 * 1..33 around the vector length, kernels, strides and paddings, several examples sharing one matrix,
 * and arrays with no slack at either end; nothing outside the documented ranges may change.
 */
class ColumnsTest {
    private static final float GUARD = -777.25f;

    @Test
    void vectorVersionIsChosenWithTheModule() {
        assertTrue(Kernels.vectorApiAvailable(), "the tests run with --add-modules jdk.incubator.vector");
        assertEquals("vector-api", Columns.create(1, 5, 5, 3, 3, 1, 1, 1, 1, 5, 5).name());
    }

    @Test
    void matchesScalarOnManyGeometries() {
        SplittableRandom rnd = new SplittableRandom(7);
        int cases = 0;
        for (int w = 1; w <= 33; w++) {
            for (int k = 1; k <= 5; k++) {
                for (int s = 1; s <= 2; s++) {
                    for (int p = 0; p <= 2; p++) {
                        int inW = w;
                        int inH = 1 + rnd.nextInt(8);
                        int kh = 1 + rnd.nextInt(4);
                        int sh = 1 + rnd.nextInt(2);
                        int ph = rnd.nextInt(Math.min(kh, 3));
                        if (k > inW + 2 * p || kh > inH + 2 * ph) {
                            continue;
                        }
                        int outH = (inH + 2 * ph - kh) / sh + 1;
                        int outW = (inW + 2 * p - k) / s + 1;
                        int channels = 1 + rnd.nextInt(3);
                        check(channels, inH, inW, kh, k, sh, s, ph, p, outH, outW, 1 + rnd.nextInt(4), rnd);
                        cases++;
                    }
                }
            }
        }
        assertTrue(cases > 300, "cases " + cases);
        // the LeNet-5 shapes
        check(1, 28, 28, 5, 5, 1, 1, 2, 2, 28, 28, 3, rnd);
        check(6, 14, 14, 5, 5, 1, 1, 0, 0, 10, 10, 5, rnd);
    }

    private static void check(int channels, int inH, int inW, int kh, int kw, int sh, int sw, int ph, int pw,
                              int outH, int outW, int examples, SplittableRandom rnd) {
        Columns ref = Columns.scalar(channels, inH, inW, kh, kw, sh, sw, ph, pw, outH, outW);
        Columns vec = new VectorColumns(channels, inH, inW, kh, kw, sh, sw, ph, pw, outH, outW);
        String what = channels + "x" + inH + "x" + inW + " k" + kh + "x" + kw + " s" + sh + "x" + sw
                + " p" + ph + "x" + pw + " n" + examples;
        int inSize = channels * inH * inW;
        int kRows = channels * kh * kw;
        int p = outH * outW;
        int stride = examples * p;
        // exactly sized arrays: the vector code must not read or write past them
        float[] x = new float[examples * inSize];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        float[] colRef = new float[kRows * stride];
        float[] colVec = new float[kRows * stride];
        java.util.Arrays.fill(colRef, GUARD);
        java.util.Arrays.fill(colVec, GUARD);
        // every other example only, in descending order: the untouched ones must keep the guard
        for (int n = examples - 1; n >= 0; n -= 2) {
            ref.im2col(x, n * inSize, colRef, n * p, stride);
            vec.im2col(x, n * inSize, colVec, n * p, stride);
        }
        assertArrayBits(colRef, colVec, "im2col " + what);

        // the whole batch at once, into a matrix with a wider row stride (the gap must stay untouched)
        int wide = stride + 3;
        float[] batchRef = new float[kRows * wide];
        float[] batchVec = new float[kRows * wide];
        java.util.Arrays.fill(batchRef, GUARD);
        java.util.Arrays.fill(batchVec, GUARD);
        ref.im2colBatch(x, 0, inSize, examples, batchRef, 0, wide);
        vec.im2colBatch(x, 0, inSize, examples, batchVec, 0, wide);
        assertArrayBits(batchRef, batchVec, "im2colBatch (row stride + 3) " + what);
        batchRef = new float[kRows * stride];
        batchVec = new float[kRows * stride];
        ref.im2colBatch(x, 0, inSize, examples, batchRef, 0, stride);
        vec.im2colBatch(x, 0, inSize, examples, batchVec, 0, stride);
        assertArrayBits(batchRef, batchVec, "im2colBatch " + what);
        if (examples > 1) {
            // a sub-batch starting at example 1
            java.util.Arrays.fill(batchRef, GUARD);
            java.util.Arrays.fill(batchVec, GUARD);
            int sub = (examples - 1) * p;
            ref.im2colBatch(x, inSize, inSize, examples - 1, batchRef, 0, sub);
            vec.im2colBatch(x, inSize, inSize, examples - 1, batchVec, 0, sub);
            assertArrayBits(batchRef, batchVec, "im2colBatch from example 1 " + what);
        }

        float[] dcol = new float[kRows * stride];
        for (int i = 0; i < dcol.length; i++) {
            dcol[i] = (float) rnd.nextGaussian();
        }
        float[] dxRef = new float[examples * inSize];
        float[] dxVec = new float[examples * inSize];
        java.util.Arrays.fill(dxRef, GUARD);
        java.util.Arrays.fill(dxVec, GUARD);
        for (int n = examples - 1; n >= 0; n -= 2) {
            ref.col2im(dcol, n * p, dxRef, n * inSize, stride);
            vec.col2im(dcol, n * p, dxVec, n * inSize, stride);
        }
        assertArrayBits(dxRef, dxVec, "col2im " + what);
    }

    private static void assertArrayBits(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                assertEquals(expected[i], actual[i], what + " at " + i);
            }
        }
    }
}
