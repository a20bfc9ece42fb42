package org.sparktrain.engine.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The transcendental kernels of the recurrent layers against double-precision references. */
class RnnKernelsTest {

    @Test
    void sigmoidAndTanhAreFloatAccurate() {
        for (RecurrentKernels k : new RecurrentKernels[] {RecurrentKernels.get(), new RecurrentKernels.Scalar()}) {
            check(k);
        }
    }

    static void check(RecurrentKernels k) {
        int n = 20003; // not a multiple of any vector length: the tail is exercised too
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -100f + 200f * i / (n - 1);
        }
        x[0] = Float.NEGATIVE_INFINITY;
        x[1] = Float.POSITIVE_INFINITY;
        float[] s = x.clone();
        float[] t = new float[n];
        k.sigmoid(s, 0, n);
        k.tanh(x, 0, t, 0, n);
        for (int i = 0; i < n; i++) {
            double sig = 1 / (1 + Math.exp(-(double) x[i]));
            assertEquals(sig, s[i], 3e-7 * Math.max(sig, 1e-30) + 1e-38, k.getClass().getSimpleName() + " sigmoid(" + x[i] + ")");
            assertEquals(Math.tanh(x[i]), t[i], 2e-7, k.getClass().getSimpleName() + " tanh(" + x[i] + ")");
        }
    }
}
