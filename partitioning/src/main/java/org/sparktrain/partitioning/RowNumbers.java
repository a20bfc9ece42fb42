package org.sparktrain.partitioning;

import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * The 0-based number of a row in input order (files in the order the reader lists them, rows in file order),
 * for every format: what {@code score} writes as {@code row_id}, so that predictions join back to their input
 * by position. Built on the driver after validation (every row is valid then: scoring does not drop rows).
 * <ul>
 * <li>Sources read in input order (CSV, IDX, synthetic): partition p's k-th row is row
 *     (rows of partitions 0..p−1) + k.</li>
 * <li>Parquet, whose row ids are {@link RowIds}' (file index, row index in the file), read in whatever order
 *     Spark's file splits come: (rows of the files before it, from the files' footers) + row index.</li>
 * </ul>
 */
public final class RowNumbers implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final long[] partitionStart;
    private final long[] fileStart;

    private RowNumbers(long[] partitionStart, long[] fileStart) {
        this.partitionStart = partitionStart;
        this.fileStart = fileStart;
    }

    public static RowNumbers of(LabeledData data, Configuration conf) {
        if (data.source().idsAreKeys()) {
            return new RowNumbers(null, null); // the id itself (a sequence id)
        }
        long[] files = data.source().fileRowOffsets(conf);
        if (files != null) {
            return new RowNumbers(null, files);
        }
        long[] rows = data.partitionRows();
        long[] start = new long[rows.length];
        for (int p = 1; p < rows.length; p++) {
            start[p] = start[p - 1] + rows[p - 1];
        }
        return new RowNumbers(start, null);
    }

    /** The row number of the {@code index}-th row of partition {@code partition}, whose id is {@code id}. */
    public long number(int partition, long index, long id) {
        if (fileStart != null) {
            return fileStart[RowIds.file(id)] + RowIds.position(id);
        }
        if (partitionStart == null) {
            return id;
        }
        return partitionStart[partition] + index;
    }

    /** Rows before each file (prefix sums of {@code counts}, in list order). */
    static long[] prefix(List<Long> counts) {
        long[] out = new long[counts.size()];
        for (int i = 1; i < out.length; i++) {
            out[i] = out[i - 1] + counts.get(i - 1);
        }
        return out;
    }
}
