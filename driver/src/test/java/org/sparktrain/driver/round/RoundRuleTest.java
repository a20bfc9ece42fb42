package org.sparktrain.driver.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The round plan and the mode names; what a round computes is checked against single-machine training in
 * {@code ParameterAveragingMasterTest} and across transports in {@code BarrierTrainingTest}. */
class RoundRuleTest {

    @Test
    void parameterRoundsTakeOneStepDuringTheWarmUpThenKAndTheRemainder() {
        RoundRule r = new Averaging(AveragingMode.PARAMETER, 3, 2).rule();
        assertArrayEquals(new int[] {1, 1, 3, 3, 2}, r.plan(0, 10));
        // the warm-up counts rounds of the run, not of the epoch: a later epoch starts with K
        assertArrayEquals(new int[] {3, 3, 3, 1}, r.plan(5, 10));
        assertArrayEquals(new int[] {1}, r.plan(1, 1));
        assertArrayEquals(new int[0], r.plan(0, 0));
    }

    @Test
    void gradientRoundsAreOneStepEach() {
        RoundRule r = new Averaging(AveragingMode.GRADIENT, 5, 0).rule();
        assertArrayEquals(new int[] {1, 1, 1, 1}, r.plan(0, 4));
        assertEquals(1, new Averaging(AveragingMode.GRADIENT, 5, 0).stepsPerRound());
        assertEquals(5, new Averaging(AveragingMode.PARAMETER, 5, 9).stepsPerRound());
    }

    @Test
    void modesParseByNameSingularOrPluralAndTheErrorListsThem() {
        assertEquals(AveragingMode.PARAMETER, AveragingMode.parse("parameters"));
        assertEquals(AveragingMode.GRADIENT, AveragingMode.parse("gradient"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AveragingMode.parse("ring"));
        assertEquals("--mode must be parameter or gradient, got 'ring'", e.getMessage());
    }

    @Test
    void badSettingsNameTheirFlag() {
        assertEquals("--averaging-frequency must be >= 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> new Averaging(AveragingMode.PARAMETER, 0, 0)).getMessage());
        assertEquals("--warmup-rounds must be >= 0, got -1", assertThrows(IllegalArgumentException.class,
                () -> new Averaging(AveragingMode.PARAMETER, 1, -1)).getMessage());
    }

    @Test
    void kPerEpochFromAListTheLastForEveryLaterEpoch() {
        Averaging a = new Averaging(AveragingMode.PARAMETER, java.util.List.of(1, 5, 20), 0, 0,
                Averaging.OptimizerState.AVERAGE);
        assertArrayEquals(new int[] {1, 1, 1}, a.rule(1).plan(0, 3));
        assertArrayEquals(new int[] {5, 5, 2}, a.rule(2).plan(3, 12));
        assertArrayEquals(new int[] {20, 5}, a.rule(3).plan(10, 25));
        assertArrayEquals(new int[] {20, 5}, a.rule(9).plan(10, 25));
        assertEquals("parameter averaging every 1,5,20 step(s) by epoch", a.describe());
    }

    @Test
    void synchronousEpochsAverageGradientsThenTheModesRoundsBegin() {
        Averaging a = new Averaging(AveragingMode.PARAMETER, 4, 0).withSyncEpochs(2);
        assertEquals(new GradientRounds(), a.rule(1));
        assertEquals(new GradientRounds(), a.rule(2));
        assertEquals(new ParameterRounds(4, 0, false), a.rule(3));
        assertEquals("parameter averaging every 4 step(s), after 2 synchronous epoch(s)", a.describe());
        assertEquals("gradient averaging every step", new Averaging(AveragingMode.GRADIENT, 4, 0).describe());
    }

    @Test
    void optimizerStateIsAveragedOrResetAfterTheAverage() {
        org.sparktrain.engine.spec.ModelSpec spec = org.sparktrain.engine.spec.ModelSpec.parse("""
                input: [3]
                layers: [{type: dense, units: 2, activation: softmax}]
                optimizer: {type: adam, lr: 0.1}
                """, "t.yaml");
        for (boolean reset : new boolean[] {false, true}) {
            org.sparktrain.engine.train.Trainer t = org.sparktrain.engine.train.Trainer.fromSpec(
                    org.sparktrain.engine.Network.build(spec, 1), spec.training());
            float[] state = t.optimizer().state();
            java.util.Arrays.fill(state, 0.25f); // two workers' moments, as if summed: 0.5 each
            float[] sum = org.sparktrain.engine.train.RoundVector.packResult(t.network(), t.optimizer(), 3.0, 4);
            for (int i = 0; i < sum.length - 2; i++) {
                sum[i] *= 2; // the sum of two identical workers
            }
            float[] params = t.network().params().clone();
            RoundRule r = new Averaging(AveragingMode.PARAMETER, 2, 0).withOptimizerState(reset
                    ? Averaging.OptimizerState.RESET : Averaging.OptimizerState.AVERAGE).rule();
            r.combine(t, sum, 2, 10, 2);
            assertArrayEquals(params, t.network().params(), "the average of two identical models is the model");
            for (float v : t.optimizer().state()) {
                assertEquals(reset ? 0f : 0.25f, v, 0f);
            }
            assertEquals(12, t.optimizer().stepCount());
        }
    }

    @Test
    void theLinearScalingRuleReachesItsRateInEqualStepsOverTheWarmUp() {
        LearningRateScaling r = new LearningRateScaling(64, 3);
        float[] expected = {0.1f, 0.2f, 0.3f, 0.4f, 0.4f};
        for (int e = 1; e <= 5; e++) {
            assertEquals(expected[e - 1], r.rate(0.1f, 256, e), 1e-7f, "epoch " + e);
        }
        assertEquals(0.4f, new LearningRateScaling(64, 0).rate(0.1f, 256, 1), 1e-7f);
        assertEquals(0.05f, new LearningRateScaling(128, 0).rate(0.1f, 64, 7), 1e-7f, "a smaller batch, a smaller rate");
    }
}
