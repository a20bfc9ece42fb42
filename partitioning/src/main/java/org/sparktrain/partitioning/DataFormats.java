package org.sparktrain.partitioning;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The formats a path may hold, and the one place the command line asks which one a path is and reads it:
 * {@code train}, {@code evaluate} and {@code score} (labelled rows or rows to score) alike. The help texts
 * and the messages about a path nothing reads list the formats from here. A new format is a
 * {@link DataFormat} beside its reader and one line in {@link #ALL} (docs/architecture.md, Recipes).
 */
public final class DataFormats {
    /** Every format, in the order help and messages list them. */
    private static final List<DataFormat> ALL = List.of(IdxSource.FORMAT, CsvSource.FORMAT, FrameSource.PARQUET);

    private DataFormats() {
    }

    /**
     * Reads {@code path} in the format it holds; for a format holding several parts (IDX), the part named
     * {@code part} ({@code train} or {@code t10k}).
     *
     * @throws IOException when the path does not exist or holds no known format (the message says which)
     */
    public static LabeledData read(SparkSession spark, String path, String part, ReadOptions options)
            throws IOException {
        DataFormat format = of(spark.sparkContext().hadoopConfiguration(), path, part);
        if (options.targetCount() > 0 && !REGRESSION.contains(format)) {
            // a format without target columns (IDX: class labels only) cannot feed a regression
            String what = options.binaryTargets() ? "multi-label" : "regression";
            throw new DataFormatException(path + " is " + format.name() + ", which holds class labels, not the "
                    + what + (options.binaryTargets() ? " label columns " : " target columns ") + options.targets()
                    + "; use CSV or Parquet for " + what);
        }
        if (options.weighted() && !REGRESSION.contains(format)) { // docs/architecture.md, Conventions, "Row weights"
            throw new DataFormatException(path + " is " + format.name() + ", which has no weight column '"
                    + options.weightColumn() + "'; use CSV or Parquet for row weights");
        }
        SequenceOptions seq = options.sequences();
        if (options.weighted() && seq != null) {
            throw new DataFormatException("row weights (--weight-col " + options.weightColumn() + ") are not built for"
                    + " sequence input");
        }
        if (seq != null && seq.longFormat() && format != CsvSource.FORMAT) {
            throw new DataFormatException(path + " is " + format.name() + "; long-format sequences (--sequence-col,"
                    + " --step-col: one row per step) are read from CSV. Parquet holds one sequence per row: an"
                    + " array<array<float>> column, or array<float> with --step-features");
        }
        if (seq != null && seq.sequenceColumn() != null && !seq.longFormat() && format == CsvSource.FORMAT) {
            throw new DataFormatException(path + " is CSV: long-format sequences need the step column too (--step-col"
                    + " beside --sequence-col " + seq.sequenceColumn() + ")");
        }
        if (seq != null && seq.sequenceColumn() != null && format != CsvSource.FORMAT
                && format != FrameSource.PARQUET) {
            throw new DataFormatException(path + " is " + format.name() + ", which has no sequence id column; drop"
                    + " --sequence-col");
        }
        if (seq != null && seq.stepFeatures() > 0 && format != FrameSource.PARQUET) {
            throw new DataFormatException(path + " is " + format.name() + "; --step-features reads sequences from a"
                    + " Parquet array<float> column. CSV sequences are long format: --sequence-col and --step-col");
        }
        return format.read(spark, path, part, options);
    }

    /** The formats that read regression target columns and multi-label label columns (docs/architecture.md). */
    static final List<DataFormat> REGRESSION = List.of(CsvSource.FORMAT, FrameSource.PARQUET);

    /**
     * Which format {@code path} holds: first by its own name (a file, or a directory Spark wrote), then, for
     * a directory, by what it holds as a whole (IDX), then by the first of its files whose name a format
     * knows.
     */
    static DataFormat of(Configuration conf, String path, String part) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(conf);
        if (!fs.exists(p)) {
            throw new IOException(path + ": no such file or directory");
        }
        String name = p.getName().toLowerCase(Locale.ROOT);
        for (DataFormat f : ALL) {
            if (f.accepts(name)) {
                return f;
            }
        }
        if (!fs.getFileStatus(p).isDirectory()) {
            List<String> patterns = new ArrayList<>();
            List<String> directories = new ArrayList<>();
            for (DataFormat f : ALL) {
                f.suffixes().forEach(s -> patterns.add("*" + s));
                if (f.suffixes().isEmpty()) {
                    directories.add(f.hint());
                }
            }
            throw new IOException(path + ": cannot tell the format; name it " + list(patterns)
                    + (directories.isEmpty() ? "" : ", or give " + list(directories)));
        }
        for (DataFormat f : ALL) {
            if (f.holdsPart(fs, p, part)) {
                return f;
            }
        }
        for (FileStatus file : fs.listStatus(p)) {
            for (DataFormat f : ALL) {
                if (f.accepts(file.getPath().getName())) {
                    return f;
                }
            }
        }
        List<String> held = new ArrayList<>();
        List<String> hints = new ArrayList<>();
        for (DataFormat f : ALL) {
            held.add(f.inDirectory(part));
            hints.add(f.hint());
        }
        throw new IOException(path + ": a directory without " + list(held) + " files; give " + list(hints));
    }

    /** Whether the directory holds the part named {@code part} of a format that has parts (IDX's t10k). */
    public static boolean holdsPart(FileSystem fs, Path dir, String part) throws IOException {
        for (DataFormat f : ALL) {
            if (f.holdsPart(fs, dir, part)) {
                return true;
            }
        }
        return false;
    }

    /** The formats as the {@code --data} help lists them: "an IDX directory (...), ... or Parquet (*.parquet)". */
    public static String help() {
        List<String> entries = new ArrayList<>();
        for (DataFormat f : ALL) {
            entries.add(f.help());
        }
        return list(entries);
    }

    /** What the formats' readers ship besides the classes every reader ships. */
    static Set<Class<?>> kryoClasses() {
        Set<Class<?>> out = new LinkedHashSet<>();
        for (DataFormat f : ALL) {
            out.addAll(f.kryoClasses());
        }
        return out;
    }

    /** "a", "a or b", "a, b or c". */
    private static String list(List<String> items) {
        int n = items.size();
        if (n <= 1) {
            return String.join("", items);
        }
        return String.join(", ", items.subList(0, n - 1)) + " or " + items.get(n - 1);
    }
}
