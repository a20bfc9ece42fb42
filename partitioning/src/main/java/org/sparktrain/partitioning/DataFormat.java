package org.sparktrain.partitioning;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * One format a path given to {@code --data} may hold: how the path is recognised, how it is read, and how
 * help and messages name it. Each reader defines its own next to its code ({@code IdxSource.FORMAT}, ...);
 * {@link DataFormats} lists them, and is the one place the command line asks (docs/architecture.md,
 * Recipes, "A data format"). The reader owns its row ids too: in input order, or {@link RowIds}.
 */
abstract class DataFormat {
    private final String name;
    private final List<String> suffixes;
    private final String help;
    private final String hint;

    /**
     * @param name how messages name it, e.g. {@code CSV}
     * @param suffixes the lower-case endings of its files, e.g. {@code .csv}; none for a format recognised by
     *     what its directory holds (IDX)
     * @param help its entry in the {@code --data} help, e.g. {@code a CSV file (*.csv, *.csv.gz; header line)}
     * @param hint how a message asks for it, e.g. {@code a .csv file}
     */
    DataFormat(String name, List<String> suffixes, String help, String hint) {
        this.name = name;
        this.suffixes = List.copyOf(suffixes);
        this.help = help;
        this.hint = hint;
    }

    final String name() {
        return name;
    }

    final List<String> suffixes() {
        return suffixes;
    }

    final String help() {
        return help;
    }

    final String hint() {
        return hint;
    }

    /** Whether a file, or a directory Spark wrote (e.g. {@code out.parquet}), of this name is of this format. */
    final boolean accepts(String fileName) {
        for (String s : suffixes) {
            if (fileName.endsWith(s)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the directory holds this format's part {@code part} as a whole (IDX: train or t10k). */
    boolean holdsPart(FileSystem fs, Path dir, String part) throws IOException {
        return false;
    }

    /** What a directory of this format holds, for the message about a directory that holds nothing known. */
    String inDirectory(String part) {
        return name;
    }

    /**
     * Reads {@code path} into validated rows: labelled, or rows to score when {@code options} say
     * {@link ReadOptions#unlabelled()}. {@code part} matters only to formats holding several (IDX).
     */
    abstract LabeledData read(SparkSession spark, String path, String part, ReadOptions options);

    /** Classes its reader ships besides those every reader ships ({@link PartitioningKryo}); none by default. */
    List<Class<?>> kryoClasses() {
        return List.of();
    }
}
