package org.sparktrain.engine.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sparktrain.engine.Shape;

/**
 * The equations of docs/architecture.md (Conventions) checked step by step on tiny cases (T = 2) against values
 * written out by hand from the formulas, with the parameters placed at their documented offsets: this pins down the
 * gate order, the weight orientation and each form's conventions, which gradient checks cannot (they only
 * check that backward matches whatever forward computes).
 */
class RnnEquationsTest {
    static final double TOL = 2e-6;

    static double sig(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    static Recurrent layer(LayerConfig c, int steps, int features, float... params) {
        Recurrent l = (Recurrent) c.create(Shape.of(steps, features), "test (" + c.type() + ")");
        assertEquals(params.length, l.paramCount(), "parameter count");
        l.bind(params, new float[params.length], 0, new float[0], 0);
        return l;
    }

    static void near(double[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOL, "value " + i);
        }
    }

    @Test
    void lstmOneUnit() {
        // Wx = [wi wf wo wg], Wh = [ui uf uo ug], b = [bi bf bo bg]
        float wi = 0.5f, wf = -0.3f, wo = 0.8f, wg = 1.2f;
        float ui = 0.7f, uf = 0.2f, uo = -0.6f, ug = 0.9f;
        float bi = 0.1f, bf = 1f, bo = -0.2f, bg = 0.05f;
        Recurrent l = layer(new Lstm.Config(1, true), 2, 1,
                wi, wf, wo, wg, ui, uf, uo, ug, bi, bf, bo, bg);
        float x1 = 0.9f, x2 = -0.4f;
        float[] y = l.forward(new float[] {x1, x2}, 1, true);
        // t = 1, h0 = c0 = 0
        double i1 = sig(wi * x1 + bi), f1 = sig(wf * x1 + bf), o1 = sig(wo * x1 + bo), g1 = Math.tanh(wg * x1 + bg);
        double c1 = f1 * 0 + i1 * g1;
        double h1 = o1 * Math.tanh(c1);
        // t = 2
        double i2 = sig(wi * x2 + ui * h1 + bi), f2 = sig(wf * x2 + uf * h1 + bf);
        double o2 = sig(wo * x2 + uo * h1 + bo), g2 = Math.tanh(wg * x2 + ug * h1 + bg);
        double c2 = f2 * c1 + i2 * g2;
        double h2 = o2 * Math.tanh(c2);
        near(new double[] {h1, h2}, y);
        near(new double[] {c1}, ((Lstm) l).cellAt(0));
        near(new double[] {c2}, ((Lstm) l).cellAt(1));
    }

    @Test
    void lstmForgetBiasStartsAtOne() {
        Recurrent l = (Recurrent) new Lstm.Config(3, false).create(Shape.of(2, 2), "t");
        float[] p = new float[l.paramCount()];
        l.bind(p, new float[p.length], 0, new float[0], 0);
        l.initParams(new java.util.SplittableRandom(1));
        int b = l.bRel;
        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0},
                java.util.Arrays.copyOfRange(p, b, b + 12), "biases in gate order i, f, o, g");
    }

    @Test
    void gruSeedFormOneUnit() {
        // Wx = [wz wr wn], Whzr = [uz ur], Whn = [un], b = [bz br bn]
        float wz = 0.6f, wr = -0.5f, wn = 1.1f, uz = 0.3f, ur = 0.8f, un = -0.7f, bz = 0.1f, br = 0.2f, bn = -0.1f;
        Recurrent l = layer(new Gru.Config(1, Gru.Variant.SEED, true), 2, 1, wz, wr, wn, uz, ur, un, bz, br, bn);
        float x1 = 0.7f, x2 = -1.3f;
        float[] y = l.forward(new float[] {x1, x2}, 1, true);
        double h0 = 0;
        double z1 = sig(wz * x1 + uz * h0 + bz), r1 = sig(wr * x1 + ur * h0 + br);
        double n1 = Math.tanh(wn * x1 + un * (r1 * h0) + bn);
        double h1 = (1 - z1) * h0 + z1 * n1;
        double z2 = sig(wz * x2 + uz * h1 + bz), r2 = sig(wr * x2 + ur * h1 + br);
        double n2 = Math.tanh(wn * x2 + un * (r2 * h1) + bn); // h̃ = tanh(W·[r ⊙ h, x] + b)
        double h2 = (1 - z2) * h1 + z2 * n2;                  // h = (1 − z)·h + z·h̃
        near(new double[] {h1, h2}, y);
    }

    @Test
    void gruPytorchFormOneUnit() {
        // Wx = [wz wr wn], Wh = [uz ur un], b = [bz br bn], bhn
        float wz = 0.6f, wr = -0.5f, wn = 1.1f, uz = 0.3f, ur = 0.8f, un = -0.7f, bz = 0.1f, br = 0.2f, bn = -0.1f;
        float bhn = 0.4f;
        Recurrent l = layer(new Gru.Config(1, Gru.Variant.PYTORCH, true), 2, 1,
                wz, wr, wn, uz, ur, un, bz, br, bn, bhn);
        float x1 = 0.7f, x2 = -1.3f;
        float[] y = l.forward(new float[] {x1, x2}, 1, true);
        double h0 = 0;
        double z1 = sig(wz * x1 + uz * h0 + bz), r1 = sig(wr * x1 + ur * h0 + br);
        double n1 = Math.tanh(wn * x1 + bn + r1 * (un * h0 + bhn));
        double h1 = (1 - z1) * n1 + z1 * h0;
        double z2 = sig(wz * x2 + uz * h1 + bz), r2 = sig(wr * x2 + ur * h1 + br);
        double n2 = Math.tanh(wn * x2 + bn + r2 * (un * h1 + bhn)); // reset after the recurrent product
        double h2 = (1 - z2) * n2 + z2 * h1;                        // z weighs the old state
        near(new double[] {h1, h2}, y);
    }

    @Test
    void simpleRnnTwoUnitsWeightOrientation() {
        // U as Wx (1 × 2), W as Wh (2 × 2) with Wh[i][j] = weight from s_i to unit j, b (2)
        float u0 = 0.5f, u1 = -1.0f;
        float w00 = 0.1f, w01 = 0.9f, w10 = -0.4f, w11 = 0.3f;
        float b0 = 0.05f, b1 = -0.15f;
        Recurrent l = layer(new SimpleRnn.Config(2, false), 2, 1, u0, u1, w00, w01, w10, w11, b0, b1);
        float x1 = 0.8f, x2 = 0.3f;
        float[] y = l.forward(new float[] {x1, x2}, 1, true);
        double s10 = Math.tanh(u0 * x1 + b0), s11 = Math.tanh(u1 * x1 + b1);
        // s_2 = tanh(U x_2 + W s_1 + b), (W s)_j = Σ_i Wh[i][j]·s_i
        double s20 = Math.tanh(u0 * x2 + w00 * s10 + w10 * s11 + b0);
        double s21 = Math.tanh(u1 * x2 + w01 * s10 + w11 * s11 + b1);
        near(new double[] {s20, s21}, y);
        near(new double[] {s10, s11}, l.hiddenAt(0));
    }

    @Test
    void examplesOfABatchAreIndependentAndLieOneAfterAnother() {
        // two examples in one minibatch give the same outputs as each alone, example b's T·H outputs at b·T·H
        LayerConfig c = new Lstm.Config(3, true);
        Recurrent both = RecurrentCheck.build(c, Shape.of(4, 2), 5);
        float[] x = org.sparktrain.engine.GradientCheck.uniform(2 * 8, -1f, 1f, 6);
        float[] y = both.forward(x, 2, false).clone();
        for (int b = 0; b < 2; b++) {
            float[] xb = java.util.Arrays.copyOfRange(x, b * 8, b * 8 + 8);
            float[] yb = both.forward(xb, 1, false);
            for (int i = 0; i < 12; i++) {
                assertEquals(y[b * 12 + i], yb[i], 1e-6, "example " + b + " value " + i);
            }
        }
    }
}
