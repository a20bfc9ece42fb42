package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparktrain.engine.SplitMix;

/**
 * The read's class-mix check (ReadStats.chunksMixed) on partitions larger than MAX_RUNS runs: runs are
 * merged so the task keeps O(classes) state, and the verdicts stay right.
 */
class ReadStatsTest {
    private static boolean mixed(long rows, boolean sorted) {
        ReadStats s = ReadStats.empty(4, 1);
        int[] labels = new int[65_536];
        long i = 0;
        while (i < rows) {
            int n = (int) Math.min(labels.length, rows - i);
            for (int k = 0; k < n; k++, i++) {
                labels[k] = sorted ? (int) (i * 4 / rows) : (int) (SplitMix.mix(i) >>> 62);
            }
            s.noteChunk(labels, n);
        }
        s.finishChunks();
        return s.chunksMixed;
    }

    @Test
    void largePartitionsAreJudgedInMergedRuns() {
        long rows = (long) ReadStats.MAX_RUNS * ReadStats.MIX_RUN * 5 / 2; // 41.9M rows: runs merged twice
        assertTrue(mixed(rows, false), "well-mixed rows are not flagged");
        assertFalse(mixed(rows, true), "rows sorted by class are");
        assertTrue(mixed(100_000, false));
        assertFalse(mixed(100_000, true));
    }
}
