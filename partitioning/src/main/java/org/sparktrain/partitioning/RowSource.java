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
}
