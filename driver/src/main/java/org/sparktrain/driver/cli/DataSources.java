package org.sparktrain.driver.cli;

import java.io.IOException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.engine.Shape;
import org.sparktrain.partitioning.LabeledData;
import org.sparktrain.partitioning.ReadOptions;
import org.sparktrain.partitioning.Readers;

/**
 * Turns a {@code --data}/{@code --test} argument into validated rows on the executors: an IDX directory
 * (the Fashion-MNIST layout), a CSV file or directory ({@code *.csv}, {@code *.csv.gz}), or Parquet
 * ({@code *.parquet}, or a directory of part files).
 */
final class DataSources {
    private DataSources() {
    }

    /** Options shared by every reader of one run. */
    record Options(int classes, Shape shape, String labelCol, boolean dropBadRows, boolean noLabels, int partitions) {
        Options(int classes, Shape shape, String labelCol, boolean dropBadRows) {
            this(classes, shape, labelCol, dropBadRows, false, 0);
        }

        /** Rows without a label column (CSV and Parquet: every column a feature; scoring). */
        Options unlabelled() {
            return new Options(classes, shape, labelCol, dropBadRows, true, partitions);
        }

        /**
         * Read into this many partitions (0: the reader's default). Training reads one per worker, so that
         * without a split the rows can train where they were read (no shuffle, no copy).
         */
        Options partitions(int n) {
            return new Options(classes, shape, labelCol, dropBadRows, noLabels, n);
        }

        ReadOptions read() {
            ReadOptions o = ReadOptions.classes(classes).shape(shape).dropBadRows(dropBadRows).partitions(partitions);
            if (noLabels) {
                o = o.unlabelled();
            }
            return labelCol == null ? o : o.label(labelCol);
        }
    }

    /** Reads {@code path}; for an IDX directory the part named {@code prefix} ({@code train} or {@code t10k}). */
    static LabeledData read(SparkSession spark, String path, String prefix, Options o) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(p)) {
            throw new IOException(path + ": no such file or directory");
        }
        String name = p.getName().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".csv") || name.endsWith(".csv.gz")) {
            return Readers.csv(spark, path, o.read());
        }
        if (name.endsWith(".parquet")) {
            return Readers.parquet(spark, path, o.read());
        }
        FileStatus st = fs.getFileStatus(p);
        if (st.isDirectory()) {
            if (hasIdx(fs, p, prefix)) {
                return Readers.idx(spark, path, prefix, o.read());
            }
            for (FileStatus f : fs.listStatus(p)) {
                String n = f.getPath().getName();
                if (n.endsWith(".parquet")) {
                    return Readers.parquet(spark, path, o.read());
                }
                if (n.endsWith(".csv") || n.endsWith(".csv.gz")) {
                    return Readers.csv(spark, path, o.read());
                }
            }
            throw new IOException(path + ": a directory without " + prefix + "-images-idx3-ubyte[.gz], CSV or"
                    + " Parquet files; give an IDX directory, a .csv file or a .parquet file/directory");
        }
        throw new IOException(path + ": cannot tell the format; name it *.csv, *.csv.gz or *.parquet, or give an"
                + " IDX directory");
    }

    static boolean hasIdx(FileSystem fs, Path dir, String prefix) throws IOException {
        return fs.exists(new Path(dir, prefix + "-images-idx3-ubyte.gz"))
                || fs.exists(new Path(dir, prefix + "-images-idx3-ubyte"));
    }
}
