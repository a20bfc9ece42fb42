package org.sparktrain.partitioning;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.engine.Shape;
import scala.Tuple2;

/**
 * Reads CSV files with a header line through Hadoop's text input on the executors. Not Spark SQL's CSV
 * source: that one cannot say on which line of which file a bad record sits, and every error here must.
 * Each line's byte offset comes with it, so a row's id is {@link RowIds}' (file index, byte offset): stable
 * whatever the partitioning, and turned back into a line number (on the driver, only for the rows a
 * message names). Cells may be double-quoted; a quoted cell cannot span lines. Blank lines are skipped.
 * Every file must start with the same header.
 */
final class CsvSource implements RowSource {
    /** A file, directory or glob named *.csv or *.csv.gz, or a directory of such files. */
    static final DataFormat FORMAT = new DataFormat("CSV", List.of(".csv", ".csv.gz"),
            "a CSV file (*.csv, *.csv.gz; header line)", "a .csv file") {
        @Override
        LabeledData read(SparkSession spark, String path, String part, ReadOptions options) {
            if (options.sequences() != null && options.sequences().longFormat()) {
                return SequenceCsv.read(spark, path, options); // docs/data-preparation.md, "Sequences"
            }
            return CsvSource.read(spark, path, options);
        }

        @Override
        List<Class<?>> kryoClasses() {
            return SequenceCsv.kryoClasses();
        }
    };

    private final String name;
    private final List<String> files;
    private final Configuration conf;

    CsvSource(String name, List<String> files, Configuration conf) {
        this.name = name;
        this.files = files;
        this.conf = conf;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String locate(long id) {
        String file = files.get(RowIds.file(id));
        long offset = RowIds.position(id);
        try (InputStream in = openText(file, conf)) {
            long line = 1;
            byte[] buf = new byte[1 << 16];
            long pos = 0;
            while (pos < offset) {
                int got = in.read(buf, 0, (int) Math.min(buf.length, offset - pos));
                if (got < 0) {
                    break;
                }
                for (int i = 0; i < got; i++) {
                    if (buf[i] == '\n') {
                        line++;
                    }
                }
                pos += got;
            }
            return file + ", line " + line;
        } catch (IOException e) {
            return file + ", byte offset " + offset;
        }
    }

    static InputStream openText(String file, Configuration conf) throws IOException {
        Path p = new Path(file);
        InputStream raw = p.getFileSystem(conf).open(p);
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
        return codec == null ? raw : codec.createInputStream(raw);
    }

    static LabeledData read(SparkSession spark, String path, ReadOptions options) {
        Configuration conf = new Configuration(spark.sparkContext().hadoopConfiguration());
        List<String> files = new ArrayList<>();
        long bytes = 0;
        String[] header;
        try {
            for (FileStatus s : HadoopFiles.list(path, conf)) {
                files.add(s.getPath().toString());
                bytes += s.getLen();
            }
            if (files.isEmpty()) {
                throw new DataFormatException("CSV input " + path + " holds no files; point it at a CSV file or a"
                        + " directory of CSV files.");
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(openText(files.get(0), conf),
                    StandardCharsets.UTF_8))) {
                String first = r.readLine();
                if (first == null || first.isBlank()) {
                    throw new DataFormatException(files.get(0) + ", line 1: the file is empty; a CSV input needs a"
                            + " header line and at least one row.");
                }
                header = split(first, options.delimiter()).toArray(new String[0]);
            }
        } catch (IOException e) {
            throw new DataFormatException("cannot read CSV input " + path + ": " + e.getMessage(), e);
        }
        boolean regression = options.targetCount() > 0;
        int label = options.isUnlabelled() || regression ? -1 : options.labelIndex();
        int[] targetCols = new int[options.targetCount()];
        for (int t = 0; t < targetCols.length; t++) { // read after the features: a row's values are [x..., y...]
            String c = options.targets().get(t);
            targetCols[t] = indexOf(header, c);
            if (targetCols[t] < 0) {
                throw new DataFormatException(files.get(0) + ", line 1: the header has no target column '" + c
                        + "' (columns: " + String.join(", ", header) + "); name the target columns with --label-col"
                        + " or --label-cols (score: --no-labels for rows without them).");
            }
        }
        int weightCol = -1; // a row weight, read last (docs/architecture.md, Conventions, "Row weights")
        if (options.weighted()) {
            weightCol = indexOf(header, options.weightColumn());
            if (weightCol < 0) {
                throw new DataFormatException(files.get(0) + ", line 1: the header has no weight column '"
                        + options.weightColumn() + "' (columns: " + String.join(", ", header) + ").");
            }
        }
        if (options.isUnlabelled() || regression) {
            // no label column: every column is a feature, every row label 0 (scoring)
        } else if (label < 0) {
            label = indexOf(header, options.labelColumn());
            if (label < 0) {
                throw new DataFormatException(files.get(0) + ", line 1: the header has no column '"
                        + options.labelColumn() + "' for the label (columns: " + String.join(", ", header)
                        + "); name the label column or give its index.");
            }
        } else if (label >= header.length) {
            throw new DataFormatException(files.get(0) + ", line 1: the header has " + header.length
                    + " columns, so there is no label column at index " + label + ".");
        }
        int[] featureCols;
        if (options.featureColumns() != null) {
            featureCols = new int[options.featureColumns().size()];
            for (int i = 0; i < featureCols.length; i++) {
                String c = options.featureColumns().get(i);
                featureCols[i] = indexOf(header, c);
                if (featureCols[i] < 0) {
                    throw new DataFormatException(files.get(0) + ", line 1: the header has no feature column '" + c
                            + "' (columns: " + String.join(", ", header) + ").");
                }
            }
        } else {
            java.util.Set<Integer> notFeatures = new java.util.HashSet<>();
            for (int t : targetCols) {
                notFeatures.add(t);
            }
            if (label >= 0) {
                notFeatures.add(label);
            }
            if (weightCol >= 0) {
                notFeatures.add(weightCol);
            }
            if (options.ignoredColumn() != null && indexOf(header, options.ignoredColumn()) >= 0) {
                notFeatures.add(indexOf(header, options.ignoredColumn())); // a model's weight column, when scoring
            }
            featureCols = new int[header.length - notFeatures.size()];
            for (int c = 0, k = 0; c < header.length; c++) {
                if (!notFeatures.contains(c)) {
                    featureCols[k++] = c;
                }
            }
        }
        if (featureCols.length == 0) {
            throw new DataFormatException(files.get(0) + ", line 1: no feature columns besides the label.");
        }
        Shape shape = options.shape() != null ? options.shape() : Shape.of(featureCols.length);
        if (shape.size() != featureCols.length) {
            throw new DataFormatException("CSV input " + path + " has " + featureCols.length + " feature columns"
                    + (regression ? " besides the target columns " + options.targets() : "")
                    + " but the declared shape " + shape + " holds " + shape.size() + " values."
                    + (shape.rank() == 2 && options.sequences() != null ? " For sequences with one row per step, name"
                    + " the sequence id and step columns: --sequence-col and --step-col." : ""));
        }
        if (regression) { // the targets ride after the features (docs/architecture.md, "Regression")
            int[] all = java.util.Arrays.copyOf(featureCols, featureCols.length + targetCols.length);
            System.arraycopy(targetCols, 0, all, featureCols.length, targetCols.length);
            featureCols = all;
            shape = Shape.of(all.length);
        }
        final int firstTarget = regression ? featureCols.length - targetCols.length : featureCols.length;
        final boolean weighted = weightCol >= 0;
        if (weighted) { // the weight rides after the features and targets: [x..., y..., w]
            featureCols = java.util.Arrays.copyOf(featureCols, featureCols.length + 1);
            featureCols[featureCols.length - 1] = weightCol;
            shape = Shape.of(featureCols.length);
        }
        if (files.size() >= RowIds.FILE_LIMIT) {
            throw new DataFormatException("CSV input " + path + " has " + files.size() + " files; at most "
                    + RowIds.FILE_LIMIT + " are supported: merge some.");
        }
        if (options.partitions() > 0) {
            // split size = max(minsize, min(maxsize, block size)): both bounds, or the file system's block size
            // (32 MB for local files) would cut a large file into more partitions than asked for
            long size = Math.max(1 << 20, (bytes + options.partitions() - 1) / options.partitions());
            conf.setLong("mapreduce.input.fileinputformat.split.maxsize", size);
            conf.setLong("mapreduce.input.fileinputformat.split.minsize", size);
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < files.size(); i++) {
            index.put(files.get(i), i);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        @SuppressWarnings("unchecked")
        JavaNewHadoopRDD<LongWritable, Text> lines = (JavaNewHadoopRDD<LongWritable, Text>) jsc.newAPIHadoopFile(
                String.join(",", files), TextInputFormat.class, LongWritable.class, Text.class, conf);
        final HashMap<String, Integer> fileIndex = new HashMap<>(index);
        final String[] expectedHeader = header;
        final int labelCol = label;
        final int[] cols = featureCols;
        final int classes = options.classes();
        final char delim = options.delimiter();
        final boolean binary = options.binaryTargets();
        final String[] labelNames = regression ? options.targets().toArray(new String[0]) : new String[0];
        final Lines parse = new Lines(expectedHeader, labelCol, cols, classes, delim, firstTarget, weighted, binary,
                labelNames);
        String name = "CSV " + path;
        // in memory a value is a 4-byte float; as text, at least 2 bytes ("0,") and often 4-10: about as big
        long estimate = (long) (bytes * 1.2);
        org.apache.spark.storage.StorageLevel storage = options.storageFor(spark.sparkContext(), estimate,
                lines.getNumPartitions());
        CsvSource source = new CsvSource(name, files, conf);
        if (!weighted && !binary && storage != null && !storage.equals(org.apache.spark.storage.StorageLevel.NONE())) {
            // rows cached in chunks: lines of plain numbers are parsed straight into the chunk (no Example and no
            // float[] per line); what RowChunk.pack would make of the Examples, chunk for chunk
            int featureSize = shape.size();
            int classesOut = options.classes();
            ReadOptions.Summaries summaries = options.summaries();
            int parts = lines.getNumPartitions();
            JavaRDD<RowChunk> chunks = lines.mapPartitionsWithInputSplit((split, it) -> {
                String file = ((FileSplit) split).getPath().toString();
                Integer fi = fileIndex.get(file);
                return parse.chunks(org.apache.spark.TaskContext.getPartitionId(), RowIds.base(fi == null ? 0 : fi),
                        it, classesOut, parts, featureSize, summaries);
            }, false);
            return LabeledData.fromChunks(chunks, source, options, shape, storage, false);
        }
        JavaRDD<Example> parsed = lines.mapPartitionsWithInputSplit((split, it) -> {
            String file = ((FileSplit) split).getPath().toString();
            Integer fi = fileIndex.get(file);
            long base = RowIds.base(fi == null ? 0 : fi);
            return new Iterator<Example>() {
                Example next = advance();

                private Example advance() {
                    while (it.hasNext()) {
                        Tuple2<LongWritable, Text> t = it.next();
                        Example e = parse.line(base, t._1().get(), t._2());
                        if (e != null) {
                            return e;
                        }
                    }
                    return null;
                }

                @Override
                public boolean hasNext() {
                    return next != null;
                }

                @Override
                public Example next() {
                    Example e = next;
                    next = advance();
                    return e;
                }
            };
        }, false);
        return LabeledData.validate(parsed, source, options, shape, storage);
    }

    /**
     * How one file's lines become rows, made on the driver from the header and sent to the tasks: the fast path for
     * lines of plain numbers, the general parser (which words every error) for the others, the header check, and a
     * row weight's and a multi-label row's checks.
     */
    private static final class Lines implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final String[] header;
        private final int labelCol;
        private final int[] cols;
        private final int classes;
        private final char delim;
        private final int firstTarget;
        private final boolean weighted;
        private final boolean binary;
        private final String[] labelNames;
        private final int[] featureAt;

        Lines(String[] header, int labelCol, int[] cols, int classes, char delim, int firstTarget, boolean weighted,
                boolean binary, String[] labelNames) {
            this.header = header;
            this.labelCol = labelCol;
            this.cols = cols;
            this.classes = classes;
            this.delim = delim;
            this.firstTarget = firstTarget;
            this.weighted = weighted;
            this.binary = binary;
            this.labelNames = labelNames;
            this.featureAt = featureAt(header.length, cols);
        }

        /** The line at byte {@code offset} of the file whose ids start at {@code base} as a row; null to skip it. */
        Example line(long base, long offset, Text text) {
            long id = base | offset;
            if (offset != 0) {
                Example fast = parseFast(id, text.getBytes(), text.getLength(), delim, header.length, labelCol,
                        featureAt, cols.length, classes);
                if (fast != null) {
                    return labels(fast);
                }
            }
            return general(id, offset, text.toString());
        }

        /** A line off the fast path: the header (checked, skipped), a blank line (skipped) or a row, parsed fully. */
        Example general(long id, long offset, String line) {
            if (offset == 0) {
                List<String> h = split(line, delim);
                if (!h.equals(List.of(header))) {
                    return Example.bad(id, Problem.FILE, "the header (" + String.join(",", h)
                            + ") differs from the first file's (" + String.join(",", header)
                            + "); all files of one input must have the same columns");
                }
                return null;
            }
            if (line.isBlank()) {
                return null;
            }
            return labels(parse(id, split(line, delim), header, labelCol, cols, classes, firstTarget, weighted));
        }

        /** A row weight's check and a multi-label row's 0/1 checks (docs/architecture.md, "Multi-label"). */
        private Example labels(Example e) {
            if (weighted && e.problem == null) {
                Example bad = weight(e, header[cols[cols.length - 1]]);
                if (bad != null) {
                    return bad;
                }
            }
            return binary ? MultiLabelRows.check(e, firstTarget, labelNames) : e;
        }

        /**
         * A partition's lines as chunks of its valid rows with the partition's statistics on the last, as
         * {@link RowChunk#pack} makes them from {@link #line}'s rows, but with each line of plain numbers parsed
         * straight into its chunk (for rows without a weight or 0/1 labels, whose checks need the row).
         */
        Iterator<RowChunk> chunks(int partition, long base, Iterator<Tuple2<LongWritable, Text>> lines, int classes,
                int partitions, int featureSize, ReadOptions.Summaries summaries) {
            if (weighted || binary || featureSize != cols.length) {
                throw new IllegalStateException("the chunk path reads rows of plain features and a label only");
            }
            NumberCells cells = new NumberCells();
            return new RowChunk.Chunker<Tuple2<LongWritable, Text>>(partition, lines, classes, partitions, featureSize,
                    summaries) {
                @Override
                void take(Tuple2<LongWritable, Text> t, RowChunk c) {
                    long offset = t._1().get();
                    long id = base | offset;
                    Text text = t._2();
                    int label = offset == 0 ? -1 : parseFastInto(cells, c.features, c.size * featureSize,
                            text.getBytes(), text.getLength(), delim, header.length, labelCol, featureAt, classes);
                    if (label >= 0) {
                        c.labels[c.size] = label;
                        c.ids[c.size] = id;
                        c.size++;
                        stats.addValid(partition, label);
                        return;
                    }
                    Example e = general(id, offset, text.toString());
                    if (e != null) {
                        add(e, c);
                    }
                }
            };
        }
    }

    static Example parse(long id, List<String> cells, String[] header, int labelCol, int[] cols, int classes) {
        return parse(id, cells, header, labelCol, cols, classes, cols.length);
    }

    /** As above; the columns {@code cols[firstTarget..]} are regression targets (named so in messages). */
    static Example parse(long id, List<String> cells, String[] header, int labelCol, int[] cols, int classes,
            int firstTarget) {
        return parse(id, cells, header, labelCol, cols, classes, firstTarget, false);
    }

    /**
     * The bad row when row {@code e}'s last value, its weight from column {@code column}, is negative (the parser
     * has already refused a non-number, NaN or infinity as {@link Problem#BAD_WEIGHT}); null when it is a weight.
     */
    static Example weight(Example e, String column) {
        float w = e.features[e.features.length - 1];
        return w >= 0 ? null : Example.bad(e.id, Problem.BAD_WEIGHT, "weight column '" + column + "' holds " + w
                + "; a row weight must be a finite number >= 0");
    }

    /** As above; with {@code weighted} the last of {@code cols} is the row weight's (named so in messages). */
    static Example parse(long id, List<String> cells, String[] header, int labelCol, int[] cols, int classes,
            int firstTarget, boolean weighted) {
        if (cells.size() != header.length) {
            return Example.bad(id, Problem.WRONG_COLUMN_COUNT, "has " + cells.size() + " columns but the header has "
                    + header.length);
        }
        if (labelCol < 0) {
            return features(id, 0, cells, header, cols, firstTarget, weighted);
        }
        String lc = cells.get(labelCol);
        double lv;
        try {
            lv = Double.parseDouble(lc);
        } catch (NumberFormatException e) {
            return Example.bad(id, Problem.NOT_A_NUMBER, "label column '" + header[labelCol] + "' holds '" + lc
                    + "', not a class number");
        }
        String[] why = new String[1];
        int label = Checks.label(lv, classes, why);
        if (label < 0) {
            return Example.bad(id, Problem.LABEL_OUT_OF_RANGE, why[0]);
        }
        return features(id, label, cells, header, cols, cols.length, weighted);
    }

    private static Example features(long id, int label, List<String> cells, String[] header, int[] cols,
            int firstTarget, boolean weighted) {
        float[] f = new float[cols.length];
        for (int k = 0; k < cols.length; k++) {
            String c = cells.get(cols[k]);
            boolean weight = weighted && k == cols.length - 1;
            String what = weight ? "weight column '" : k >= firstTarget ? "target column '" : "column '";
            try {
                f[k] = Float.parseFloat(c);
            } catch (NumberFormatException e) {
                return Example.bad(id, weight ? Problem.BAD_WEIGHT : Problem.NOT_A_NUMBER, what + header[cols[k]]
                        + "' holds '" + c + "', not a number" + (c.isEmpty() ? " (a missing value)" : ""));
            }
            if (weight && !Float.isFinite(f[k])) {
                return Example.bad(id, Problem.BAD_WEIGHT, what + header[cols[k]] + "' holds " + c
                        + "; a row weight must be a finite number >= 0");
            }
            if (!Float.isFinite(f[k])) {
                return Example.bad(id, Problem.NON_FINITE, what + header[cols[k]] + "' holds " + c
                        + (k >= firstTarget ? "; targets must be finite numbers (remove rows without a target)"
                        : "; features must be finite numbers (impute or remove missing values)"));
            }
        }
        return new Example(id, label, f);
    }

    /**
     * The common case without building a String per cell: a line of plain ASCII numbers ({@code [+-]digits}
     * with an optional {@code .digits}, spaces around) in exactly the header's number of columns, the label an
     * integer. A feature is {@code m / 10^k} in float arithmetic when m &lt; 2^24 and k &le; 10: both are exact
     * floats, so one correctly rounded division gives exactly what {@link Float#parseFloat} gives (Clinger's
     * fast path). Anything else (quotes, exponents, long mantissas, a wrong column count, a bad cell) returns
     * null and the line takes the general path, which also words every error.
     */
    static Example parseFast(long id, byte[] b, int len, char delim, int columns, int labelCol, int[] cols,
            int classes) {
        return parseFast(id, b, len, delim, columns, labelCol, featureAt(columns, cols), cols.length, classes);
    }

    /** Column c's place among the features, or -1 (the label, or a column not read). */
    static int[] featureAt(int columns, int[] cols) {
        int[] at = new int[columns];
        java.util.Arrays.fill(at, -1);
        for (int k = 0; k < cols.length; k++) {
            at[cols[k]] = k;
        }
        return at;
    }

    /** As above, with {@code featureAt} from {@link #featureAt} (made once per partition). */
    static Example parseFast(long id, byte[] b, int len, char delim, int columns, int labelCol, int[] featureAt,
            int features, int classes) {
        float[] f = new float[features]; // written in place: no array of all cells per line
        int label = parseFastInto(new NumberCells(), f, 0, b, len, delim, columns, labelCol, featureAt, classes);
        return label < 0 ? null : new Example(id, label, f);
    }

    /**
     * As above, writing the features to {@code f[d ..]} (a chunk's next row: no array per line) and answering the
     * label, or -1 when the line is not on the fast path (then {@code f[d ..]} holds garbage, and the line takes
     * the general path). {@code cell} is the caller's, reused line after line (nothing allocated per line).
     */
    static int parseFastInto(NumberCells cell, float[] f, int d, byte[] b, int len, char delim, int columns,
            int labelCol, int[] featureAt, int classes) {
        boolean words = NumberCells.wordsFor(delim);
        long label = -1;
        int i = 0;
        for (int c = 0; c < columns; c++) {
            i = cell.read(b, i, len, delim, c == columns - 1, 18, words);
            if (i < 0) {
                return -1;
            }
            if (c == labelCol) { // labelCol < 0: no label column (label 0)
                if (cell.frac > 0 || cell.negative) {
                    return -1;
                }
                label = cell.m;
            } else if (featureAt[c] >= 0) {
                float v = cell.exactFloat();
                if (v != v) {
                    return -1;
                }
                f[d + featureAt[c]] = v;
            }
        }
        if (labelCol < 0) {
            label = 0;
        }
        if (label < 0 || label >= classes) {
            return -1;
        }
        return (int) label;
    }

    /** Splits one line into trimmed cells; a cell may be double-quoted ("" is a quote inside). */
    static List<String> split(String line, char delim) {
        List<String> cells = new ArrayList<>();
        int n = line.length();
        int i = 0;
        while (true) {
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            StringBuilder sb = new StringBuilder();
            if (i < n && line.charAt(i) == '"') {
                i++;
                while (i < n) {
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            sb.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        sb.append(c);
                    }
                }
                while (i < n && line.charAt(i) != delim) {
                    i++;
                }
                cells.add(sb.toString());
            } else {
                int start = i;
                while (i < n && line.charAt(i) != delim) {
                    i++;
                }
                cells.add(line.substring(start, i).trim());
            }
            if (i >= n) {
                return cells;
            }
            i++; // the delimiter
        }
    }

    static int indexOf(String[] header, String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
