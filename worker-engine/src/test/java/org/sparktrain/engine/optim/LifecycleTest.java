package org.sparktrain.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.ParamRanges;

/** initialise / step / state / copy / reset / step count, for every optimizer. */
class LifecycleTest {
    private static final int N = 5;

    private static List<Optimizer> all() {
        Adam adamW = Adam.adamW(0.01, 0.1);
        adamW.setDecayRanges(ParamRanges.of(new int[] {0}, new int[] {3}));
        return List.of(new Sgd(0.1), new Sgd(0.1, 0.9, false), new Sgd(0.1, 0.9, true), new Adagrad(0.1),
                new RmsProp(0.01), new Adam(0.01), adamW);
    }

    private static float[] params() {
        return new float[] {0.5f, -1f, 2f, 0.25f, -0.75f};
    }

    private static float[] grads() {
        return new float[] {0.1f, -0.2f, 0.3f, 0f, 1f};
    }

    @Test
    void stateLengths() {
        int[] expected = {0, N, N, N, N, 2 * N, 2 * N};
        List<Optimizer> opts = all();
        for (int k = 0; k < opts.size(); k++) {
            Optimizer o = opts.get(k);
            o.initialise(N);
            assertEquals(expected[k], o.state().length, o.describe());
            for (float s : o.state()) {
                assertEquals(0f, s, o.describe() + " state starts at 0");
            }
        }
    }

    @Test
    void stateIsLiveAndCopyHasSameConfigFreshState() {
        for (Optimizer o : all()) {
            o.initialise(N);
            float[] w = params();
            o.step(w, grads());
            o.step(w, grads());
            float[] live = o.state();
            assertSame(live, o.state(), o.describe() + ": state() is the live array");

            Optimizer c = o.copy();
            assertNotSame(o, c);
            assertEquals(o.describe(), c.describe());
            assertEquals(0, c.stepCount());
            assertThrows(IllegalStateException.class, c::state, "a copy is uninitialised");
            c.initialise(N);
            assertEquals(o.state().length, c.state().length);
            if (c.state().length > 0) {
                assertNotSame(o.state(), c.state());
            }

            // Same configuration: two copies started from scratch take exactly the same first steps (the
            // original has stepped already; reset() bringing it back is the next test's subject).
            Optimizer fresh = o.copy();
            fresh.initialise(N);
            float[] w1 = params();
            float[] w2 = params();
            for (int s = 0; s < 3; s++) {
                c.step(w1, grads());
                fresh.step(w2, grads());
            }
            assertArrayEquals(w2, w1, 0f, o.describe());
            if (o instanceof Adam && ((Adam) o).weightDecay() > 0) {
                assertSame(((Adam) o).decayRanges(), ((Adam) c).decayRanges(), "copy keeps the decay ranges");
            }
        }
    }

    @Test
    void resetZeroesStateAndStepCountAndThenMatchesAFreshRun() {
        for (Optimizer o : all()) {
            o.initialise(N);
            float[] w = params();
            o.step(w, grads());
            o.step(w, grads());
            assertEquals(2, o.stepCount());
            o.reset();
            assertEquals(0, o.stepCount());
            for (float s : o.state()) {
                assertEquals(0f, s, o.describe());
            }
            Optimizer fresh = o.copy();
            fresh.initialise(N);
            float[] a = params();
            float[] b = params();
            o.step(a, grads());
            fresh.step(b, grads());
            assertArrayEquals(b, a, 0f, o.describe());
        }
    }

    @Test
    void restoringStateAndStepCountContinuesExactly() {
        // What a checkpoint restore or a driver broadcast does: copy, initialise, load state + step count.
        for (Optimizer o : all()) {
            o.initialise(N);
            float[] w = params();
            for (int s = 0; s < 3; s++) {
                o.step(w, grads());
            }
            Optimizer r = o.copy();
            r.initialise(N);
            System.arraycopy(o.state(), 0, r.state(), 0, o.state().length);
            r.setStepCount(o.stepCount());
            float[] w2 = w.clone();
            o.step(w, grads());
            r.step(w2, grads());
            assertArrayEquals(w, w2, 0f, o.describe());
            assertEquals(4, r.stepCount());
        }
    }

    @Test
    void adamStepCountDrivesBiasCorrection() {
        // With a wrong step count the update differs: proves setStepCount is used, not ignored.
        Adam a = new Adam(0.01);
        Adam b = new Adam(0.01);
        a.initialise(1);
        b.initialise(1);
        b.setStepCount(100);
        float[] wa = {1f};
        float[] wb = {1f};
        a.step(wa, new float[] {1f});
        b.step(wb, new float[] {1f});
        // t = 1: update = lr exactly (m̂ = g, v̂ = g²) → 0.99.
        assertEquals(0.99f, wa[0], 1e-6f);
        // t = 101, g = 1 (state was 0, so m = 0.1, v = 0.001):
        //   1 − 0.9^101 = 0.99997609,  1 − 0.999^101 = 0.09611265
        //   m̂ = 0.1/0.99997609 = 0.10000239,  v̂ = 0.001/0.09611265 = 0.01040446,  sqrt = 0.10200225
        //   update = 0.01·0.10000239/0.10200225 = 0.00980394  → w = 0.99019606 (vs 0.99 at t = 1)
        assertEquals(0.99019606f, wb[0], 1e-6f);
        assertEquals(101, b.stepCount());
    }

    @Test
    void misuseFailsWithAMessage() {
        Sgd s = new Sgd(0.1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.step(new float[1], new float[1]));
        assertTrue(e.getMessage().contains("initialise"), e.getMessage());
        s.initialise(2);
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> s.step(new float[2], new float[3]));
        assertTrue(e2.getMessage().contains("2 parameters"), e2.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.initialise(-1));
        assertThrows(IllegalArgumentException.class, () -> s.setLearningRate(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> s.setLearningRate(-1f));
        assertThrows(IllegalArgumentException.class, () -> s.setStepCount(-1));
        s.setLearningRate(0.5f);
        assertEquals(0.5f, s.learningRate());
        float[] w = {1f, 1f};
        s.step(w, new float[] {1f, 2f});
        assertArrayEquals(new float[] {0.5f, 0f}, w, 0f);
    }

    @Test
    void adamWWithoutDecayRangesRefusesToStep() {
        Adam a = Adam.adamW(0.01, 0.01);
        a.initialise(2);
        float[] w = {1f, 1f};
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.step(w, new float[2]));
        assertTrue(e.getMessage().contains("setDecayRanges"), e.getMessage());
        assertEquals(0, a.stepCount(), "a failed step does not count");
        assertArrayEquals(new float[] {1f, 1f}, w, 0f);
        assertThrows(IllegalArgumentException.class,
                () -> a.setDecayRanges(ParamRanges.of(new int[] {1}, new int[] {2})), "range past the end");
    }

    @Test
    void describeNamesTheHyperParameters() {
        assertEquals("adam(lr=0.001, b1=0.9, b2=0.999, eps=1e-8)", new Adam(1e-3).describe());
        assertEquals("adamw(lr=0.001, b1=0.9, b2=0.999, eps=1e-8, wd=0.01)", Adam.adamW(1e-3, 0.01).describe());
        assertEquals("sgd(lr=0.1, momentum=0.9, nesterov=true)", new Sgd(0.1, 0.9, true).describe());
        assertEquals("adagrad(lr=0.01, eps=1e-10)", new Adagrad(0.01).describe());
        assertEquals("rmsprop(lr=0.001, alpha=0.99, eps=1e-8)", new RmsProp(0.001).describe());
    }
}
