package org.sparktrain.driver.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.train.RoundVector;
import org.sparktrain.engine.train.Trainer;

/**
 * SlowMo's outer step (Wang et al., ICLR 2020) as the parameter rule combines it: u ← β·u + (x0 − x̄)/γ,
 * x_next = x0 − α·γ·u, against hand computations; off (β = 0, α = 1) it is plain averaging.
 */
class SlowMoTest {
    /** Two parameters (w, b), plain SGD at γ = 0.5: every number below is exact in binary. */
    static final String ONE_UNIT = """
            input: [1]
            outputs: 1
            layers: [{type: dense, units: 1}]
            loss: mse
            optimizer: {type: sgd, lr: 0.5}
            training: {batch_size: 4, epochs: 1, seed: 1}
            """;

    static Trainer trainer() {
        ModelSpec spec = ModelSpec.parse(ONE_UNIT, "t.yaml");
        return Trainer.fromSpec(Network.build(spec, 1), spec.training());
    }

    /**
     * One round on a replica, as the barrier transport runs it: {@code beginRound} at the start x0 (the trainer's
     * parameters), the local steps leave the replica at {@code avg} (one contributor: the average is its own
     * result), the combine.
     */
    static void round(RoundRule r, Trainer t, float... avg) {
        r.beginRound(t);
        System.arraycopy(avg, 0, t.network().params(), 0, avg.length);
        float[] sum = RoundVector.packResult(t.network(), t.optimizer(), 1.0, 4);
        r.combine(t, sum, 1, t.optimizer().stepCount(), 2);
    }

    @Test
    void threeRoundsWithMomentumOneHalfMatchTheHandComputation() {
        Trainer t = trainer();
        RoundRule r = new Averaging(AveragingMode.PARAMETER, 2, 0).withSlowMo(new SlowMo(0.5f, 1f)).rule();
        float[] p = t.network().params();
        p[0] = 1f;
        p[1] = -2f;
        // round 1, w: x0 = 1, x̄ = 0.75: u = 0.5·0 + 0.25/0.5 = 0.5, x = 1 − 1·0.5·0.5 = 0.75
        //          b: x0 = −2, x̄ = −1.5: u = −1, x = −2 + 0.5 = −1.5
        round(r, t, 0.75f, -1.5f);
        assertArrayEquals(new float[] {0.5f, -1f}, t.outerMomentum(), 0f);
        assertArrayEquals(new float[] {0.75f, -1.5f}, p, 0f);
        // round 2, w: x0 = 0.75, x̄ = 0.5: u = 0.25 + 0.5 = 0.75, x = 0.75 − 0.5·0.75 = 0.375
        //          b: x0 = −1.5, x̄ = −1.5 (no move): u = −0.5, x = −1.5 + 0.25 = −1.25
        round(r, t, 0.5f, -1.5f);
        assertArrayEquals(new float[] {0.75f, -0.5f}, t.outerMomentum(), 0f);
        assertArrayEquals(new float[] {0.375f, -1.25f}, p, 0f);
        // round 3, w: x0 = 0.375, x̄ = 0.375: u = 0.375, x = 0.375 − 0.1875 = 0.1875
        //          b: x0 = −1.25, x̄ = −1: u = −0.25 + (−0.25/0.5) = −0.75, x = −1.25 + 0.375 = −0.875
        round(r, t, 0.375f, -1f);
        assertArrayEquals(new float[] {0.375f, -0.75f}, t.outerMomentum(), 0f);
        assertArrayEquals(new float[] {0.1875f, -0.875f}, p, 0f);
    }

    @Test
    void threeRoundsWithAnOuterRateOfTwoMatchTheHandComputation() {
        Trainer t = trainer();
        RoundRule r = new Averaging(AveragingMode.PARAMETER, 2, 0).withSlowMo(new SlowMo(0.5f, 2f)).rule();
        float[] p = t.network().params();
        p[0] = 1f;
        p[1] = 0f;
        // w: x0 = 1, x̄ = 0.75: u = 0.5, x = 1 − 2·0.5·0.5 = 0.5 (b stays: x̄ = x0 = 0, u = 0)
        round(r, t, 0.75f, 0f);
        assertArrayEquals(new float[] {0.5f, 0f}, t.outerMomentum(), 0f);
        assertArrayEquals(new float[] {0.5f, 0f}, p, 0f);
        // w: x0 = 0.5, x̄ = 0.25: u = 0.25 + 0.5 = 0.75, x = 0.5 − 1·0.75 = −0.25; b: x̄ = 0.5: u = −1, x = 1
        round(r, t, 0.25f, 0.5f);
        assertArrayEquals(new float[] {0.75f, -1f}, t.outerMomentum(), 0f);
        assertArrayEquals(new float[] {-0.25f, 1f}, p, 0f);
        // w: x0 = x̄ = −0.25: u = 0.375, x = −0.25 − 0.375 = −0.625; b: x0 = x̄ = 1: u = −0.5, x = 1 + 0.5 = 1.5
        round(r, t, -0.25f, 1f);
        assertArrayEquals(new float[] {0.375f, -0.5f}, t.outerMomentum(), 0f);
        assertArrayEquals(new float[] {-0.625f, 1.5f}, p, 0f);
    }

    @Test
    void theStepAgreesWithADoublePrecisionComputationOnAwkwardNumbers() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        int n = 1000;
        float[] x0 = new float[n];
        float[] avg = new float[n];
        float[] u = new float[n];
        for (int i = 0; i < n; i++) {
            x0[i] = (float) rnd.nextGaussian();
            avg[i] = x0[i] - 0.01f * (float) rnd.nextGaussian();
            u[i] = (float) rnd.nextGaussian();
        }
        float beta = 0.7f;
        float alpha = 1.3f;
        float lr = 0.03f;
        float[] x = avg.clone();
        float[] u2 = u.clone();
        RoundVector.outerMomentumStep(x, x0, u2, beta, alpha, lr);
        for (int i = 0; i < n; i++) {
            double ue = (double) beta * u[i] + ((double) x0[i] - avg[i]) / lr;
            double xe = x0[i] - (double) alpha * lr * ue;
            assertEquals(ue, u2[i], 1e-5 * (1 + Math.abs(ue)), "u " + i);
            assertEquals(xe, x[i], 1e-6 * (1 + Math.abs(xe)), "x " + i);
        }
    }

    @Test
    void momentumZeroAndRateOneIsPlainAveragingAndTakesTheOldPath() {
        // the formula itself gives x̄ only within float rounding: x0 − (x0 − x̄) need not be x̄ bit for bit
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(4);
        float[] x0 = new float[200];
        float[] avg = new float[200];
        for (int i = 0; i < x0.length; i++) {
            x0[i] = (float) rnd.nextGaussian();
            avg[i] = x0[i] + 0.001f * (float) rnd.nextGaussian();
        }
        float[] x = avg.clone();
        RoundVector.outerMomentumStep(x, x0, new float[x.length], 0f, 1f, 0.1f);
        for (int i = 0; i < x.length; i++) {
            assertEquals(avg[i], x[i], 2 * Math.ulp(x0[i]) + 2 * Math.ulp(avg[i]), "entry " + i);
        }
        // so off, the rule is the one without SlowMo and the average is x̄ itself
        assertFalse(SlowMo.OFF.enabled());
        assertFalse(new SlowMo(0f, 1f).enabled());
        assertTrue(new SlowMo(0f, 0.5f).enabled());
        assertTrue(new SlowMo(0.9f, 1f).enabled());
        Averaging a = new Averaging(AveragingMode.PARAMETER, 2, 0);
        assertEquals(a, a.withSlowMo(new SlowMo(0f, 1f)));
        assertEquals(new ParameterRounds(2, 0, false), a.withSlowMo(new SlowMo(0f, 1f)).rule());
        Trainer t = trainer();
        float[] p = t.network().params();
        p[0] = 1f;
        p[1] = -2f;
        round(a.rule(), t, 0.3f, 0.7f);
        assertArrayEquals(new float[] {0.3f, 0.7f}, p, 0f);
        assertNull(t.outerMomentum(), "no momentum buffer without SlowMo");
    }

    @Test
    void badValuesNameTheirFlagAndGradientModeRefusesSlowMo() {
        assertEquals("--outer-momentum must be in [0, 1), got 1.0", assertThrows(IllegalArgumentException.class,
                () -> new SlowMo(1f, 1f)).getMessage());
        assertEquals("--outer-momentum must be in [0, 1), got -0.1", assertThrows(IllegalArgumentException.class,
                () -> new SlowMo(-0.1f, 1f)).getMessage());
        assertEquals("--outer-lr must be a number above 0, got 0.0", assertThrows(IllegalArgumentException.class,
                () -> new SlowMo(0.5f, 0f)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SlowMo(Float.NaN, 1f));
        assertThrows(IllegalArgumentException.class, () -> new SlowMo(0.5f, Float.POSITIVE_INFINITY));
        String e = assertThrows(IllegalArgumentException.class, () -> new Averaging(AveragingMode.GRADIENT, 1, 0)
                .withSlowMo(new SlowMo(0.5f, 1f))).getMessage();
        assertTrue(e.contains("--outer-momentum and --outer-lr") && e.contains("--mode parameter"), e);
        // off is allowed in gradient mode (it is the default)
        assertEquals(new GradientRounds(), new Averaging(AveragingMode.GRADIENT, 1, 0).withSlowMo(SlowMo.OFF).rule());
        assertEquals("parameter averaging every 4 step(s), outer momentum 0.5, outer lr 1.0 (SlowMo)",
                new Averaging(AveragingMode.PARAMETER, 4, 0).withSlowMo(new SlowMo(0.5f, 1f)).describe());
    }

    @Test
    void synchronousEpochsLeaveTheMomentumAloneThenTheParameterRoundsUseIt() {
        Averaging a = new Averaging(AveragingMode.PARAMETER, 4, 0).withSyncEpochs(1).withSlowMo(new SlowMo(0.5f, 1f));
        assertEquals(new GradientRounds(), a.rule(1));
        assertEquals(new ParameterRounds(4, 0, false, new SlowMo(0.5f, 1f)), a.rule(2));
    }

    @Test
    void theStateOfATrainerCarriesItsMomentumAndAStateWithoutOneMeansZero() {
        Trainer t = trainer();
        int base = RoundVector.stateLength(t.network(), t.optimizer());
        assertEquals(base, RoundVector.packState(t).length);
        t.setOuterMomentum(new float[] {0.25f, -4f});
        float[] s = RoundVector.packState(t);
        assertEquals(base + 2, s.length);
        assertEquals(base + 2, RoundVector.stateLength(t));
        Trainer r = trainer();
        RoundVector.unpackState(s, r);
        assertArrayEquals(new float[] {0.25f, -4f}, r.outerMomentum(), 0f);
        RoundVector.unpackState(java.util.Arrays.copyOf(s, base), r);
        assertArrayEquals(new float[] {0f, 0f}, r.outerMomentum(), 0f);
        assertThrows(IllegalArgumentException.class, () -> RoundVector.unpackState(new float[base + 1], r));
    }
}
