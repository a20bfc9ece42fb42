package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** ByteRange gives exactly the minima and maxima a plain loop gives, for every pair of bytes and odd widths. */
class ByteRangeTest {
    @Test
    void atLeastComparesEveryPairOfUnsignedBytes() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                // a in byte 0, b in byte 7 of the other word, the reverse elsewhere: the lanes do not interfere
                long x = a | (long) b << 56 | 0x0000_5A00_00FF_0000L;
                long y = b | (long) a << 56 | 0x0000_A500_0000_0000L;
                long ge = ByteRange.atLeast(x, y);
                assertEquals(a >= b ? 0xFF : 0, ge & 0xFF, a + " >= " + b);
                assertEquals(b >= a ? 0xFF : 0, ge >>> 56, b + " >= " + a + " (top byte)");
                assertEquals(0, (ge >>> 40) & 0xFF, "0x5A >= 0xA5 is false");
                assertEquals(0xFF, (ge >>> 16) & 0xFF, "0xFF >= 0x00");
            }
        }
    }

    @Test
    void equalsPlainMinimaAndMaximaForAnyWidthAndRowCount() {
        Random rnd = new Random(5);
        int[][] cases = {{256, 4096}, {784, 300}, {13, 1000}, {8, 3}, {5, 2}, {1, 40}, {16, 1}};
        for (int[] c : cases) {
            int f = c[0];
            int rows = c[1];
            int offset = 3; // rows need not start at a multiple of 8
            byte[] x = new byte[offset + rows * f];
            for (int i = offset; i < x.length; i++) { // a narrow band per feature, so extremes are not always 0 / 255
                int k = (i - offset) % f;
                x[i] = (byte) (k * 7 % 200 + rnd.nextInt(56));
            }
            ByteRange r = new ByteRange(f);
            int[] mn = new int[f];
            int[] mx = new int[f];
            java.util.Arrays.fill(mn, 255);
            for (int i = 0; i < rows; i++) {
                r.add(x, offset + i * f);
                for (int k = 0; k < f; k++) {
                    int b = x[offset + i * f + k] & 0xff;
                    mn[k] = Math.min(mn[k], b);
                    mx[k] = Math.max(mx[k], b);
                }
            }
            for (int k = 0; k < f; k++) {
                assertEquals(mn[k], r.min(k), "min of feature " + k + ", " + f + " features, " + rows + " rows");
                assertEquals(mx[k], r.max(k), "max of feature " + k + ", " + f + " features, " + rows + " rows");
            }
        }
    }

    @Test
    void aRowOutsideTheArrayIsRefused() {
        ByteRange r = new ByteRange(16);
        assertThrows(IndexOutOfBoundsException.class, () -> r.add(new byte[20], 5));
        assertThrows(IndexOutOfBoundsException.class, () -> r.add(new byte[20], -1));
    }
}
