package org.sparktrain.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorPoolKernels} against {@link ScalarPoolKernels}: identical outputs (bit for bit) and
 * window codes, with many ties (values from a small set), NaNs, signed zeros, odd sizes 2..33 and an
 * exactly sized input array; the outputs' neighbours past {@code slack()} stay untouched.
 */
class PoolKernelsTest {

    @Test
    void vectorVersionIsChosenWithTheModule() {
        assertTrue(((ColdPoolKernels) PoolKernels.fastest()).vector instanceof VectorPoolKernels); // behind its cold switch
    }

    @Test
    void maxPool2x2MatchesScalar() {
        SplittableRandom rnd = new SplittableRandom(11);
        PoolKernels ref = new ScalarPoolKernels();
        PoolKernels vec = new VectorPoolKernels();
        float[] values = {-1f, 0f, -0f, 0.5f, 2f, Float.NaN, 3f, -7f};
        for (int inW = 2; inW <= 33; inW++) {
            for (int inH : new int[] {2, 3, 5, 8}) {
                for (int planes : new int[] {1, 3}) {
                    for (boolean ties : new boolean[] {false, true}) {
                        int outH = inH / 2;
                        int outW = inW / 2;
                        float[] x = new float[planes * inH * inW];
                        for (int i = 0; i < x.length; i++) {
                            x[i] = ties ? values[rnd.nextInt(rnd.nextInt(20) == 0 ? values.length : 5)]
                                    : (float) rnd.nextGaussian();
                        }
                        int n = planes * outH * outW;
                        int pad = vec.slack() + 5;
                        float[] yRef = new float[n];
                        int[] cRef = new int[n];
                        float[] yVec = new float[n + pad];
                        int[] cVec = new int[n + pad];
                        Arrays.fill(yVec, n + vec.slack(), n + pad, 42f);
                        ref.maxPool2x2(x, planes, inH, inW, outH, outW, yRef, cRef);
                        vec.maxPool2x2(x, planes, inH, inW, outH, outW, yVec, cVec);
                        String what = planes + "x" + inH + "x" + inW + (ties ? " ties" : "");
                        for (int o = 0; o < n; o++) {
                            assertEquals(Float.floatToRawIntBits(yRef[o]), Float.floatToRawIntBits(yVec[o]),
                                    what + " y at " + o + ": " + yRef[o] + " vs " + yVec[o]);
                            assertEquals(cRef[o], cVec[o], what + " code at " + o);
                        }
                        for (int o = n + vec.slack(); o < n + pad; o++) {
                            assertEquals(42f, yVec[o], what + " past the slack");
                        }
                    }
                }
            }
        }
    }

    @Test
    void codesNameTheFirstMaximumInRowMajorOrder() {
        PoolKernels k = PoolKernels.fastest();
        // windows: [1 5 / 5 0] -> 1 (first 5), [2 2 / 2 2] -> 0, [0 0 / 0 9] -> 3, [0 0 / 4 4] -> 2
        float[] x = {1, 5, 2, 2, 0, 0, 0, 0,
                     5, 0, 2, 2, 0, 9, 4, 4};
        float[] y = new float[4 + k.slack()];
        int[] c = new int[4 + k.slack()];
        k.maxPool2x2(x, 1, 2, 8, 1, 4, y, c);
        assertEquals(5f, y[0]);
        assertEquals(2f, y[1]);
        assertEquals(9f, y[2]);
        assertEquals(4f, y[3]);
        assertEquals(1, c[0]);
        assertEquals(0, c[1]);
        assertEquals(3, c[2]);
        assertEquals(2, c[3]);
    }
}
