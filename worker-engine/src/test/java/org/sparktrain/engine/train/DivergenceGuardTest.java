package org.sparktrain.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The divergence guard's rule: N rounds in a row above factor × the best window mean, and nothing else. */
class DivergenceGuardTest {

    @Test
    void aNoisyConvergingLossNeverTriggersTheDefaults() {
        DivergenceGuard g = new DivergenceGuard(DivergenceGuard.Settings.defaults());
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 5_000; i++) {
            double mean = 2.3 * Math.exp(-i / 300.0) + 0.02;
            double loss = mean * (0.3 + 1.4 * r.nextDouble()); // ±70% round-to-round noise
            // every 20th round is an epoch's last: one small minibatch, sometimes a near-zero loss
            double examples = i % 20 == 19 ? 1 : 320;
            if (i % 20 == 19) {
                loss = mean * 0.01;
            }
            assertFalse(g.observe(loss * examples, examples), "round " + i);
        }
    }

    @Test
    void aLossThatStaysTenTimesAboveTheBestStopsAfterTheStatedRounds() {
        DivergenceGuard g = new DivergenceGuard(new DivergenceGuard.Settings(10, 5));
        for (int i = 0; i < 20; i++) {
            assertFalse(g.observe(0.5 * 100, 100));
        }
        assertEquals(0.5, g.best(), 1e-12);
        for (int i = 1; i <= 4; i++) {
            assertFalse(g.observe(6.0 * 100, 100), "round " + i + " above");
            assertEquals(i, g.roundsAbove());
        }
        assertTrue(g.observe(1e17 * 100, 100));
        // one round back below the limit starts the count again
        DivergenceGuard h = new DivergenceGuard(new DivergenceGuard.Settings(10, 3));
        h.observe(50, 100);
        h.observe(600, 100);
        h.observe(600, 100);
        assertFalse(h.observe(100, 100));
        assertEquals(0, h.roundsAbove());
    }

    @Test
    void aLossThatExplodesInTheFirstRoundIsMeasuredAgainstAGuess() {
        // without a reference the exploded first round would be the best loss, and a plateau at 400 would look fine
        DivergenceGuard none = new DivergenceGuard(new DivergenceGuard.Settings(10, 3));
        DivergenceGuard chance = new DivergenceGuard(new DivergenceGuard.Settings(10, 3), Math.log(3));
        boolean stoppedNone = false;
        boolean stoppedChance = false;
        for (double loss : new double[] {1e7, 400, 380, 410, 390}) {
            stoppedNone |= none.observe(loss * 50, 50);
            stoppedChance |= chance.observe(loss * 50, 50);
        }
        assertFalse(stoppedNone);
        assertTrue(stoppedChance);
    }

    @Test
    void copiesAgreeAndOffNeverStops() {
        DivergenceGuard g = new DivergenceGuard(new DivergenceGuard.Settings(10, 3));
        g.observe(10, 100);
        DivergenceGuard c = g.copy();
        for (int i = 0; i < 3; i++) {
            assertEquals(g.observe(1e4, 100), c.observe(1e4, 100));
        }
        assertTrue(c.roundsAbove() == 3 && g.roundsAbove() == 3);
        DivergenceGuard off = new DivergenceGuard(DivergenceGuard.Settings.off());
        off.observe(1, 100);
        for (int i = 0; i < 200; i++) {
            assertFalse(off.observe(1e20, 100));
        }
        assertThrows(IllegalArgumentException.class, () -> new DivergenceGuard.Settings(0.5, 3));
        assertThrows(IllegalArgumentException.class, () -> new DivergenceGuard.Settings(10, 0));
    }
}
