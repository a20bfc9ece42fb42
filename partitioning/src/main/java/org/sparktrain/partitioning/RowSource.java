package org.sparktrain.partitioning;

/**
 * Where rows came from, on the driver: names the input and turns a row id into a place a user can find
 * (e.g. {@code data/train.csv, line 57}). Used only to write messages; never shipped to executors.
 */
public interface RowSource {
    /** The input as the user gave it, e.g. a directory or file path. */
    String name();

    /** The place of the row with this id, e.g. {@code train.csv, line 57} or {@code part-0.parquet, row 12}. */
    String locate(long id);

    /**
     * When row ids are (file index &lt;&lt; 40 | row index in that file) and partitions do not follow the
     * files' order: the rows before each file, in the reader's file order ({@link RowNumbers}). Null (the
     * default) when partitions hold the rows in input order.
     */
    default long[] fileRowOffsets(org.apache.hadoop.conf.Configuration conf) {
        return null;
    }

    /**
     * Whether a row's id is the key a user knows it by (long-format sequences: the sequence id), which {@code score}
     * writes as it is instead of a row number ({@link RowNumbers}).
     */
    default boolean idsAreKeys() {
        return false;
    }
}
