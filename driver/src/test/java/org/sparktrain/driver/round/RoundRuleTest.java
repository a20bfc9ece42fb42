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
}
