package org.sparktrain.partitioning;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads labelled data into validated rows on the executors. Each reader checks every row (column count,
 * numbers, finiteness, labels within the declared classes) and either fails with one message naming the
 * file and row of the first bad row (default) or, with {@link ReadOptions#dropBadRows(boolean)}, drops bad
 * rows and reports them in {@link LabeledData#report()}. An input without usable rows fails. To read a path
 * in whichever format it holds, as the command line does: {@link DataFormats#read}.
 */
public final class Readers {
    private Readers() {
    }

    /**
     * An MNIST/Fashion-MNIST-style IDX directory: {@code {prefix}-images-idx3-ubyte[.gz]} and
     * {@code {prefix}-labels-idx1-ubyte[.gz]} (prefix {@code train} or {@code t10k}). Shape [1, rows, cols].
     */
    public static LabeledData idx(SparkSession spark, String dir, String prefix, ReadOptions options) {
        return IdxSource.read(spark, dir, prefix, options);
    }

    /**
     * CSV with a header line: one file, a directory of files or a glob (files read in path order). The
     * label column by name or index, the features by default all other columns. Gzip files are read too.
     */
    public static LabeledData csv(SparkSession spark, String path, ReadOptions options) {
        if (options.sequences() != null && options.sequences().longFormat()) {
            return SequenceCsv.read(spark, path, options); // one row per step (docs/data-preparation.md, "Sequences")
        }
        return CsvSource.read(spark, path, options);
    }

    /** Parquet with a label column and a features column (array of numbers or Spark ML vector). */
    public static LabeledData parquet(SparkSession spark, String path, ReadOptions options) {
        return FrameSource.parquet(spark, path, options);
    }

    /** An existing DataFrame; {@code name} is how messages refer to it. */
    public static LabeledData dataFrame(Dataset<Row> df, String name, ReadOptions options) {
        return FrameSource.dataFrame(df, options, name);
    }

    /** {@code n} synthetic rows of {@code features} values generated on the executors (benchmarks, tests). */
    public static LabeledData synthetic(SparkSession spark, long n, int features, long seed, ReadOptions options) {
        return SyntheticSource.read(spark, n, features, options, seed);
    }
}
