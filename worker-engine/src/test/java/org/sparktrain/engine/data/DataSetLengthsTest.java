package org.sparktrain.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparktrain.engine.Shape;

/** Sequence lengths become the mask of every minibatch drawn from a data set (gather and slice). */
class DataSetLengthsTest {
    static final Shape SHAPE = Shape.of(4, 2);

    static DataSet data() {
        return DataSet.classification(SHAPE, new float[3 * 8], new int[] {0, 1, 0}).withLengths(new int[] {4, 1, 3});
    }

    @Test
    void gatherAndSliceBuildTheMaskFromTheLengths() {
        DataSet d = data();
        MiniBatch b = MiniBatch.allocate(3, 8, true, 0);
        d.gather(new int[] {2, 0, 1}, 0, 3, b);
        assertArrayEquals(new float[] {1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0}, java.util.Arrays.copyOf(b.mask, 12));
        d.slice(1, 2, b);
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 1, 1, 0}, java.util.Arrays.copyOf(b.mask, 8));
        assertArrayEquals(new int[] {4, 1}, java.util.Arrays.copyOf(d.head(2).lengths(), 2));
        // a data set without lengths leaves no stale mask behind
        DataSet.classification(SHAPE, new float[8], new int[] {1}).slice(0, 1, b);
        assertNull(b.mask);
    }

    @Test
    void refusesLengthsThatDoNotFit() {
        DataSet d = DataSet.classification(SHAPE, new float[2 * 8], new int[] {0, 1});
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.withLengths(new int[] {5, 1}))
                .getMessage().contains("example 0 has length 5"));
        assertThrows(IllegalArgumentException.class, () -> d.withLengths(new int[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> DataSet.classification(Shape.of(8), new float[8], new int[] {0}).withLengths(new int[] {1}));
    }
}
