package org.sparktrain.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorNormKernels} against exact double sums: lengths 0..33 and long ones (several blocks,
 * ragged tails) at odd offsets, data with a large common offset (where a float sum loses most).
 * Tolerance: {@code 32·u·Σ|terms|}, u = 2⁻²⁴ (the vector version's float partial sums; see
 * {@link NormKernels}); the scalar version must be within {@code 1e-12·Σ|terms|}.
 */
class NormKernelsTest {
    private static final double U = 0x1p-24;

    @Test
    void vectorVersionIsChosenWithTheModule() {
        assertTrue(((ColdNormKernels) NormKernels.fastest()).vector instanceof VectorNormKernels); // behind its cold switch
    }

    @Test
    void sumsMatchDoubleReference() {
        SplittableRandom rnd = new SplittableRandom(5);
        NormKernels vec = new VectorNormKernels();
        NormKernels ref = new ScalarNormKernels();
        int[] lengths = new int[34 + 6];
        for (int i = 0; i <= 33; i++) {
            lengths[i] = i;
        }
        int[] longer = {100, 255, 256, 257, 784, 6400};
        System.arraycopy(longer, 0, lengths, 34, longer.length);
        for (int len : lengths) {
            for (double offset : new double[] {0, 100}) {
                int from = rnd.nextInt(7);
                float[] x = new float[from + len + 3];
                float[] dy = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (offset + rnd.nextGaussian());
                    dy[i] = (float) rnd.nextGaussian();
                }
                int to = from + len;
                float mu = (float) offset;
                double s = 0, sa = 0, q = 0, qa = 0, g1 = 0, g1a = 0, g2 = 0, g2a = 0;
                for (int i = from; i < to; i++) {
                    s += x[i];
                    sa += Math.abs(x[i]);
                    double d = (double) x[i] - mu;
                    q += d * d;
                    qa += d * d;
                    g1 += dy[i];
                    g1a += Math.abs(dy[i]);
                    g2 += dy[i] * d;
                    g2a += Math.abs(dy[i] * d);
                }
                String what = "len " + len + " offset " + offset;
                for (NormKernels k : new NormKernels[] {vec, ref}) {
                    double tol = k == vec ? 32 * U : 1e-12;
                    assertEquals(s, k.sum(x, from, to), tol * sa + 1e-30, k + " sum " + what);
                    assertEquals(q, k.sumSquaredDeviation(x, from, to, mu), tol * qa + 1e-30, k + " ssd " + what);
                    double[] a1 = {0, 1.5};
                    double[] a2 = {0, -2.5};
                    k.gradientSums(dy, x, from, to, mu, a1, a2, 1);
                    assertEquals(1.5 + g1, a1[1], tol * g1a + 1e-12, k + " dy sum " + what);
                    assertEquals(-2.5 + g2, a2[1], tol * g2a + 1e-12, k + " dy·(x−mu) sum " + what);
                    assertEquals(0, a1[0]);
                    assertEquals(0, a2[0]);
                }
            }
        }
    }
}
