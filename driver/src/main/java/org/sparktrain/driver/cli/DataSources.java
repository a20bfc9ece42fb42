package org.sparktrain.driver.cli;

import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.engine.Shape;
import org.sparktrain.partitioning.DataFormats;
import org.sparktrain.partitioning.LabeledData;
import org.sparktrain.partitioning.ReadOptions;
import org.sparktrain.partitioning.SequenceOptions;

/**
 * Turns a {@code --data}/{@code --test} argument into validated rows on the executors, in whichever format
 * {@link DataFormats} finds the path holds (an IDX directory, CSV, Parquet, ...), and words the
 * {@code --data} help from the same list.
 */
final class DataSources {
    /** Where a flag's description starts in the help texts, and their right margin. */
    private static final int HELP_INDENT = 26;
    private static final int HELP_WIDTH = 95;

    private DataSources() {
    }

    /**
     * Options shared by every reader of one run; {@code targets} names a regression input's target columns (null:
     * classification, the label column {@code labelCol}).
     */
    record Options(int classes, Shape shape, String labelCol, boolean dropBadRows, boolean noLabels, int partitions,
                   java.util.List<String> targets, boolean multiLabel, SequenceOptions sequences) {
        Options(int classes, Shape shape, String labelCol, boolean dropBadRows) {
            this(classes, shape, labelCol, dropBadRows, false, 0, null, false, null);
        }

        /** Variable-length sequences (null: rows of fixed shape). docs/data-preparation.md, "Sequences". */
        Options sequences(SequenceOptions s) {
            return new Options(classes, shape, labelCol, dropBadRows, noLabels, partitions, targets, multiLabel, s);
        }

        /** Rows without a label column (CSV and Parquet: every column a feature; scoring). */
        Options unlabelled() {
            return new Options(classes, shape, labelCol, dropBadRows, true, partitions, null, false, sequences);
        }

        /**
         * Read into this many partitions (0: the reader's default). Training reads one per worker, so that
         * without a split the rows can train where they were read (no shuffle, no copy).
         */
        Options partitions(int n) {
            return new Options(classes, shape, labelCol, dropBadRows, noLabels, n, targets, multiLabel, sequences);
        }

        /** A regression input with these target columns (null: as it was). docs/architecture.md, "Regression". */
        Options regression(java.util.List<String> targetColumns) {
            return new Options(classes, shape, labelCol, dropBadRows, noLabels, partitions, targetColumns, false, sequences);
        }

        /** A multi-label input with these 0/1 label columns. docs/architecture.md, "Multi-label". */
        Options multiLabel(java.util.List<String> labelColumns) {
            return new Options(classes, shape, labelCol, dropBadRows, noLabels, partitions, labelColumns, true, sequences);
        }

        /** A regression or multi-label input, as the spec says. */
        Options targets(org.sparktrain.engine.spec.ModelSpec spec, java.util.List<String> columns) {
            return spec.multiLabel() ? multiLabel(columns) : regression(columns);
        }

        ReadOptions read() {
            return readOptions().sequences(sequences);
        }

        private ReadOptions readOptions() {
            if (targets != null && !noLabels && multiLabel) { // docs/architecture.md, "Multi-label"
                return ReadOptions.multiLabel(targets).shape(shape).dropBadRows(dropBadRows).partitions(partitions);
            }
            if (targets != null && !noLabels) {
                return ReadOptions.regression(targets).shape(shape).dropBadRows(dropBadRows).partitions(partitions);
            }
            ReadOptions o = ReadOptions.classes(classes).shape(shape).dropBadRows(dropBadRows).partitions(partitions);
            if (noLabels) {
                o = o.unlabelled();
            }
            return labelCol == null ? o : o.label(labelCol);
        }
    }

    /**
     * Reads {@code path}; for an IDX directory the part named {@code prefix} ({@code train} or {@code t10k}). No
     * feature summary is made while reading: only a training read whose every row trains fits its scaler from one
     * (the overload below says which).
     */
    static LabeledData read(SparkSession spark, String path, String prefix, Options o) throws IOException {
        return read(spark, path, prefix, o, null);
    }

    /**
     * As above, each row weighed by column {@code weightCol} (null: unweighted; CSV and Parquet): docs/architecture.md,
     * Conventions, "Row weights".
     */
    static LabeledData read(SparkSession spark, String path, String prefix, Options o, String weightCol)
            throws IOException {
        return read(spark, path, prefix, o, weightCol, ReadOptions.Summaries.NONE);
    }

    /**
     * As above, making the feature summaries {@code summaries} while reading: those of the scalers a run without a
     * split fits (it then needs no pass of its own; docs/data-preparation.md, "The passes").
     */
    static LabeledData read(SparkSession spark, String path, String prefix, Options o, String weightCol,
            ReadOptions.Summaries summaries) throws IOException {
        return DataFormats.read(spark, path, prefix, o.read().weightColumn(weightCol).summaries(summaries));
    }

    /** Whether {@code dir} holds the part named {@code prefix} of an IDX directory (or of any format with parts). */
    static boolean hasIdx(FileSystem fs, Path dir, String prefix) throws IOException {
        return DataFormats.holdsPart(fs, dir, prefix);
    }

    /**
     * The description of a {@code --data} flag: {@code lead} and the formats {@link DataFormats} reads,
     * wrapped like the rest of a command's help.
     */
    static String dataHelp(String lead) {
        StringBuilder out = new StringBuilder();
        int column = HELP_INDENT;
        for (String word : (lead + DataFormats.help()).split(" ")) {
            if (column > HELP_INDENT && column + 1 + word.length() > HELP_WIDTH) {
                out.append('\n').append(" ".repeat(HELP_INDENT));
                column = HELP_INDENT;
            } else if (column > HELP_INDENT) {
                out.append(' ');
                column++;
            }
            out.append(word);
            column += word.length();
        }
        return out.toString();
    }
}
