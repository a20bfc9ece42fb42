package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** ByteSums gives exactly the sums a plain loop gives, across its flush boundaries and odd feature counts. */
class ByteSumsTest {
    @Test
    void equalsPlainSumsForAnyWidthAndRowCount() {
        Random rnd = new Random(11);
        int[][] cases = {{784, 17_000}, {13, 16_385}, {8, 257}, {5, 3}, {16, 1}, {1, 40}};
        for (int[] c : cases) {
            int f = c[0];
            int rows = c[1];
            byte[] x = new byte[rows * f + 7];
            rnd.nextBytes(x);
            if (rows > 300) { // all-255 rows at the start: the lanes' largest possible sums
                java.util.Arrays.fill(x, 0, 300 * f, (byte) 255);
            }
            int offset = 3; // rows need not start at a multiple of 8
            ByteSums s = new ByteSums(f);
            long[] sum = new long[f];
            long[] sumSq = new long[f];
            for (int i = 0; i < rows; i++) {
                if (offset + (i + 1) * f > x.length) {
                    break;
                }
                s.add(x, offset + i * f);
                for (int k = 0; k < f; k++) {
                    int b = x[offset + i * f + k] & 0xff;
                    sum[k] += b;
                    sumSq[k] += (long) b * b;
                }
            }
            s.finish();
            assertArrayEquals(sum, s.sum, "Σb, " + f + " features, " + rows + " rows");
            assertArrayEquals(sumSq, s.sumSq, "Σb², " + f + " features, " + rows + " rows");
        }
    }

    @Test
    void aRowOutsideTheArrayIsRefused() {
        ByteSums s = new ByteSums(16);
        assertThrows(IndexOutOfBoundsException.class, () -> s.add(new byte[20], 5));
        assertThrows(IndexOutOfBoundsException.class, () -> s.add(new byte[20], -1));
    }
}
