package org.sparktrain.driver.barrier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.data.MiniBatch;

/**
 * A thread's slice of a minibatch of sequences carries its rows' mask (and row weights) with its rows (docs/data-preparation.md,
 * "Sequences"; docs/architecture.md, "Threads inside a task").
 */
class TaskThreadsMaskTest {
    @Test
    void aSliceCarriesItsRowsMask() {
        int steps = 3;
        int f = 2;
        float[] x = new float[4 * steps * f];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        MiniBatch b = new MiniBatch(x, new int[] {0, 1, 0, 1}, null, 4);
        b.mask = new float[] {1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0}; // lengths 1, 2, 3, 2
        MiniBatch into = MiniBatch.allocate(1, steps * f, true, 0);
        MiniBatch s = TaskThreads.slice(b, 1, 3, steps * f, 0, steps, into);
        assertEquals(2, s.size);
        assertArrayEquals(new float[] {1, 1, 0, 1, 1, 1}, Arrays.copyOf(s.mask, 2 * steps), "rows 1 and 2's mask");
        assertArrayEquals(Arrays.copyOfRange(x, steps * f, 3 * steps * f), Arrays.copyOf(s.features, 2 * steps * f));
        assertArrayEquals(new int[] {1, 0}, Arrays.copyOf(s.labels, 2));
        assertEquals(null, s.weights, "no weights: none in the slice");
        b.weights = new float[] {0.5f, 2f, 0f, 3f}; // docs/architecture.md, Conventions, "Row weights"
        s = TaskThreads.slice(b, 1, 3, steps * f, 0, steps, into);
        assertArrayEquals(new float[] {2f, 0f}, Arrays.copyOf(s.weights, 2), "rows 1 and 2's weights");
    }
}
