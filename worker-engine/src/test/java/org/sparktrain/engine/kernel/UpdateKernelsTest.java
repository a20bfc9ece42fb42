package org.sparktrain.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link VectorUpdateKernels} gives bit-identical results to {@link ScalarUpdateKernels}, lengths 0..33 and 1000. */
class UpdateKernelsTest {

    @Test
    void vectorVersionIsChosenWithTheModule() {
        assertTrue(((ColdUpdateKernels) UpdateKernels.fastest()).vector instanceof VectorUpdateKernels); // behind its cold switch
    }

    @Test
    void adamMatchesScalarBitForBit() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int n = 0; n <= 1000; n = n < 33 ? n + 1 : 1000 + (n == 1000 ? 1 : 0)) {
            if (n == 1001) {
                break;
            }
            float[] w = new float[n];
            float[] g = new float[n];
            float[] s = new float[2 * n];
            for (int i = 0; i < n; i++) {
                w[i] = (float) rnd.nextGaussian();
                g[i] = (float) (rnd.nextGaussian() * (rnd.nextInt(10) == 0 ? 1e-6 : 1));
                s[i] = (float) (0.1 * rnd.nextGaussian());
                s[n + i] = (float) (0.01 * rnd.nextDouble());
            }
            float[] w2 = w.clone();
            float[] s2 = s.clone();
            for (int t = 1; t <= 3; t++) {
                float step = (float) (1e-3 / (1 - Math.pow(0.9, t)));
                float bc2 = (float) Math.sqrt(1 - Math.pow(0.999, t));
                new ScalarUpdateKernels().adam(w, g, s, n, 0.9f, 0.1f, 0.999f, 0.001f, step, bc2, 1e-8f);
                new VectorUpdateKernels().adam(w2, g, s2, n, 0.9f, 0.1f, 0.999f, 0.001f, step, bc2, 1e-8f);
            }
            assertArrayEquals(w, w2, "w, n = " + n);
            assertArrayEquals(s, s2, "state, n = " + n);
        }
    }
}
