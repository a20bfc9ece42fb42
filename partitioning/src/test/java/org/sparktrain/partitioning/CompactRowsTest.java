package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunks of floats are stored as bytes exactly when every value is an integer 0–255 or a fraction b / 255,
 * and give back the same floats bit for bit; their summaries match the float path's; a CSV of integer
 * cells is cached as bytes and reads back as the numbers written.
 */
class CompactRowsTest {
    @TempDir
    Path tmp;

    private static RowChunk chunk(float[] values, int featureSize) {
        RowChunk c = new RowChunk(values.length / featureSize, featureSize);
        System.arraycopy(values, 0, c.features, 0, values.length);
        c.size = values.length / featureSize;
        for (int i = 0; i < c.size; i++) {
            c.labels[i] = i % 2;
            c.ids[i] = 100 + i;
        }
        return c;
    }

    /** Every row's floats, as {@link RowChunk#copyRow} gives them. */
    private static float[] rows(RowChunk c) {
        float[] out = new float[c.size * c.featureSize];
        for (int i = 0; i < c.size; i++) {
            c.copyRow(i, out, i * c.featureSize, null, null);
        }
        return out;
    }

    private static void assertSameBits(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "value " + i + ": " + a[i]
                    + " vs " + b[i]);
        }
    }

    @Test
    void integersAndFractionsOf255BecomeBytesAndComeBackBitForBit() {
        Random r = new Random(3);
        float[] ints = new float[40 * 6];
        float[] units = new float[40 * 6];
        for (int i = 0; i < ints.length; i++) {
            int b = r.nextInt(256);
            ints[i] = b;
            units[i] = b / 255f;
        }
        ints[0] = 0;
        ints[1] = 255;
        RowChunk a = chunk(ints, 6);
        a.narrow();
        assertNotNull(a.bytes);
        assertNull(a.features);
        assertTrue(a.integers);
        assertSameBits(ints, rows(a));
        RowChunk b = chunk(units, 6);
        b.narrow();
        assertNotNull(b.bytes);
        assertFalse(b.integers);
        assertSameBits(units, rows(b));
        // scaled on the way out exactly as floats are
        float[] shift = {1, 2, 3, 4, 5, 6};
        float[] scale = {.5f, .25f, 2, 3, .1f, 7};
        RowChunk f = chunk(ints, 6);
        for (int i = 0; i < f.size; i++) {
            float[] x = new float[6];
            float[] y = new float[6];
            f.copyRow(i, x, 0, shift, scale);
            a.copyRow(i, y, 0, shift, scale);
            assertSameBits(x, y);
        }
        // a stored block made from the chunk reads the same
        Block blk = a.asBlock();
        float[] row = new float[6];
        blk.copyRow(3, row, 0, null, null);
        assertSameBits(java.util.Arrays.copyOfRange(ints, 18, 24), row);
    }

    @Test
    void aFirstRowOfZerosAndOnesThenFractionsIsStoredAsFractions() {
        // 0 and 1 are integers and fractions of 255 alike: the first row cannot tell which encoding fits
        float[] v = {0, 1, 1, 0, 128 / 255f, 1, 3 / 255f, 0};
        RowChunk c = chunk(v, 4);
        c.narrow();
        assertNotNull(c.bytes);
        assertFalse(c.integers);
        assertSameBits(v, rows(c));
    }

    @Test
    void anyOtherValueKeepsTheChunkInFloats() {
        for (float odd : new float[] {-0.0f, 256f, -1f, 0.5f, 1e-9f, 254.99998f, Math.nextUp(1 / 255f), 3.0000002f}) {
            float[] v = new float[12];
            for (int i = 0; i < v.length; i++) {
                v[i] = i;
            }
            v[7] = odd;
            RowChunk c = chunk(v, 4);
            c.narrow();
            assertNull(c.bytes, "value " + odd);
            assertSameBits(v, rows(c));
        }
    }

    @Test
    void summariesOfByteChunksMatchTheFloatPath() {
        Random r = new Random(5);
        for (boolean integers : new boolean[] {true, false}) {
            float[] v = new float[500 * 7];
            for (int i = 0; i < v.length; i++) {
                int b = r.nextInt(256);
                v[i] = integers ? b : b / 255f;
            }
            RowChunk floats = chunk(v, 7);
            RowChunk bytes = chunk(v, 7);
            bytes.narrow();
            assertEquals(integers, bytes.integers);
            Moments[] m = Moments.summarize(floats, ChunkPasses.Keep.ALL, null);
            Moments[] n = Moments.summarize(bytes, ChunkPasses.Keep.ALL, null);
            for (int k = 0; k < 7; k++) {
                assertEquals(m[0].a[k], n[0].a[k], 1e-6 * Math.abs(m[0].a[k]), "mean " + k);
                assertEquals(m[0].b[k], n[0].b[k], 1e-5 * m[0].b[k], "M2 " + k);
                assertEquals(m[1].a[k], n[1].a[k], 0.0, "min " + k);
                assertEquals(m[1].b[k], n[1].b[k], 0.0, "max " + k);
            }
        }
    }

    @Test
    void aCsvOfIntegerCellsIsCachedAsBytesAndReadsBackAsWritten() throws Exception {
        SparkSession spark = SharedSpark.get();
        // two files, so two chunks: one of integers only, one holding a 0.5
        StringBuilder[] sb = {new StringBuilder("label,a,b,c\n"), new StringBuilder("label,a,b,c\n")};
        Random r = new Random(9);
        int n = 3000;
        float[][] want = new float[n][];
        for (int i = 0; i < n; i++) {
            want[i] = new float[] {r.nextInt(256), r.nextInt(256), i == 2500 ? 0.5f : r.nextInt(256)};
            sb[i < 1500 ? 0 : 1].append(i % 3).append(',').append((int) want[i][0]).append(',')
                    .append((int) want[i][1]).append(',').append(i == 2500 ? "0.5" : String.valueOf((int) want[i][2]))
                    .append('\n');
        }
        TestData.write(tmp.resolve("in/a.csv"), sb[0].toString());
        TestData.write(tmp.resolve("in/b.csv"), sb[1].toString());
        LabeledData d = Readers.csv(spark, tmp.resolve("in").toString(), ReadOptions.classes(3).label("label"));
        List<Boolean> kinds = d.chunks().map(c -> c.bytes != null && c.integers).collect();
        assertTrue(kinds.contains(true), "integer chunks are stored as bytes: " + kinds);
        assertTrue(kinds.contains(false), "the chunk holding 0.5 stays floats");
        List<Example> rows = d.rows().collect();
        assertEquals(n, rows.size());
        java.util.Map<String, Integer> count = new java.util.HashMap<>();
        for (float[] w : want) {
            count.merge(java.util.Arrays.toString(w), 1, Integer::sum);
        }
        for (Example e : rows) {
            count.merge(java.util.Arrays.toString(e.features), -1, Integer::sum);
        }
        assertTrue(count.values().stream().allMatch(c -> c == 0), "the rows read back are the rows written");
        d.unpersist();
    }
}
