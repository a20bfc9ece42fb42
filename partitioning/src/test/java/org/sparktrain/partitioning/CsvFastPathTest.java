package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The CSV fast path gives exactly what the general path gives, and leaves every other line to it. */
class CsvFastPathTest {
    private static final String[] HEADER = {"a", "label", "b", "c"};
    private static final int[] COLS = {0, 2, 3};

    private static Example fast(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return CsvSource.parseFast(7, b, b.length, ',', HEADER.length, 1, COLS, 5);
    }

    private static Example slow(String line) {
        return CsvSource.parse(7, CsvSource.split(line, ','), HEADER, 1, COLS, 5);
    }

    private static void same(String line) {
        assertNotNull(fast(line), line);
        sameIfFast(line);
    }

    /** When the fast path takes the line, the same example as the general path; returns whether it did. */
    private static boolean sameIfFast(String line) {
        Example f = fast(line);
        if (f == null) {
            return false;
        }
        Example s = slow(line);
        assertNull(s.problem, line);
        assertEquals(s.label, f.label, line);
        assertEquals(s.id, f.id);
        for (int k = 0; k < COLS.length; k++) {
            assertEquals(Float.floatToIntBits(s.features[k]), Float.floatToIntBits(f.features[k]),
                    line + ": feature " + k + " " + s.features[k] + " vs " + f.features[k]);
        }
        return true;
    }

    @Test
    void plainNumbersParseExactlyAsFloatParseFloat() {
        same("1,2,3,4");
        same("0,0,0,0");
        same("-0,4,+2,007");
        same(" 1.5 , 3 ,-2.25,  .5");
        same("1.,0,0.1,0.3");
        same("16777215,1,0.0000000001,999999.9");
        same("255,4,128,3.14159");
        Random r = new Random(42);
        int taken = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < 4; c++) {
                if (c > 0) {
                    sb.append(',');
                }
                if (c == 1) {
                    sb.append(r.nextInt(5));
                    continue;
                }
                if (r.nextBoolean()) {
                    sb.append('-');
                }
                sb.append(r.nextInt(1 << r.nextInt(24)));
                if (r.nextBoolean()) {
                    sb.append('.');
                    int frac = r.nextInt(6);
                    for (int d = 0; d < frac; d++) {
                        sb.append((char) ('0' + r.nextInt(10)));
                    }
                }
            }
            if (sameIfFast(sb.toString())) {
                taken++;
            }
        }
        // the rest have mantissas of 2^24 or more (e.g. 92761.22626), which the fast path leaves alone
        assertEquals(true, taken > 5_000, "fast path took " + taken);
    }

    @Test
    void wideLinesOfIntegersReadEightBytesAtATimeToTheGeneralPathsBits() {
        // 12 columns, the label sixth: lines long enough for the 8-byte word path on most cells, with cells of 1 to 12
        // digits, leading zeros, and now and then a cell the word path must leave to the loop (signs, spaces,
        // fractions, 2^24 and more), for ',' and ';' as delimiters
        String[] header = new String[12];
        int[] cols = new int[11];
        for (int c = 0, k = 0; c < 12; c++) {
            header[c] = "c" + c;
            if (c != 5) {
                cols[k++] = c;
            }
        }
        Random r = new Random(17);
        int taken = 0;
        for (char delim : new char[] {',', ';'}) {
            for (int i = 0; i < 20_000; i++) {
                StringBuilder sb = new StringBuilder();
                for (int c = 0; c < 12; c++) {
                    if (c > 0) {
                        sb.append(delim);
                    }
                    if (c == 5) {
                        sb.append(r.nextInt(10) == 0 ? "0" + r.nextInt(5) : String.valueOf(r.nextInt(5)));
                        continue;
                    }
                    switch (r.nextInt(12)) {
                        case 0 -> sb.append('-').append(r.nextInt(300));
                        case 1 -> sb.append(' ').append(r.nextInt(300)).append(' ');
                        case 2 -> sb.append(r.nextInt(300)).append('.').append(r.nextInt(100));
                        case 3 -> sb.append(16_777_210 + r.nextInt(12)); // both sides of 2^24
                        case 4 -> sb.append(String.format("%08d", r.nextInt(100_000_000))); // 8 digits, leading zeros
                        case 5 -> sb.append(String.format("%012d", r.nextInt(1000))); // 12 digits: the loop's
                        default -> sb.append(r.nextInt(1 << r.nextInt(25)));
                    }
                }
                String line = sb.toString();
                byte[] b = line.getBytes(StandardCharsets.UTF_8);
                Example f = CsvSource.parseFast(9, b, b.length, delim, 12, 5, cols, 5);
                if (f == null) {
                    continue;
                }
                taken++;
                Example g = CsvSource.parse(9, CsvSource.split(line, delim), header, 5, cols, 5);
                assertNull(g.problem, line);
                assertEquals(g.label, f.label, line);
                for (int k = 0; k < cols.length; k++) {
                    assertEquals(Float.floatToIntBits(g.features[k]), Float.floatToIntBits(f.features[k]),
                            line + ": feature " + k);
                }
            }
        }
        assertEquals(true, taken > 2_000, "fast path took " + taken);
        // a cell of 2^24 or more is refused whichever way it is read
        byte[] big = "1,2,3,4,5,1,16777216,8,9,10,11,12".getBytes(StandardCharsets.UTF_8);
        assertNull(CsvSource.parseFast(9, big, big.length, ',', 12, 5, cols, 5));
    }

    @Test
    void everythingElseTakesTheGeneralPath() {
        for (String line : List.of(
                "1,2,3",                 // a column short
                "1,2,3,4,5",             // a column too many
                "1,2,3,",                // an empty cell
                "1,2,x,4",               // not a number
                "1,2,1e5,4",             // an exponent
                "\"1\",2,3,4",           // quotes
                "1,2.0,3,4",             // a label written as a decimal
                "1,-1,3,4",              // a negative label
                "1,9,3,4",               // a label outside the classes
                "123456789012345678901,1,2,3", // a long mantissa
                "16777216,1,2,3",        // 2^24: not exact in the fast path's float
                "1,2,NaN,4")) {
            assertNull(fast(line), line);
        }
        // and the general path still words the errors
        assertEquals(Problem.WRONG_COLUMN_COUNT, slow("1,2,3").problem);
        assertEquals(Problem.NOT_A_NUMBER, slow("1,2,x,4").problem);
        assertEquals(Problem.LABEL_OUT_OF_RANGE, slow("1,9,3,4").problem);
        assertArrayEquals(new float[] {1e5f, 3, 4}, new float[] {slow("1e5,2,3,4").features[0],
            slow("1e5,2,3,4").features[1], slow("1e5,2,3,4").features[2]});
    }
}
