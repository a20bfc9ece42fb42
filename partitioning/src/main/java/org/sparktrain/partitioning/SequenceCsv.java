package org.sparktrain.partitioning;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.SplitMix;
import scala.Tuple2;

/**
 * Long-format CSV sequences (docs/data-preparation.md, "Sequences"): one line per step, a column holding the
 * sequence's id (an integer, or text: grouped by the text, {@link #textId}), one holding the step (any number; steps
 * are sorted by it), the features of the step, and the label column(s). The label of a sequence is its LAST step's
 * (the step with the largest step value), as the PyTorch peer takes it; the other steps' label cells are not read, so
 * they may repeat it or be empty. For a per-step model ({@link SequenceOptions#perStep}) every step's label is read
 * and checked, and rides in the row after the length.
 *
 * <p>One pass parses the lines on the executors; a Spark shuffle keyed by (sequence id, step, line) and partitioned
 * by the sequence id brings each sequence's lines together, sorted (Spark's external sort: it spills to disk, so a
 * task holds one sequence at a time whatever the data's size); each sequence then becomes one row
 * {@code [x (T·F, steps after its length 0), length, targets...]} with the sequence id as its row id. Every
 * problem is reported on the line it is on (file and line, from the line's {@link RowIds} id) and names the
 * sequence and the step: a bad cell, a repeated step, a sequence longer than the model's T, a bad label on the last
 * step. With {@code dropBadRows} a sequence with any bad line is dropped whole (one bad row).
 */
final class SequenceCsv {
    private SequenceCsv() {
    }

    /** One line on its way through the grouping shuffle. Mutable fields and a no-argument constructor for Kryo. */
    static final class Step implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        /** The line's id: {@link RowIds} (file index, byte offset). */
        public long line;
        /** The step's F features, then its label values (NaN where a cell is not a number); null on a bad line. */
        public float[] values;
        /** Where a label cell is not a number: that cell's column and text (reported if this step is the last). */
        public String badLabel;
        /** Whether the line's sequence id could not be read: it is reported alone. */
        public boolean orphan;
        public Problem problem;
        public String detail;

        public Step() {
        }
    }

    /** The shuffle key: ordered by sequence id, step, line; partitioned by the sequence id alone. */
    static final class Key implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        /** The sequence id: the integer itself, or for a string id its 64-bit hash ({@link #textId}). */
        public long sequence;
        /** A sequence id that is not an integer, as written (null for integer ids). */
        public String name;
        public double step;
        public long line;

        public Key() {
        }

        Key(long sequence, double step, long line) {
            this.sequence = sequence;
            this.step = step;
            this.line = line;
        }

        Key(long sequence, String name, double step, long line) {
            this(sequence, step, line);
            this.name = name;
        }

        /** Whether {@code o} is of the same sequence. */
        boolean sameSequence(Key o) {
            return o.sequence == sequence && java.util.Objects.equals(o.name, name);
        }
    }

    /**
     * The row id of a sequence whose id is text: a 64-bit hash of it (stable whatever the input's layout; the text
     * itself rides in {@link Example#key} for {@code score}). docs/data-preparation.md, "Sequences".
     */
    static long textId(String id) {
        long h = 0x5EC1D5L;
        for (int i = 0; i < id.length(); i++) {
            h = SplitMix.mix(h + id.charAt(i));
        }
        return h;
    }

    /** (sequence, step, line), ascending. */
    static final class Order implements Comparator<Key>, java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(Key a, Key b) {
            int c = Long.compare(a.sequence, b.sequence);
            if (c == 0 && !java.util.Objects.equals(a.name, b.name)) {
                c = a.name == null ? -1 : b.name == null ? 1 : a.name.compareTo(b.name);
            }
            if (c == 0) {
                c = Double.compare(a.step, b.step);
            }
            return c != 0 ? c : Long.compare(a.line, b.line);
        }
    }

    /** A sequence's lines go to the partition its (mixed) id says. */
    static final class BySequence extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int partitions;

        BySequence(int partitions) {
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return (int) Long.remainderUnsigned(SplitMix.mix(((Key) key).sequence), partitions);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BySequence b && b.partitions == partitions;
        }

        @Override
        public int hashCode() {
            return partitions;
        }
    }

    /** The classes the reader ships (shuffle records), for Kryo. */
    static List<Class<?>> kryoClasses() {
        return List.of(Step.class, Key.class);
    }

    /** The source of sequence rows: messages locate lines; a valid row's id is its sequence id. */
    static final class Source implements RowSource {
        private final CsvSource lines;

        Source(CsvSource lines) {
            this.lines = lines;
        }

        @Override
        public String name() {
            return lines.name();
        }

        @Override
        public String locate(long id) {
            return lines.locate(id);
        }

        @Override
        public boolean idsAreKeys() {
            return true;
        }
    }

    static LabeledData read(SparkSession spark, String path, ReadOptions options) {
        SequenceOptions seq = options.sequences();
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
            try (BufferedReader r = new BufferedReader(new InputStreamReader(CsvSource.openText(files.get(0), conf),
                    StandardCharsets.UTF_8))) {
                String first = r.readLine();
                if (first == null || first.isBlank()) {
                    throw new DataFormatException(files.get(0) + ", line 1: the file is empty; a CSV input needs a"
                            + " header line and at least one row.");
                }
                header = CsvSource.split(first, options.delimiter()).toArray(new String[0]);
            }
        } catch (IOException e) {
            throw new DataFormatException("cannot read CSV input " + path + ": " + e.getMessage(), e);
        }
        String at = files.get(0) + ", line 1: ";
        String columns = " (columns: " + String.join(", ", header) + ")";
        int seqCol = CsvSource.indexOf(header, seq.sequenceColumn());
        if (seqCol < 0) {
            throw new DataFormatException(at + "the header has no sequence column '" + seq.sequenceColumn() + "'"
                    + columns + "; name it with --sequence-col.");
        }
        int stepCol = CsvSource.indexOf(header, seq.stepColumn());
        if (stepCol < 0) {
            throw new DataFormatException(at + "the header has no step column '" + seq.stepColumn() + "'" + columns
                    + "; name it with --step-col.");
        }
        if (stepCol == seqCol) {
            throw new DataFormatException("--sequence-col and --step-col both name column '" + seq.stepColumn()
                    + "'; a sequence's id and its steps are two columns.");
        }
        // the label column(s): one class label, or the targets / 0-1 labels of regression and multi-label, or none
        List<String> labelNames = new ArrayList<>();
        if (options.targetCount() > 0) {
            labelNames.addAll(options.targets());
        } else if (!options.isUnlabelled()) {
            labelNames.add(options.labelIndex() >= 0 && options.labelIndex() < header.length
                    ? header[options.labelIndex()] : options.labelColumn());
        }
        int[] labelCols = new int[labelNames.size()];
        for (int j = 0; j < labelCols.length; j++) {
            labelCols[j] = CsvSource.indexOf(header, labelNames.get(j));
            if (labelCols[j] < 0) {
                throw new DataFormatException(at + "the header has no " + (options.targetCount() > 0 && !options
                        .binaryTargets() ? "target" : "label") + " column '" + labelNames.get(j) + "'" + columns
                        + "; name it with --label-col" + (options.targetCount() > 0 ? " or --label-cols" : "")
                        + " (score: --no-labels for sequences without labels).");
            }
            if (labelCols[j] == seqCol || labelCols[j] == stepCol) {
                throw new DataFormatException("column '" + labelNames.get(j) + "' is the sequence or step column and"
                        + " cannot be a label too.");
            }
        }
        int[] featureCols;
        if (options.featureColumns() != null) {
            featureCols = new int[options.featureColumns().size()];
            for (int i = 0; i < featureCols.length; i++) {
                featureCols[i] = CsvSource.indexOf(header, options.featureColumns().get(i));
                if (featureCols[i] < 0) {
                    throw new DataFormatException(at + "the header has no feature column '"
                            + options.featureColumns().get(i) + "'" + columns + ".");
                }
            }
        } else {
            java.util.Set<Integer> not = new java.util.HashSet<>();
            not.add(seqCol);
            not.add(stepCol);
            for (int c : labelCols) {
                not.add(c);
            }
            featureCols = new int[header.length - not.size()];
            for (int c = 0, k = 0; c < header.length; c++) {
                if (!not.contains(c)) {
                    featureCols[k++] = c;
                }
            }
        }
        int f = seq.features();
        if (featureCols.length != f) {
            List<String> names = new ArrayList<>();
            for (int c : featureCols) {
                names.add(header[c]);
            }
            throw new DataFormatException("CSV input " + path + " has " + featureCols.length + " feature column"
                    + (featureCols.length == 1 ? "" : "s") + " per step " + names + " besides the sequence and step"
                    + (labelCols.length > 0 ? " and label" : "") + " columns, but the model takes " + f + " ("
                    + seq.input() + ")" + (labelCols.length == 0 ? " (rows to score: every other column is a"
                    + " feature; drop --no-labels if a label column is there)" : ""));
        }
        if (files.size() >= RowIds.FILE_LIMIT) {
            throw new DataFormatException("CSV input " + path + " has " + files.size() + " files; at most "
                    + RowIds.FILE_LIMIT + " are supported: merge some.");
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
        final String[] h = header;
        final char delim = options.delimiter();
        final int[] fc = featureCols;
        final int[] lc = labelCols;
        final int sc = seqCol;
        final int tc = stepCol;
        JavaPairRDD<Key, Step> steps = lines.mapPartitionsWithInputSplit((split, it) -> {
            Integer fi = fileIndex.get(((FileSplit) split).getPath().toString());
            long base = RowIds.base(fi == null ? 0 : fi);
            int[] place = places(h.length, sc, tc, fc, lc); // made once per partition
            NumberCells cells = new NumberCells();
            return new Iterator<Tuple2<Key, Step>>() {
                Tuple2<Key, Step> next = advance();

                private Tuple2<Key, Step> advance() {
                    while (it.hasNext()) {
                        Tuple2<LongWritable, Text> t = it.next();
                        long offset = t._1().get();
                        long id = base | offset;
                        if (offset != 0) {
                            Tuple2<Key, Step> fast = parseFast(cells, id, t._2().getBytes(), t._2().getLength(), delim,
                                    place, fc.length, lc.length);
                            if (fast != null) {
                                return fast;
                            }
                        }
                        String line = t._2().toString();
                        if (offset == 0) {
                            List<String> got = CsvSource.split(line, delim);
                            if (!got.equals(List.of(h))) {
                                Step s = bad(id, Problem.FILE, "the header (" + String.join(",", got) + ") differs"
                                        + " from the first file's (" + String.join(",", h) + "); all files of one input"
                                        + " must have the same columns");
                                s.orphan = true;
                                return new Tuple2<>(new Key(Long.MIN_VALUE, Double.NEGATIVE_INFINITY, id), s);
                            }
                            continue;
                        }
                        if (line.isBlank()) {
                            continue;
                        }
                        return parse(id, CsvSource.split(line, delim), h, sc, tc, fc, lc);
                    }
                    return null;
                }

                @Override
                public boolean hasNext() {
                    return next != null;
                }

                @Override
                public Tuple2<Key, Step> next() {
                    if (next == null) {
                        throw new NoSuchElementException();
                    }
                    Tuple2<Key, Step> out = next;
                    next = advance();
                    return out;
                }
            };
        }, false).mapPartitionsToPair(it -> it);
        int parts = options.partitions() > 0 ? options.partitions() : lines.getNumPartitions();
        final String[] labels = labelNames.toArray(new String[0]);
        final int classes = options.classes();
        if (seq.isPerStep() && !options.isUnlabelled() && labelCols.length != seq.stepTargets()) {
            throw new DataFormatException("the model " + seq.spec() + " gives " + seq.stepTargets() + " output(s) per"
                    + " step, but " + labelCols.length + " label column(s) " + labelNames + " are named; name one per"
                    + " output with --label-col or --label-cols");
        }
        // many-to-many: the steps' labels ride with the length (SequenceOptions.perStep), the row has no targets after
        final int targets = seq.isPerStep() ? 0 : options.targetCount();
        final boolean binary = options.binaryTargets();
        final boolean unlabelled = options.isUnlabelled();
        JavaRDD<Example> rows = steps.repartitionAndSortWithinPartitions(new BySequence(parts), new Order())
                .mapPartitions(it -> new Assembler(it, seq, classes, targets, binary, unlabelled, labels), true);
        CsvSource lineSource = new CsvSource("CSV " + path, files, conf);
        Shape shape = Shape.of(seq.inputValues() + targets);
        // as floats a padded sequence takes T·F values where its text took its steps' cells: a rough doubling
        long estimate = (long) (bytes * 2.4);
        return LabeledData.validate(rows, new Source(lineSource), options, shape,
                options.storageFor(spark.sparkContext(), estimate, parts)).withSequences(seq);
    }

    private static Step bad(long line, Problem p, String detail) {
        Step s = new Step();
        s.line = line;
        s.problem = p;
        s.detail = detail;
        return s;
    }

    /**
     * A line as its key (sequence id, step, line) and its step: the features parsed, the label cells parsed (NaN and
     * the text kept where one is not a number: only the last step's label counts), or the first problem.
     */
    static Tuple2<Key, Step> parse(long id, List<String> cells, String[] header, int seqCol, int stepCol,
            int[] featureCols, int[] labelCols) {
        long sequence = Long.MIN_VALUE;
        String text = null;
        boolean haveSequence = false;
        String seqProblem = null;
        if (seqCol < cells.size()) {
            String c = cells.get(seqCol).trim();
            try {
                sequence = Long.parseLong(c);
                haveSequence = true;
            } catch (NumberFormatException e) {
                try {
                    double d = Double.parseDouble(c);
                    if (d == Math.rint(d) && Math.abs(d) < 9e15) {
                        sequence = (long) d;
                        haveSequence = true;
                    }
                } catch (NumberFormatException e2) {
                    // a text id, below
                }
            }
            if (!haveSequence && !c.isEmpty()) { // a text id: grouped by the text (docs/data-preparation.md)
                text = c;
                sequence = textId(c);
                haveSequence = true;
            }
            if (!haveSequence) {
                seqProblem = "sequence column '" + header[seqCol] + "' is empty (a missing value); every line needs"
                        + " its sequence id";
            }
        } else {
            seqProblem = "has " + cells.size() + " columns but the header has " + header.length;
        }
        if (!haveSequence) {
            Step s = bad(id, cells.size() != header.length ? Problem.WRONG_COLUMN_COUNT : Problem.NOT_A_NUMBER,
                    seqProblem);
            s.orphan = true;
            return new Tuple2<>(new Key(Long.MIN_VALUE, Double.NEGATIVE_INFINITY, id), s);
        }
        String where = "sequence " + (text == null ? SequenceOptions.named(sequence) : SequenceOptions.named(text));
        double step = Double.NEGATIVE_INFINITY;
        boolean haveStep = false;
        if (stepCol < cells.size()) {
            String c = cells.get(stepCol).trim();
            try {
                step = Double.parseDouble(c);
                haveStep = Double.isFinite(step);
            } catch (NumberFormatException e) {
                // reported below
            }
            if (!haveStep) {
                Key k = new Key(sequence, text, Double.NEGATIVE_INFINITY, id);
                return new Tuple2<>(k, bad(id, Problem.NOT_A_NUMBER, where + ": step column '" + header[stepCol]
                        + "' holds '" + c + "', not a finite number"));
            }
        }
        Key key = new Key(sequence, text, step, id);
        if (haveStep) {
            where += ", step " + SequenceOptions.step(step);
        }
        if (cells.size() != header.length) {
            return new Tuple2<>(key, bad(id, Problem.WRONG_COLUMN_COUNT, where + ": the line has " + cells.size()
                    + " columns but the header has " + header.length + " (a step needs its " + featureCols.length
                    + " features)"));
        }
        float[] v = new float[featureCols.length + labelCols.length];
        for (int k = 0; k < featureCols.length; k++) {
            String c = cells.get(featureCols[k]);
            try {
                v[k] = Float.parseFloat(c);
            } catch (NumberFormatException e) {
                return new Tuple2<>(key, bad(id, Problem.NOT_A_NUMBER, where + ": column '" + header[featureCols[k]]
                        + "' holds '" + c + "', not a number" + (c.isEmpty() ? " (a missing value)" : "")));
            }
            if (!Float.isFinite(v[k])) {
                return new Tuple2<>(key, bad(id, Problem.NON_FINITE, where + ": column '" + header[featureCols[k]]
                        + "' holds " + c + "; features must be finite numbers (impute or remove missing values)"));
            }
        }
        Step s = new Step();
        s.line = id;
        s.values = v;
        for (int j = 0; j < labelCols.length; j++) {
            String c = cells.get(labelCols[j]);
            float y = Float.NaN;
            try {
                y = Float.parseFloat(c);
            } catch (NumberFormatException e) {
                // kept as text: an error only if this is the sequence's last step
            }
            if (!Float.isFinite(y)) {
                y = Float.NaN;
                if (s.badLabel == null) {
                    s.badLabel = "column '" + header[labelCols[j]] + "' holds '" + c + "'"
                            + (c.isBlank() ? " (a missing value)" : "");
                }
            }
            v[featureCols.length + j] = y;
        }
        return new Tuple2<>(key, s);
    }

    /** Where column c goes: {@link #SEQUENCE}, {@link #STEP}, a feature k (k), a label j (F + j), or -1 (not read). */
    static int[] places(int columns, int seqCol, int stepCol, int[] featureCols, int[] labelCols) {
        int[] at = new int[columns];
        java.util.Arrays.fill(at, -1);
        for (int k = 0; k < featureCols.length; k++) {
            at[featureCols[k]] = k;
        }
        for (int j = 0; j < labelCols.length; j++) {
            at[labelCols[j]] = featureCols.length + j;
        }
        at[seqCol] = SEQUENCE;
        at[stepCol] = STEP;
        return at;
    }

    static final int SEQUENCE = -2;
    static final int STEP = -3;


    /**
     * A line of plain numbers (digits, a sign, a decimal point; no exponent, quote or empty cell) parsed without a
     * String per cell, to the bits {@link #parse} gives: a feature or label with at most 7 significant digits and 10
     * decimals is m / 10^d in float, a step with at most 15 and 15 is the same in double (both exactly rounded: one
     * division of two exact values, Clinger's fast path), a sequence id an integer. Null for any other line: the
     * general parser reads it and words its errors.
     */
    static Tuple2<Key, Step> parseFast(long id, byte[] b, int len, char delim, int[] at, int features, int labels) {
        return parseFast(new NumberCells(), id, b, len, delim, at, features, labels);
    }

    /** As above, reading the cells with the caller's {@code cell} (one per task, reused line after line). */
    static Tuple2<Key, Step> parseFast(NumberCells cell, long id, byte[] b, int len, char delim, int[] at, int features,
            int labels) {
        float[] v = new float[features + labels];
        long sequence = 0;
        double step = 0;
        int columns = at.length;
        // CsvSource's cells, at most 15 digits (a step is a double)
        boolean words = NumberCells.wordsFor(delim);
        int i = 0;
        for (int c = 0; c < columns; c++) {
            i = cell.read(b, i, len, delim, c == columns - 1, 15, words);
            if (i < 0) {
                return null;
            }
            int place = at[c];
            if (place == SEQUENCE) {
                if (cell.frac > 0) {
                    return null;
                }
                sequence = cell.negative ? -cell.m : cell.m;
            } else if (place == STEP) {
                double d = (double) cell.m / Math.pow(10, cell.frac); // 10^frac exact in double up to 10^22
                step = cell.negative ? -d : d;
            } else if (place >= 0) {
                float f = cell.exactFloat();
                if (f != f) {
                    return null;
                }
                v[place] = f;
            }
        }
        Step s = new Step();
        s.line = id;
        s.values = v;
        return new Tuple2<>(new Key(sequence, step, id), s);
    }

    /**
     * A partition's sorted lines as one row per sequence (or one bad row per sequence with a problem, and per line
     * whose sequence id could not be read): holds one sequence's T·F values at a time.
     */
    static final class Assembler implements Iterator<Example> {
        private final Iterator<Tuple2<Key, Step>> it;
        private final SequenceOptions seq;
        private final int classes;
        private final int targets;
        private final boolean classification;
        private final boolean binary;
        private final boolean unlabelled;
        private final String[] labels;
        private Tuple2<Key, Step> ahead;
        private Example next;

        Assembler(Iterator<Tuple2<Key, Step>> it, SequenceOptions seq, int classes, int targets, boolean binary,
                boolean unlabelled, String[] labels) {
            this.it = it;
            this.seq = seq;
            this.classes = classes;
            this.targets = targets;
            this.binary = binary;
            this.unlabelled = unlabelled;
            this.classification = (seq.isPerStep() ? seq.stepClasses() : targets == 0) && !unlabelled;
            this.labels = labels;
            ahead = it.hasNext() ? it.next() : null;
            next = advance();
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Example next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            Example e = next;
            next = advance();
            return e;
        }

        private Tuple2<Key, Step> take() {
            Tuple2<Key, Step> t = ahead;
            ahead = it.hasNext() ? it.next() : null;
            return t;
        }

        private Example advance() {
            if (ahead == null) {
                return null;
            }
            Tuple2<Key, Step> first = take();
            if (first._2().orphan) {
                Step s = first._2();
                return Example.bad(s.line, s.problem, s.detail);
            }
            Key head = first._1();
            long id = head.sequence;
            String name = "sequence " + (head.name == null ? SequenceOptions.named(id) : SequenceOptions.named(head.name));
            boolean perStep = seq.isPerStep() && !unlabelled;
            int k = seq.stepTargets();
            int t = seq.steps();
            int f = seq.features();
            float[] x = new float[seq.inputValues() + targets];
            Example bad = null;
            long n = 0;
            long tooLongAt = -1;
            double previous = Double.NaN;
            Step last = null;
            double lastStep = Double.NaN;
            for (Tuple2<Key, Step> cur = first; cur != null;
                    cur = ahead != null && !ahead._2().orphan && ahead._1().sameSequence(head) ? take() : null) {
                Step s = cur._2();
                double step = cur._1().step;
                if (bad == null && s.problem != null) {
                    bad = Example.bad(s.line, s.problem, s.detail);
                } else if (bad == null && n > 0 && step == previous) {
                    bad = Example.bad(s.line, Problem.DUPLICATE_STEP, name + ", step " + SequenceOptions.step(step)
                            + ": a second row for the same step (each step of a sequence is one row)");
                } else if (bad == null && n >= t && tooLongAt < 0) {
                    tooLongAt = s.line;
                } else if (bad == null && tooLongAt < 0) {
                    System.arraycopy(s.values, 0, x, (int) n * f, f);
                    if (perStep) { // this step's own label(s), checked on its own line
                        bad = stepLabels(s, step, name, x, t * f + 1 + (int) n * k);
                    }
                }
                previous = step;
                last = s;
                lastStep = step;
                n++;
            }
            if (bad == null && tooLongAt >= 0) {
                bad = Example.bad(tooLongAt, Problem.SEQUENCE_TOO_LONG, seq.tooLong(SequenceOptions.named(id), n)
                        + " (this line is its step " + (t + 1) + ")");
            }
            if (bad != null) {
                return bad;
            }
            x[t * f] = n; // the length
            if (perStep) {
                // the row's label: its last step's class (splits stratify on it), 0 for targets
                Example e = new Example(id, classification ? (int) x[t * f + 1 + ((int) n - 1) * k] : 0, x);
                e.key = head.name;
                return e;
            }
            String lastName = name + ", step " + SequenceOptions.step(lastStep)
                    + " (its last, whose label the sequence takes)";
            if (unlabelled) {
                Example e = new Example(id, 0, x);
                e.key = head.name;
                return e;
            }
            if (last.badLabel != null) {
                return Example.bad(last.line, Problem.NOT_A_NUMBER, lastName + ": label " + last.badLabel
                        + ", not a number");
            }
            if (classification) {
                String[] why = new String[1];
                int label = Checks.label(last.values[f], classes, why);
                if (label < 0) {
                    return Example.bad(last.line, Problem.LABEL_OUT_OF_RANGE, lastName + ": " + why[0]);
                }
                return keyed(new Example(id, label, x), head);
            }
            System.arraycopy(last.values, f, x, t * f + 1, targets);
            if (binary) {
                Example checked = MultiLabelRows.check(new Example(last.line, 0, x), t * f + 1, labels);
                if (checked.problem != null) {
                    return Example.bad(last.line, checked.problem, lastName + ": " + checked.detail);
                }
                return keyed(new Example(id, checked.label, x), head);
            }
            return keyed(new Example(id, 0, x), head); // regression: label 0 until binnedByTarget
        }

        private static Example keyed(Example e, Key head) {
            e.key = head.name;
            return e;
        }

        /**
         * Many-to-many: step {@code s}'s label values into {@code x} at {@code at}, each a class of the model
         * (classification) or a finite number; null, or the bad row naming the line, the sequence, the step and the
         * column.
         */
        private Example stepLabels(Step s, double step, String name, float[] x, int at) {
            String where = name + ", step " + SequenceOptions.step(step) + " (every step's label counts: the model"
                    + " gives one output per step)";
            if (s.badLabel != null) {
                return Example.bad(s.line, Problem.NOT_A_NUMBER, where + ": label " + s.badLabel + ", not a number");
            }
            int f = seq.features();
            int k = seq.stepTargets();
            for (int j = 0; j < k; j++) {
                float v = s.values[f + j];
                if (classification) {
                    String[] why = new String[1];
                    int label = Checks.label(v, classes, why);
                    if (label < 0) {
                        return Example.bad(s.line, Problem.LABEL_OUT_OF_RANGE, where + ": column '" + labels[j]
                                + "': " + why[0]);
                    }
                    x[at + j] = label;
                } else {
                    x[at + j] = v;
                }
            }
            return null;
        }
    }
}
