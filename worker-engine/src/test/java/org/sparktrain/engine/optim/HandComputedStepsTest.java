package org.sparktrain.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Adagrad and Adam against values worked out by hand (arithmetic in the comments). */
class HandComputedStepsTest {

    @Test
    void adagradTwoSteps() {
        Adagrad opt = new Adagrad(0.1); // eps 1e-10
        opt.initialise(3);
        float[] w = {1.0f, -2.0f, 0.5f};

        // Step 1, g = (0.5, -1, 0):
        //   G = (0.25, 1, 0)
        //   w0 = 1   - 0.1·0.5 /(sqrt(0.25)+1e-10) = 1 - 0.05/0.5 = 0.9
        //   w1 = -2  - 0.1·(-1)/(sqrt(1)+1e-10)    = -2 + 0.1   = -1.9
        //   w2 = 0.5 - 0.1·0   /(0 + 1e-10)         = 0.5   (ε outside the root: 0/ε, not 0/0)
        opt.step(w, new float[] {0.5f, -1.0f, 0f});
        assertArrayEquals(new float[] {0.25f, 1f, 0f}, opt.state(), 0f);
        assertArrayEquals(new float[] {0.9f, -1.9f, 0.5f}, w, 1e-6f);

        // Step 2, g = (0.5, 0, 0):
        //   G0 = 0.25 + 0.25 = 0.5;  w0 = 0.9 - 0.05/sqrt(0.5) = 0.9 - 0.0707106781 = 0.8292893219
        //   G1 = 1 (unchanged);      w1 = -1.9 - 0 = -1.9
        opt.step(w, new float[] {0.5f, 0f, 0f});
        assertArrayEquals(new float[] {0.5f, 1f, 0f}, opt.state(), 0f);
        assertArrayEquals(new float[] {0.8292893f, -1.9f, 0.5f}, w, 1e-6f);
        assertEquals(2, opt.stepCount());
    }

    @Test
    void adamTwoSteps() {
        Adam opt = new Adam(0.1); // b1 0.9, b2 0.999, eps 1e-8
        opt.initialise(2);
        float[] w = {1.0f, 3.0f};

        // Step 1 (t = 1), g = (0.5, 0):
        //   m = 0.9·0 + 0.1·0.5          = 0.05
        //   v = 0.999·0 + 0.001·0.25     = 0.00025
        //   m̂ = 0.05 / (1 - 0.9)         = 0.5
        //   v̂ = 0.00025 / (1 - 0.999)    = 0.25,   sqrt(v̂) = 0.5
        //   w0 = 1 - 0.1·0.5/(0.5 + 1e-8) = 1 - 0.099999998 = 0.900000002
        //   element 1: m = v = 0, update 0/(0 + 1e-8) = 0, w1 stays 3
        opt.step(w, new float[] {0.5f, 0f});
        assertArrayEquals(new float[] {0.05f, 0f, 0.00025f, 0f}, opt.state(), 1e-9f);
        assertArrayEquals(new float[] {0.9f, 3.0f}, w, 1e-6f);

        // Step 2 (t = 2), g = (-1, 0):
        //   m = 0.9·0.05 + 0.1·(-1)          = 0.045 - 0.1 = -0.055
        //   v = 0.999·0.00025 + 0.001·1      = 0.00024975 + 0.001 = 0.00124975
        //   1 - 0.9² = 0.19;  1 - 0.999² = 1 - 0.998001 = 0.001999
        //   m̂ = -0.055/0.19                  = -0.2894736842
        //   v̂ = 0.00124975/0.001999          = 0.6251875938,  sqrt = 0.7906880509
        //   update = 0.1·(-0.2894736842)/0.7906880509 = -0.0366103522
        //   w0 = 0.900000002 + 0.0366103522  = 0.9366103542
        opt.step(w, new float[] {-1.0f, 0f});
        assertEquals(-0.055f, opt.state()[0], 1e-8f);
        assertEquals(0.00124975f, opt.state()[2], 1e-9f);
        assertArrayEquals(new float[] {0.93661035f, 3.0f}, w, 1e-6f);
        assertEquals(2, opt.stepCount());
    }
}
