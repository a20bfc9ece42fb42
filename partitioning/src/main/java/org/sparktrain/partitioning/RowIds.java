package org.sparktrain.partitioning;

/**
 * The row-id encoding of inputs made of several files whose rows Spark may read in any order (CSV, Parquet):
 * id = (file index &lt;&lt; 40 | position in that file), where the position is what the format counts in
 * (CSV: the line's byte offset, Parquet: the row index). Stable whatever the partitioning, so splits and
 * draws (seeded by the id) do not depend on it, and turned back into a file and a place only on the driver,
 * for the rows a message names or {@code score} numbers ({@link RowNumbers}). Formats read in input order
 * (IDX, synthetic rows) number their rows 0, 1, 2, ... instead.
 */
final class RowIds {
    private static final int POSITION_BITS = 40;
    private static final long POSITION_MASK = (1L << POSITION_BITS) - 1;
    /** One more than the largest file index: the index must leave the sign bit clear. */
    static final int FILE_LIMIT = 1 << (63 - POSITION_BITS);

    private RowIds() {
    }

    /** The id of the row at {@code position} in file {@code file}. */
    static long of(int file, long position) {
        return base(file) | position;
    }

    /** File {@code file}'s ids without the position: made once per file, a position OR-ed in per row. */
    static long base(int file) {
        return (long) file << POSITION_BITS;
    }

    static int file(long id) {
        return (int) (id >>> POSITION_BITS);
    }

    static long position(long id) {
        return id & POSITION_MASK;
    }
}
