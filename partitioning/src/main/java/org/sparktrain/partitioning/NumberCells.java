package org.sparktrain.partitioning;

import java.nio.ByteOrder;
import org.apache.spark.unsafe.Platform;

/**
 * One cell of plain number text at a time, read from a line's bytes without a String: the CSV readers' fast path
 * ({@link CsvSource} for rows, {@link SequenceCsv} for sequence steps; docs/data-preparation.md, "The passes"). A
 * plain cell is optional spaces, an optional sign, digits with at most one '.', optional spaces, then the delimiter
 * (or the line's end for the last cell); anything else is left to the general parser, which words every error. The
 * fields hold the last cell read: its digits as an integer {@link #m}, the digits after the point {@link #frac}, and
 * its sign. Mutable and reused: one per task, never shared between threads.
 */
final class NumberCells {
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final float[] POW10 = {1f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};

    /** The cell's digits, point ignored. */
    long m;
    /** Digits after the point. */
    int frac;
    boolean negative;

    /**
     * Whether cells may be read 8 bytes at a time with this delimiter: not when it could be part of a number's text
     * or is a space (skipped around cells).
     */
    static boolean wordsFor(char delim) {
        return delim != ' ' && delim != '.' && delim != '+' && delim != '-' && (delim < '0' || delim > '9');
    }

    /**
     * Reads the cell starting at {@code b[i]} of a line of {@code len} bytes, the line's last cell when {@code last};
     * answers where the next cell starts (after the delimiter; {@code len} after the last cell), or -1 when the cell
     * is not plain or has more than {@code maxDigits} digits. {@code words}: {@link #wordsFor} the delimiter.
     */
    int read(byte[] b, int i, int len, char delim, boolean last, int maxDigits, boolean words) {
        if (words && !last && i + 8 <= len) {
            // The common cell, 1 to 8 digits and the delimiter, from one 8-byte word without a branch per digit (a
            // loop per digit mispredicts its exit on every cell: 10 against 5 ns a value on integer columns). t: each
            // byte minus '0'; a byte is a digit exactly when that is 0-9. Bytes below the first non-digit are exact
            // (a borrow or carry only moves up), so the first flagged byte is where the digits end.
            long w = Platform.getLong(b, Platform.BYTE_ARRAY_OFFSET + i);
            long t = (LITTLE_ENDIAN ? w : Long.reverseBytes(w)) - 0x3030303030303030L;
            long notDigit = (t | (t + 0x7676767676767676L)) & 0x8080808080808080L;
            int n = notDigit == 0 ? 8 : Long.numberOfTrailingZeros(notDigit) >>> 3;
            if (n > 0 && (n < 8 || i + 8 < len) && b[i + n] == delim) {
                // the n digits moved to the word's top (leading zeros below), then combined pairwise: 8 digits ->
                // 4 two-digit -> 2 four-digit -> 1 value, exact for up to 8 digits
                long v = t << (8 * (8 - n));
                v = v * 10 + (v >>> 8);
                m = ((v & 0x000000FF000000FFL) * (100 + (1000000L << 32))
                        + ((v >>> 16) & 0x000000FF000000FFL) * (1 + (10000L << 32))) >>> 32;
                frac = 0;
                negative = false;
                return i + n + 1;
            }
        }
        return readDigits(b, i, len, delim, last, maxDigits);
    }

    /** {@link #read} digit by digit: the word path's cell did not fit (a sign, spaces, a point, 9 digits or more). */
    private int readDigits(byte[] b, int i, int len, char delim, boolean last, int maxDigits) {
        while (i < len && b[i] == ' ') {
            i++;
        }
        boolean neg = false;
        if (i < len && (b[i] == '-' || b[i] == '+')) {
            neg = b[i] == '-';
            i++;
        }
        long v = 0;
        int digits = 0;
        int f = 0;
        while (i < len && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i++] - '0');
            if (++digits > maxDigits) {
                return -1;
            }
        }
        if (i < len && b[i] == '.') {
            i++;
            while (i < len && b[i] >= '0' && b[i] <= '9') {
                v = v * 10 + (b[i++] - '0');
                f++;
                if (++digits > maxDigits) {
                    return -1;
                }
            }
        }
        while (i < len && b[i] == ' ') {
            i++;
        }
        if (digits == 0) {
            return -1;
        }
        if (!last) {
            if (i >= len || b[i] != delim) {
                return -1; // fewer columns than the header, or a character that is not part of a number
            }
            i++; // the delimiter
        } else if (i != len) {
            return -1; // more columns than the header, or trailing characters
        }
        m = v;
        frac = f;
        negative = neg;
        return i;
    }

    /**
     * The cell as the float {@code Float.parseFloat} gives (Clinger's fast path: a mantissa below 2^24 and at most
     * 10 digits after the point make one correctly rounded division), or NaN when that is not certain.
     */
    float exactFloat() {
        if (m >= (1 << 24) || frac > 10) {
            return Float.NaN;
        }
        float v = frac == 0 ? (float) m : (float) m / POW10[frac]; // (float) m / 1f is (float) m
        return negative ? -v : v;
    }
}
