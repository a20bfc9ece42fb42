package org.sparktrain.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The divergence guard's rule: the mean of the last N rounds above factor × the best such mean, and nothing else. */
class DivergenceGuardTest {

    @Test
    void aNoisyConvergingLossNeverTriggersTheDefaults() {
        DivergenceGuard g = new DivergenceGuard(DivergenceGuard.Settings.defaults(), Math.log(10));
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
            assertFalse(g.aboveLimit());
        }
    }

    @Test
    void aWindowMeanTenTimesAboveTheBestStops() {
        DivergenceGuard g = new DivergenceGuard(new DivergenceGuard.Settings(10, 4));
        for (int i = 0; i < 20; i++) {
            assertFalse(g.observe(0.5 * 100, 100));
        }
        assertEquals(0.5, g.best(), 1e-12);
        // window means 2.625, then 4.75: below 10 x 0.5; then (0.5 + 9 + 9 + 9) / 4 = 6.875: stop
        assertFalse(g.observe(9 * 100, 100));
        assertFalse(g.observe(9 * 100, 100));
        assertFalse(g.aboveLimit());
        assertTrue(g.observe(9 * 100, 100));
        assertTrue(g.aboveLimit());
        assertEquals(6.875, g.windowMean(), 1e-12);
    }

    @Test
    void aDivergedNetworksSaturatedRoundsAreCaughtByTheMean() {
        // saturated outputs: most rounds score 0, one in five 10,000: a count of rounds above a limit misses it
        DivergenceGuard g = new DivergenceGuard(new DivergenceGuard.Settings(10, 5), Math.log(3));
        boolean stopped = false;
        for (int i = 0; i < 10 && !stopped; i++) {
            stopped = g.observe(i % 5 == 2 ? 10_000 * 16 : 0, 16);
        }
        assertTrue(stopped);
    }

    @Test
    void aLossThatExplodesInTheFirstRoundsIsMeasuredAgainstAGuess() {
        // without a reference the exploded first window would be the best, and a plateau at 400 would look fine
        DivergenceGuard none = new DivergenceGuard(new DivergenceGuard.Settings(10, 2));
        DivergenceGuard chance = new DivergenceGuard(new DivergenceGuard.Settings(10, 2), Math.log(3));
        boolean stoppedNone = false;
        boolean stoppedChance = false;
        for (double loss : new double[] {1e7, 1e6, 400, 380, 410, 390}) {
            stoppedNone |= none.observe(loss * 50, 50);
            stoppedChance |= chance.observe(loss * 50, 50);
        }
        assertFalse(stoppedNone);
        assertTrue(stoppedChance);
    }

    @Test
    void aLossNearZeroThatWobblesFarBelowWhereItStartedIsNotDivergence() {
        // separable data (the 1M-row benchmark CSV): the loss falls to 1e-4, then a stretch at 1.2e-3 is 12x the
        // best window mean but far below where the run started; a later run-away above the start still stops
        DivergenceGuard g = new DivergenceGuard(DivergenceGuard.Settings.defaults(), Math.log(4));
        for (int i = 0; i < 1000; i++) {
            double loss = Math.max(1e-4, 1.2 * Math.exp(-i / 50.0));
            assertFalse(g.observe(loss * 64, 64), "round " + i);
        }
        for (int i = 0; i < 200; i++) {
            assertFalse(g.observe(1.2e-3 * 64, 64), "wobble round " + i);
        }
        boolean stopped = false;
        for (int i = 0; i < 60 && !stopped; i++) {
            stopped = g.observe(50.0 * 64, 64);
        }
        assertTrue(stopped, "a loss above where the run started, 10x the best: diverged");
    }

    @Test
    void copiesAgreeAndOffNeverStops() {
        DivergenceGuard g = new DivergenceGuard(new DivergenceGuard.Settings(10, 3));
        for (int i = 0; i < 3; i++) {
            g.observe(10, 100);
        }
        DivergenceGuard c = g.copy();
        for (int i = 0; i < 3; i++) {
            assertEquals(g.observe(1e4, 100), c.observe(1e4, 100));
        }
        assertEquals(g.windowMean(), c.windowMean());
        assertTrue(g.aboveLimit() && c.aboveLimit());
        DivergenceGuard off = new DivergenceGuard(DivergenceGuard.Settings.off(), Math.log(3));
        for (int i = 0; i < 200; i++) {
            assertFalse(off.observe(1e20, 100));
        }
        assertFalse(off.aboveLimit());
        assertThrows(IllegalArgumentException.class, () -> new DivergenceGuard.Settings(0.5, 3));
        assertThrows(IllegalArgumentException.class, () -> new DivergenceGuard.Settings(10, 0));
    }
}
