package org.sparktrain.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cold phase's switch rule (docs/architecture.md, "Cold JVMs"), whatever sparktrain.kernels.cold says. */
class ColdPhaseTest {

    @AfterEach
    void rule() {
        ColdPhase.force(null);
        ColdPhase.vectorOnThisThread(false);
    }

    /** Reports a call of {@code nanos} ns that did {@code work} units. */
    private static void twin(ColdPhase p, long nanos, long work) {
        p.twinTook(System.nanoTime() - nanos, work);
    }

    private static void vector(ColdPhase p, long nanos, long work) {
        p.vectorTook(System.nanoTime() - nanos, work);
    }

    @Test
    void theInThreadRuleSpendsABudgetOnTheVectorKernelAndSwitchesWhenItIsAsFast() {
        ColdPhase p = new ColdPhase("test-rule", null, true);
        assertFalse(p.vector(), "a cold phase starts on the twin");
        assertTrue(p.timed());
        assertFalse(p.tryVector(), "the first call goes to the twin");
        twin(p, 1_000_000, 1000); // 1000 ns per unit
        assertTrue(p.tryVector(), "within the budget: a vector call");
        vector(p, 50_000_000, 1000); // boxed: 50x slower
        int twins = 0;
        while (!p.tryVector()) {
            twin(p, 1_000_000, 1000);
            twins++;
        }
        // the vector call took 50 ms: the next one comes once it is at most 20% of the time
        assertTrue(twins >= 190 && twins <= 200, "twin calls before the next vector call: " + twins);
        vector(p, 900_000, 1000); // as fast as the twin: once is not enough
        assertFalse(p.vector());
        vector(p, 900_000, 1000);
        assertTrue(p.vector(), "two fast vector calls in a row end the phase");
        assertTrue(p.isWarm());
    }

    @Test
    void aSlowVectorCallBetweenFastOnesRestartsTheCount() {
        ColdPhase p = new ColdPhase("test-streak", null, true);
        twin(p, 1_000_000, 1000);
        vector(p, 500_000, 1000);
        vector(p, 5_000_000, 1000);
        vector(p, 500_000, 1000);
        assertFalse(p.isWarm(), "fast, slow, fast: not two in a row");
        vector(p, 500_000, 1000);
        assertTrue(p.isWarm());
    }

    @Test
    void forcedSidesAndWarmUpThreadsOverrideTheRule() {
        ColdPhase cold = new ColdPhase("test-forced-cold", null, true);
        ColdPhase warm = new ColdPhase("test-forced-warm", null, false);
        assertTrue(warm.vector());
        assertFalse(cold.vector());
        ColdPhase.force(ColdPhase.Side.TWIN);
        assertFalse(warm.vector());
        assertFalse(warm.timed(), "forced twins are not timed");
        ColdPhase.force(ColdPhase.Side.VECTOR);
        assertTrue(cold.vector());
        ColdPhase.force(null);
        ColdPhase.vectorOnThisThread(true);
        assertTrue(cold.vector(), "a warm-up thread calls the vector kernels");
        ColdPhase.vectorOnThisThread(false);
        assertFalse(cold.vector());
    }

    @Test
    void theWarmerEndsAPhaseOnceItsVectorKernelIsCompiled() throws InterruptedException {
        if (!ColdWarmer.supported()) {
            return; // not HotSpot's allocation counter: nothing to tell compiled code by
        }
        Elementwise relu = new VectorElementwise();
        float[] x = new float[77];
        float[] y = new float[77];
        ColdPhase p = new ColdPhase("test-warmer", () -> relu.relu(x, y, 77), true);
        assertFalse(p.tryVector(), "while the warmer compiles the kernel, the run's calls go to the twin");
        twin(p, 1_000, 1);
        assertFalse(p.tryVector(), "no in-thread vector samples while the warmer works");
        long until = System.nanoTime() + 60_000_000_000L;
        while (!p.isWarm() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertTrue(p.isWarm(), "the warmer did not end the phase in 60 s: " + p);
        assertTrue(p.vector());
    }
}
