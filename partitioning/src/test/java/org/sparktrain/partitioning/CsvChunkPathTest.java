package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV rows cached in chunks are parsed straight into them (CsvSource's chunk path: no Example per line); rows not
 * cached come as Examples (the row path). Both give the same rows, bit for bit, the same bad rows with the same
 * messages and the same statistics and summaries, on a file with every kind of line.
 */
class CsvChunkPathTest {
    private final SparkSession spark = SharedSpark.get();

    @TempDir
    Path tmp;

    private Path write(String name, boolean regression) throws Exception {
        Random r = new Random(3);
        StringBuilder b = new StringBuilder(regression ? "a,y,b,c\n" : "a,label,b,c\n");
        for (int i = 0; i < 9000; i++) {
            String y = regression ? String.valueOf(r.nextGaussian()) : String.valueOf(i % 3);
            String[] x = {String.valueOf(r.nextInt(256)), String.valueOf(r.nextInt(256)), String.valueOf(r.nextInt(256))};
            switch (i % 211) {
                case 3 -> x[1] = "\"" + x[1] + "\""; // quoted: the general parser, a valid row
                case 7 -> x[0] = "1e2"; // not plain digits: the general parser, a valid row
                case 11 -> x[2] = "abc"; // a bad cell
                case 13 -> x[2] = ""; // a missing value
                case 17 -> y = regression ? y : "9"; // a class out of range
                case 19 -> x[0] = "0.25"; // a fraction: this chunk stays floats
                default -> { }
            }
            if (i % 211 == 23) {
                b.append(x[0]).append(',').append(y).append('\n'); // too few cells
                continue;
            }
            if (i % 997 == 5) {
                b.append("   \n"); // a blank line, skipped
            }
            b.append(x[0]).append(',').append(y).append(',').append(x[1]).append(',').append(x[2]).append('\n');
        }
        b.append("\n\n"); // trailing blank lines
        Path p = tmp.resolve(name);
        Files.writeString(p, b.toString());
        return p;
    }

    private static List<Example> rows(LabeledData d) {
        return new ArrayList<>(d.rows().collect());
    }

    @Test
    void theChunkPathGivesTheRowPathsRowsStatisticsAndSummaries() throws Exception {
        for (boolean regression : new boolean[] {false, true}) {
            Path p = write(regression ? "r.csv" : "c.csv", regression);
            ReadOptions base = (regression ? ReadOptions.regression(List.of("y")) : ReadOptions.classes(3))
                    .dropBadRows(true).partitions(3);
            LabeledData chunked = Readers.csv(spark, p.toString(), base.storage(StorageLevel.MEMORY_AND_DISK()));
            LabeledData rowwise = Readers.csv(spark, p.toString(), (regression ? ReadOptions.regression(List.of("y"))
                    : ReadOptions.classes(3)).dropBadRows(true).partitions(3).storage(StorageLevel.NONE()));
            assertNotNull(chunked.chunks(), "cached: chunks");
            assertNull(rowwise.chunks(), "not cached: rows");
            String what = regression ? "regression" : "classes";
            assertArrayEquals(rowwise.partitionRows(), chunked.partitionRows(), what);
            assertArrayEquals(rowwise.report().classCounts(), chunked.report().classCounts(), what);
            assertEquals(rowwise.report().dropped(), chunked.report().dropped(), what);
            assertTrue(chunked.report().rowsDropped() > 0, what + ": the file has bad rows");
            assertEquals(rowwise.report().firstDropped(), chunked.report().firstDropped(), what);
            List<Example> a = rows(rowwise);
            List<Example> b = rows(chunked);
            assertEquals(a.size(), b.size(), what);
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).id, b.get(i).id, what + " row " + i);
                assertEquals(a.get(i).label, b.get(i).label, what + " row " + i);
                assertArrayEquals(a.get(i).features, b.get(i).features, what + " row " + i);
            }
            // the summaries made while reading equal, bit for bit, those RowChunk.pack makes of the row path's valid
            // rows (the chunks of the same rows, in the same partitions and order)
            int f = a.get(0).features.length;
            int parts = chunked.partitionRows().length;
            int classes = regression ? ReadOptions.TARGET_BINS : 3;
            ReadStats ref = rowwise.rows().mapPartitionsWithIndex((pi, it) -> {
                java.util.Iterator<RowChunk> cs = RowChunk.pack(pi, it, classes, parts, f,
                        ReadOptions.Summaries.ZSCORE_AND_RANGE);
                ReadStats last = null;
                while (cs.hasNext()) {
                    RowChunk c = cs.next();
                    if (c.stats != null) {
                        last = c.stats;
                    }
                }
                return List.of(last).iterator();
            }, true).collect().stream().reduce(ReadStats.empty(classes, parts), ReadStats::merge);
            for (boolean zscore : new boolean[] {true, false}) {
                Moments m = chunked.summary(zscore);
                Moments r = zscore ? ref.zscore : ref.range;
                assertEquals(a.size(), m.n, what);
                assertEquals(r.n, m.n, what);
                assertArrayEquals(r.a, m.a, 0.0, what + (zscore ? ": means" : ": minima"));
                assertArrayEquals(r.b, m.b, 0.0, what + (zscore ? ": M2" : ": maxima"));
            }
            chunked.unpersist();
        }
    }
}
