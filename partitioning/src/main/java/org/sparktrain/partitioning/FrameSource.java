package org.sparktrain.partitioning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;
import org.sparktrain.engine.Shape;

/**
 * Reads Parquet files and existing DataFrames through Spark SQL. Features come from one column that is an
 * array of numbers or a Spark ML vector, or from several scalar numeric columns. An ML vector is read in
 * its storage layout {@code struct<type: tinyint, size: int, indices: array<int>, values: array<double>>}
 * (type 0 sparse, 1 dense), so no Spark MLlib jar is needed.
 *
 * <p>Row ids: for Parquet {@link RowIds}' (file index, row index in the file, from Spark's {@code _metadata}
 * column), so errors name the file and row; for a DataFrame, the given id column or the row's position.
 */
final class FrameSource implements RowSource {
    /** A file or directory named *.parquet, or a directory of part files named so. */
    static final DataFormat PARQUET = new DataFormat("Parquet", List.of(".parquet"), "Parquet (*.parquet)",
            "a .parquet file/directory") {
        @Override
        LabeledData read(SparkSession spark, String path, String part, ReadOptions options) {
            return parquet(spark, path, options);
        }
    };

    private final String name;
    private final List<String> files;
    /** The files as Spark lists them (with their scheme), in the order of {@link #files}; or null. */
    private final List<String> uris;
    private final boolean hasIdColumn;
    /** Whether Parquet may be read from Spark's column vectors ({@link ParquetColumns}); tests turn it off. */
    static volatile boolean columnar = true;

    private FrameSource(String name, List<String> files, List<String> uris, boolean hasIdColumn) {
        this.name = name;
        this.files = files;
        this.uris = uris;
        this.hasIdColumn = hasIdColumn;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String locate(long id) {
        if (files != null) {
            return files.get(RowIds.file(id)) + ", row " + (RowIds.position(id) + 1) + " (the first row is 1)";
        }
        // messages count rows from 1, as CSV lines and IDX examples are (docs/architecture.md, "Failing cleanly")
        return hasIdColumn ? name + ", row with id " + id : name + ", row " + (id + 1) + " (the first row is 1)";
    }

    /** With an id column the ids name the rows (Parquet sequences with --sequence-col): score writes them. */
    @Override
    public boolean idsAreKeys() {
        return hasIdColumn;
    }

    /** Parquet without an id column: the rows of each file from its footer (no data read). */
    @Override
    public long[] fileRowOffsets(org.apache.hadoop.conf.Configuration conf) {
        if (files == null || hasIdColumn) {
            return null;
        }
        List<Long> counts = new ArrayList<>();
        for (String f : uris != null ? uris : files) {
            try (org.apache.parquet.hadoop.ParquetFileReader r = org.apache.parquet.hadoop.ParquetFileReader.open(
                    org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(f), conf))) {
                counts.add(r.getRecordCount());
            } catch (java.io.IOException e) {
                throw new DataFormatException("cannot read the footer of Parquet file " + f + ": " + e.getMessage(), e);
            }
        }
        return RowNumbers.prefix(counts);
    }

    /**
     * A file path's index, remembered for the last path seen: rows come file by file, and parsing a path
     * (Hadoop's Path, a URI) for every row cost more than reading the row.
     */
    static final class FileIndex {
        private final HashMap<String, Integer> index;
        private org.apache.spark.unsafe.types.UTF8String last;
        private int lastIndex;

        FileIndex(HashMap<String, Integer> index) {
            this.index = index;
        }

        int of(org.apache.spark.unsafe.types.UTF8String file) {
            if (last == null || !last.equals(file)) {
                Integer fi = index.get(normalize(file.toString()));
                last = file.clone();
                lastIndex = fi == null ? 0 : fi;
            }
            return lastIndex;
        }
    }

    static LabeledData parquet(SparkSession spark, String path, ReadOptions options) {
        Dataset<Row> df;
        try {
            df = spark.read().parquet(path);
            StructType schema = df.schema();
            StructType plain = new StructType();
            boolean udt = false;
            for (StructField f : schema.fields()) {
                if (f.dataType() instanceof UserDefinedType) {
                    plain = plain.add(f.name(), ((UserDefinedType<?>) f.dataType()).sqlType(), f.nullable());
                    udt = true;
                } else {
                    plain = plain.add(f);
                }
            }
            if (udt) {
                df = spark.read().schema(plain).parquet(path);
            }
        } catch (DataFormatException e) {
            throw e;
        } catch (Exception e) {
            throw new DataFormatException("cannot read Parquet input " + path + ": " + e.getMessage()
                    + "; check the path and that it holds Parquet files.", e);
        }
        boolean unlabelled = options.isUnlabelled();
        if (unlabelled || options.targetCount() > 0) { // rows to score, or regression: a constant label column (0)
            df = df.withColumn("__label", functions.lit(0));
            options = options.copyWithLabel("__label");
        }
        List<String> files = new ArrayList<>();
        java.util.Map<String, String> uriOf = new HashMap<>();
        for (String f : df.inputFiles()) {
            files.add(normalize(f));
            uriOf.put(normalize(f), f);
        }
        files.sort(null);
        List<String> uris = new ArrayList<>();
        for (String f : files) {
            uris.add(uriOf.get(f));
        }
        if (files.isEmpty()) {
            throw new DataFormatException("Parquet input " + path + " holds no files.");
        }
        HashMap<String, Integer> index = new HashMap<>();
        for (int i = 0; i < files.size(); i++) {
            index.put(files.get(i), i);
        }
        if (options.sequences() != null && options.sequences().sequenceColumn() != null) {
            // one sequence per row, named by its id column (docs/data-preparation.md, "Sequences"): score keys its
            // output by it
            options = options.idColumn(options.sequences().sequenceColumn());
        }
        if (options.idColumn() != null) { // the user's ids name the rows
            return read(df, options, "Parquet " + path, null, null, null, null, null, false);
        }
        Dataset<Row> withMeta = df.withColumn("__file", functions.col("_metadata.file_path"))
                .withColumn("__row", functions.col("_metadata.row_index"));
        Column fileCol = functions.col("__file");
        Column rowCol = functions.col("__row");
        return read(withMeta, options, "Parquet " + path, files, uris, index, fileCol, rowCol, unlabelled);
    }

    static LabeledData dataFrame(Dataset<Row> df, ReadOptions options, String name) {
        if (options.targetCount() > 0) { // regression: a constant label column (0) until binnedByTarget
            df = df.withColumn("__label", functions.lit(0));
            options = options.copyWithLabel("__label");
        }
        return read(df, options, "DataFrame " + name, null, null, null, null, null, false);
    }

    private static LabeledData read(Dataset<Row> df, ReadOptions o, String name, List<String> files, List<String> uris,
            HashMap<String, Integer> fileIndex, Column fileCol, Column rowCol, boolean unlabelled) {
        StructType schema = df.schema();
        List<String> names = Arrays.asList(schema.fieldNames());
        if (!names.contains(o.labelColumn())) {
            throw new DataFormatException(name + " has no label column '" + o.labelColumn() + "' (columns: "
                    + String.join(", ", names) + "); name the label column.");
        }
        List<Column> cols = new ArrayList<>();
        cols.add(functions.col(o.labelColumn()));
        List<String> featureNames;
        boolean single;
        if (o.featureColumns() != null) {
            featureNames = o.featureColumns();
            single = false;
        } else if (names.contains(o.featuresColumn())) {
            featureNames = List.of(o.featuresColumn());
            single = true;
        } else {
            featureNames = new ArrayList<>();
            for (StructField f : schema.fields()) {
                String n = f.name();
                if (!n.equals(o.labelColumn()) && !n.equals(o.idColumn()) && !n.startsWith("__")
                        && !n.equals(o.weightColumn()) && !n.equals(o.ignoredColumn())
                        && (o.targets() == null || !o.targets().contains(n))) {
                    featureNames.add(n);
                }
            }
            single = false;
        }
        for (String f : featureNames) {
            if (!names.contains(f)) {
                throw new DataFormatException(name + " has no feature column '" + f + "' (columns: "
                        + String.join(", ", names) + ").");
            }
            DataType t = schema.apply(f).dataType();
            if (single && !(t instanceof ArrayType || t instanceof StructType || t instanceof UserDefinedType)) {
                throw new DataFormatException(name + ": features column '" + f + "' has type " + t.simpleString()
                        + "; expected an array of numbers or an ML vector.");
            }
            cols.add(functions.col(f));
        }
        if (featureNames.isEmpty()) {
            throw new DataFormatException(name + " has no feature columns besides the label.");
        }
        // variable-length sequences (docs/data-preparation.md, "Sequences"): array<array<number>> (steps × features),
        // or array<number> of steps·F values with --step-features F
        SequenceOptions seq = null;
        if (single && o.sequences() != null) {
            DataType t = schema.apply(featureNames.get(0)).dataType();
            boolean nested = t instanceof ArrayType a && a.elementType() instanceof ArrayType;
            if (nested || (t instanceof ArrayType && o.sequences().stepFeatures() > 0)) {
                seq = o.sequences();
            }
        } else if (o.sequences() != null && o.sequences().stepFeatures() > 0) {
            throw new DataFormatException(name + ": --step-features reads sequences from one array<float> column ('"
                    + o.featuresColumn() + "' by default), which " + name + " does not have (columns: "
                    + String.join(", ", names) + ")");
        }
        if (seq == null && single && schema.apply(featureNames.get(0)).dataType() instanceof ArrayType a
                && a.elementType() instanceof ArrayType) {
            throw new DataFormatException(name + ": features column '" + featureNames.get(0) + "' holds sequences ("
                    + a.simpleString() + "); a model reading them is recurrent, with input: [T, F] in its spec");
        }
        final SequenceOptions sequences = seq;
        final int nt = o.targetCount();
        final boolean binary = o.binaryTargets();
        final String[] tnames = nt == 0 ? new String[0] : o.targets().toArray(new String[0]);
        for (String t : tnames) { // regression targets, read after the features (docs/architecture.md, "Regression")
            if (!names.contains(t)) {
                throw new DataFormatException(name + " has no target column '" + t + "' (columns: "
                        + String.join(", ", names) + "); name the target columns with --label-col or --label-cols"
                        + " (score: --no-labels for rows without them).");
            }
            cols.add(functions.col(t));
        }
        // a row weight (docs/architecture.md, Conventions, "Row weights"): one more value after the targets
        final String wname = o.weightColumn();
        final int nw = wname == null ? 0 : 1;
        if (wname != null) {
            if (!names.contains(wname)) {
                throw new DataFormatException(name + " has no weight column '" + wname + "' (columns: "
                        + String.join(", ", names) + ").");
            }
            if (sequences != null) {
                throw new DataFormatException(name + ": row weights (weight column '" + wname + "') are not built for"
                        + " sequence input");
            }
            cols.add(functions.col(wname));
        }
        boolean hasId = o.idColumn() != null;
        if (hasId) {
            if (!names.contains(o.idColumn())) {
                throw new DataFormatException(name + " has no id column '" + o.idColumn() + "'.");
            }
            // a text id names its sequence as written (docs/data-preparation.md, "Sequences"); others are integers
            cols.add(schema.apply(o.idColumn()).dataType() instanceof org.apache.spark.sql.types.StringType
                    ? functions.col(o.idColumn()) : functions.col(o.idColumn()).cast("long"));
        }
        if (fileCol != null) {
            cols.add(fileCol);
            cols.add(rowCol);
        }
        if (o.partitions() > 0 && df.rdd().getNumPartitions() < o.partitions()) {
            // fewer partitions than asked (e.g. one small file): a shuffle spreads them. More partitions than
            // asked stay as they are: the pipeline groups contiguous runs of them per worker without moving
            // rows (GroupedRDD), or deals the rows out when it must anyway.
            df = df.repartition(o.partitions());
        }
        Dataset<Row> selected = df.select(cols.toArray(new Column[0]));
        JavaRDD<Row> rows = selected.javaRDD();
        final int nf = featureNames.size();
        final boolean one = single;
        final int classes = o.classes();
        final String[] fnames = featureNames.toArray(new String[0]);
        final String labelName = o.labelColumn();
        // many-to-many: the steps' targets ride with the length (SequenceOptions.perStep), no targets after the row
        final boolean perStep = sequences != null && sequences.isPerStep() && !o.isUnlabelled();
        final int rowTargets = sequences != null && sequences.isPerStep() ? 0 : nt;
        final int expected = sequences != null ? sequences.inputValues() + rowTargets
                : o.shape() != null ? o.shape().size() + nt + nw : (one ? -1 : nf + nt + nw);
        JavaRDD<Example> raw;
        // the fast paths read a label and one array; regression's target columns take the general path
        Internal fast = single && nt == 0 && nw == 0 && sequences == null && (fileCol != null || hasId)
                ? Internal.of(selected.schema(), fnames[0], labelName) : null;
        if (fast != null) {
            // an array column of numbers: straight from Spark's internal rows, no boxed element
            final HashMap<String, Integer> idx = fileIndex;
            final boolean byFile = fileCol != null;
            raw = selected.queryExecution().toRdd().toJavaRDD().mapPartitions(it -> {
                FileIndex fileOf = new FileIndex(idx);
                return new java.util.Iterator<Example>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Example next() {
                        org.apache.spark.sql.catalyst.InternalRow r = it.next();
                        long id;
                        if (byFile) {
                            id = RowIds.of(fileOf.of(r.getUTF8String(2)), r.getLong(3));
                        } else if (r.isNullAt(2)) {
                            return Example.bad(-1, Problem.FILE, "the id column is null; every row needs an id");
                        } else {
                            id = r.getLong(2);
                        }
                        return fast.parse(id, r, classes);
                    }
                };
            }, true);
        } else if (fileCol != null) {
            final HashMap<String, Integer> idx = fileIndex;
            raw = rows.map(r -> {
                Integer fi = idx.get(normalize(r.getString(1 + nf + nt + nw)));
                long id = RowIds.of(fi == null ? 0 : fi, r.getLong(2 + nf + nt + nw));
                return perStep ? stepTargets(sequence(id, r, sequences, classes, fnames[0], labelName), r, sequences,
                        classes, labelName, tnames, 1 + nf) : withWeight(withTargets(sequences != null ? sequence(id, r,
                        sequences, classes, fnames[0], labelName) : parse(id, r, nf, one, classes, fnames, labelName),
                        r, 1 + nf, tnames, binary), r, 1 + nf + nt, wname);
            });
        } else if (hasId) {
            raw = rows.map(r -> {
                if (r.isNullAt(1 + nf + nt + nw)) {
                    return Example.bad(-1, Problem.FILE, "the id column is null; every row needs an id");
                }
                Object idValue = r.get(1 + nf + nt + nw);
                String text = idValue instanceof String t ? t : null;
                long id = text != null ? SequenceCsv.textId(text) : ((Number) idValue).longValue();
                Example e = perStep ? stepTargets(sequence(id, r, sequences, classes, fnames[0], labelName), r,
                        sequences, classes, labelName, tnames, 1 + nf) : withWeight(withTargets(sequences != null
                        ? sequence(id, r, sequences, classes, fnames[0], labelName) : parse(id, r, nf, one, classes,
                        fnames, labelName), r, 1 + nf, tnames, binary), r, 1 + nf + nt, wname);
                if (text != null && e.problem == null) {
                    e.key = text;
                }
                return e;
            });
        } else {
            raw = rows.zipWithIndex().map(t -> perStep ? stepTargets(sequence(t._2(), t._1(), sequences, classes,
                    fnames[0], labelName), t._1(), sequences, classes, labelName, tnames, 1 + nf)
                    : withWeight(withTargets(sequences != null ? sequence(t._2(), t._1(), sequences, classes, fnames[0],
                    labelName) : parse(t._2(), t._1(), nf, one, classes, fnames, labelName), t._1(), 1 + nf, tnames,
                    binary), t._1(), 1 + nf + nt, wname));
        }
        int length = expected;
        if (length < 0) {
            List<Example> firstGood = raw.filter(Example::isValid).take(1);
            length = firstGood.isEmpty() ? 1 : firstGood.get(0).features.length;
        }
        Shape shape = sequences != null ? Shape.of(length) // [x (T·F), length, targets...]
                : o.shape() != null && nt + nw == 0 ? o.shape() : Shape.of(length); // [x..., y..., w] flat
        final int len = length;
        final int trailing = rowTargets + nw;
        JavaRDD<Example> checked = raw.map(e -> e.problem != null ? e
                : trailing > 0 && e.features.length != len ? Checks.wrongLength(e.id, e.features.length - trailing,
                        len - trailing)
                : keyed(Checks.features(e.id, e.label, e.features, len), e.key));
        // Spark's estimate of the input's size (the files' sizes for Parquet), a fifth more for compression; from the
        // plan of what is read (planned once, for the read itself too), not of the whole frame (a second planning)
        long estimate;
        try {
            java.math.BigInteger size = selected.queryExecution().optimizedPlan().stats().sizeInBytes().bigInteger();
            estimate = size.min(java.math.BigInteger.valueOf(Long.MAX_VALUE / 2)).longValue() / 5 * 6;
        } catch (RuntimeException e) {
            estimate = Long.MAX_VALUE / 2;
        }
        FrameSource source = new FrameSource(name, files, uris, hasId);
        org.apache.spark.storage.StorageLevel storage = o.storageFor(df.sparkSession().sparkContext(), estimate,
                checked.getNumPartitions());
        if (sequences != null) {
            return LabeledData.validate(checked, source, o, shape, storage).withSequences(sequences);
        }
        if (fileCol != null && one && columnar && nt == 0 && nw == 0) {
            ParquetColumns.Layout scan = ParquetColumns.scan(selected.queryExecution().executedPlan(), labelName,
                    fnames[0], unlabelled);
            if (scan != null) { // Parquet's column vectors straight into chunks: same rows, same checks
                return LabeledData.fromChunks(ParquetColumns.chunks(scan, fileIndex, classes, len, o.summaries()), source, o, shape,
                        storage, false);
            }
        }
        return LabeledData.validate(checked, source, o, shape, storage);
    }

    /**
     * Reads (label, array of numbers) from Spark's internal rows: the array's values are copied out as
     * primitives ({@code toFloatArray} and the like) instead of being boxed one by one into a Row. Same
     * checks and messages as {@link #parse}.
     */
    static final class Internal implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final DataType label;
        private final DataType element;
        private final boolean elementNulls;
        private final String fname;
        private final String labelName;

        private Internal(DataType label, DataType element, boolean elementNulls, String fname, String labelName) {
            this.label = label;
            this.element = element;
            this.elementNulls = elementNulls;
            this.fname = fname;
            this.labelName = labelName;
        }

        /** The reader for this schema (label at 0, array at 1), or null when it has other types. */
        static Internal of(StructType schema, String fname, String labelName) {
            return of(schema.fields()[0].dataType(), schema.fields()[1].dataType(), fname, labelName);
        }

        /**
         * The reader for a label of type {@code l} (null: no label column, rows to score) and an array column
         * of type {@code f}; null unless both are numbers.
         */
        static Internal of(DataType l, DataType f, String fname, String labelName) {
            if (!(f instanceof ArrayType) || (l != null && !numeric(l))) {
                return null;
            }
            DataType e = ((ArrayType) f).elementType();
            return numeric(e) ? new Internal(l, e, ((ArrayType) f).containsNull(), fname, labelName) : null;
        }

        DataType labelType() {
            return label;
        }

        DataType element() {
            return element;
        }

        Example nullLabel(long id) {
            return Example.bad(id, Problem.NOT_A_NUMBER, "label column '" + labelName + "' holds null, not a class"
                    + " number");
        }

        Example nullArray(long id) {
            return Example.bad(id, Problem.NOT_A_NUMBER, "features column '" + fname + "' is null");
        }

        Example nullElement(long id, int k) {
            return Example.bad(id, Problem.NOT_A_NUMBER, "features column '" + fname + "' element " + k
                    + " is null, not a number");
        }

        static boolean numeric(DataType t) {
            return t instanceof org.apache.spark.sql.types.FloatType || t instanceof org.apache.spark.sql.types.DoubleType
                    || t instanceof org.apache.spark.sql.types.IntegerType || t instanceof org.apache.spark.sql.types.LongType
                    || t instanceof org.apache.spark.sql.types.ShortType || t instanceof org.apache.spark.sql.types.ByteType;
        }

        /** A value of any of Spark's number types (a row's column or an array's element) as a double. */
        static double number(org.apache.spark.sql.catalyst.expressions.SpecializedGetters g, int i, DataType t) {
            if (t instanceof org.apache.spark.sql.types.FloatType) {
                return g.getFloat(i);
            } else if (t instanceof org.apache.spark.sql.types.DoubleType) {
                return g.getDouble(i);
            }
            return integer(g, i, t);
        }

        /** A value of one of Spark's integer types (int, long, short, byte) as a long. */
        static long integer(org.apache.spark.sql.catalyst.expressions.SpecializedGetters g, int i, DataType t) {
            if (t instanceof org.apache.spark.sql.types.IntegerType) {
                return g.getInt(i);
            } else if (t instanceof org.apache.spark.sql.types.LongType) {
                return g.getLong(i);
            } else if (t instanceof org.apache.spark.sql.types.ShortType) {
                return g.getShort(i);
            }
            return g.getByte(i);
        }

        Example parse(long id, org.apache.spark.sql.catalyst.InternalRow r, int classes) {
            if (r.isNullAt(0)) {
                return nullLabel(id);
            }
            String[] why = new String[1];
            int c = Checks.label(number(r, 0, label), classes, why);
            if (c < 0) {
                return Example.bad(id, Problem.LABEL_OUT_OF_RANGE, why[0]);
            }
            if (r.isNullAt(1)) {
                return nullArray(id);
            }
            org.apache.spark.sql.catalyst.util.ArrayData a = r.getArray(1);
            if (elementNulls) {
                for (int k = 0; k < a.numElements(); k++) {
                    if (a.isNullAt(k)) {
                        return nullElement(id, k);
                    }
                }
            }
            float[] f;
            if (element instanceof org.apache.spark.sql.types.FloatType) {
                f = a.toFloatArray();
            } else if (element instanceof org.apache.spark.sql.types.DoubleType) {
                double[] d = a.toDoubleArray();
                f = new float[d.length];
                for (int k = 0; k < d.length; k++) {
                    f[k] = (float) d[k];
                }
            } else {
                f = new float[a.numElements()];
                for (int k = 0; k < f.length; k++) {
                    f[k] = integer(a, k, element); // the long rounded once to float
                }
            }
            return new Example(id, c, f);
        }
    }

    private static Example parse(long id, Row r, int nf, boolean one, int classes, String[] fnames, String labelName) {
        Object lv = r.get(0);
        double label;
        if (lv instanceof Number) {
            label = ((Number) lv).doubleValue();
        } else {
            return Example.bad(id, Problem.NOT_A_NUMBER, "label column '" + labelName + "' holds "
                    + (lv == null ? "null" : "'" + lv + "'") + ", not a class number");
        }
        String[] why = new String[1];
        int c = Checks.label(label, classes, why);
        if (c < 0) {
            return Example.bad(id, Problem.LABEL_OUT_OF_RANGE, why[0]);
        }
        float[] f;
        if (one) {
            Object v = r.get(1);
            if (v == null) {
                return Example.bad(id, Problem.NOT_A_NUMBER, "features column '" + fnames[0] + "' is null");
            }
            if (v instanceof Row) {
                f = fromVectorStruct((Row) v);
                if (f == null) {
                    return Example.bad(id, Problem.NOT_A_NUMBER, "features column '" + fnames[0]
                            + "' holds a malformed ML vector");
                }
            } else if (v instanceof scala.collection.Seq || v instanceof List) {
                List<?> list = r.getList(1);
                f = new float[list.size()];
                for (int k = 0; k < f.length; k++) {
                    Object x = list.get(k);
                    if (!(x instanceof Number)) {
                        return Example.bad(id, Problem.NOT_A_NUMBER, "features column '" + fnames[0] + "' element "
                                + k + " is " + (x == null ? "null" : "'" + x + "'") + ", not a number");
                    }
                    f[k] = ((Number) x).floatValue();
                }
            } else {
                f = fromMlVector(v);
                if (f == null) {
                    return Example.bad(id, Problem.NOT_A_NUMBER, "features column '" + fnames[0] + "' holds a "
                            + v.getClass().getSimpleName() + ", not an array or vector");
                }
            }
        } else {
            f = new float[nf];
            for (int k = 0; k < nf; k++) {
                Object x = r.get(1 + k);
                if (!(x instanceof Number)) {
                    return Example.bad(id, Problem.NOT_A_NUMBER, "column '" + fnames[k] + "' holds "
                            + (x == null ? "null" : "'" + x + "'") + ", not a number");
                }
                f[k] = ((Number) x).floatValue();
            }
        }
        return new Example(id, c, f);
    }

    /**
     * A sequence row (docs/data-preparation.md, "Sequences"): the label, and the features column as steps
     * ({@code array<array<number>>}, or {@code array<number>} of steps·F values) laid out as
     * {@code [x (T·F, steps after the length 0), length]}; a bad row for a null, an empty sequence, a step of another
     * width than the spec's F, more steps than its T, or a value that is not a finite number, naming the step
     * (counted from 1) and the column.
     */
    static Example sequence(long id, Row r, SequenceOptions seq, int classes, String fname, String labelName) {
        Object lv = seq.isPerStep() ? Integer.valueOf(0) : r.get(0); // per step: stepTargets reads the array
        if (!(lv instanceof Number)) {
            return Example.bad(id, Problem.NOT_A_NUMBER, "label column '" + labelName + "' holds "
                    + (lv == null ? "null" : "'" + lv + "'") + ", not a class number");
        }
        String[] why = new String[1];
        int c = Checks.label(((Number) lv).doubleValue(), classes, why);
        if (c < 0) {
            return Example.bad(id, Problem.LABEL_OUT_OF_RANGE, why[0]);
        }
        List<?> values = list(r.get(1));
        if (values == null) {
            return Example.bad(id, Problem.NOT_A_NUMBER, "features column '" + fname + "' is null, not a sequence");
        }
        int f = seq.features();
        int t = seq.steps();
        boolean nested = !values.isEmpty() && list(values.get(0)) != null;
        int length;
        if (seq.stepFeatures() > 0 && !nested) {
            if (values.size() % f != 0) {
                return Example.bad(id, Problem.WRONG_COLUMN_COUNT, "features column '" + fname + "' holds "
                        + values.size() + " values, not whole steps of " + f + " (--step-features " + f + "; "
                        + seq.input() + "): its last step has " + values.size() % f);
            }
            length = values.size() / f;
        } else {
            length = values.size();
        }
        String name = "the sequence in column '" + fname + "'";
        if (length == 0) {
            return Example.bad(id, Problem.EMPTY_SEQUENCE, name + " has no steps; every sequence needs at least one");
        }
        if (length > t) {
            return Example.bad(id, Problem.SEQUENCE_TOO_LONG, seq.tooLong("in column '" + fname + "'", length));
        }
        float[] x = new float[seq.inputValues()];
        for (int s = 0; s < length; s++) {
            List<?> step = nested ? list(values.get(s)) : values.subList(s * f, (s + 1) * f);
            String at = name + ", step " + (s + 1) + " (counting from 1)";
            if (step == null) {
                return Example.bad(id, Problem.NOT_A_NUMBER, at + " is null, not an array of " + f + " features");
            }
            if (step.size() != f) {
                return Example.bad(id, Problem.WRONG_COLUMN_COUNT, at + " has " + step.size() + " features; the model"
                        + " takes " + f + " per step (" + seq.input() + ")");
            }
            for (int k = 0; k < f; k++) {
                Object v = step.get(k);
                if (!(v instanceof Number)) {
                    return Example.bad(id, Problem.NOT_A_NUMBER, at + ", feature " + k + " is "
                            + (v == null ? "null" : "'" + v + "'") + ", not a number");
                }
                float y = ((Number) v).floatValue();
                if (!Float.isFinite(y)) {
                    return Example.bad(id, Problem.NON_FINITE, at + ", feature " + k + " is " + y
                            + "; features must be finite numbers");
                }
                x[s * f + k] = y;
            }
        }
        x[t * f] = length;
        return new Example(id, c, x);
    }

    /**
     * Many-to-many (docs/data-preparation.md, "Sequences"): a sequence row's steps' targets, read after its length
     * ({@code [x (T·F), length, y (T·K)]}): classification, the label column an array of one class per step
     * ({@code array<int>} or of any number type); regression, each target column an array with one value per step
     * ({@code array<number>}) or several ({@code array<array<number>>}), K values per step in all. The array must
     * have one entry per step of the sequence; a bad row names the column, the step (counted from 1) and what is
     * wrong. The row's label is its last step's class (splits stratify on it), 0 for regression.
     */
    static Example stepTargets(Example e, Row r, SequenceOptions seq, int classes, String labelName, String[] tnames,
            int from) {
        if (e.problem != null) {
            return e;
        }
        int t = seq.steps();
        int k = seq.stepTargets();
        float[] x = e.features;
        int at = t * seq.features() + 1;
        int length = (int) x[at - 1];
        int columns = seq.stepClasses() ? 1 : tnames.length;
        List<?>[] ys = new List<?>[columns];
        for (int j = 0; j < columns; j++) {
            Object v = seq.stepClasses() ? r.get(0) : r.get(from + j);
            String col = (seq.stepClasses() ? "label column '" + labelName : "target column '" + tnames[j]) + "'";
            ys[j] = list(v);
            if (ys[j] == null) {
                return Example.bad(e.id, Problem.NOT_A_NUMBER, col + " holds " + (v == null ? "null" : "'" + v + "'")
                        + ", not an array of one " + (seq.stepClasses() ? "label" : "target") + " per step (the model"
                        + " gives one output per step)");
            }
            if (ys[j].size() != length) {
                return Example.bad(e.id, Problem.WRONG_COLUMN_COUNT, col + " holds " + ys[j].size() + " step "
                        + (seq.stepClasses() ? "labels" : "targets") + " but the sequence has " + length + " steps;"
                        + " the model gives one output per step, so each step needs its own");
            }
        }
        int label = 0;
        for (int s = 0; s < length; s++) {
            int n = 0;
            for (int j = 0; j < columns; j++) {
                String col = (seq.stepClasses() ? "label column '" + labelName : "target column '" + tnames[j]) + "'";
                String where = col + ", step " + (s + 1) + " (counting from 1)";
                Object v = ys[j].get(s);
                List<?> several = list(v);
                List<?> values = several != null ? several : java.util.Collections.singletonList(v);
                for (Object y : values) {
                    if (!(y instanceof Number)) {
                        return Example.bad(e.id, Problem.NOT_A_NUMBER, where + " holds " + (y == null ? "null (a"
                                + " missing value)" : "'" + y + "'") + ", not a number");
                    }
                    double d = ((Number) y).doubleValue();
                    if (seq.stepClasses()) {
                        String[] why = new String[1];
                        label = Checks.label(d, classes, why);
                        if (label < 0) {
                            return Example.bad(e.id, Problem.LABEL_OUT_OF_RANGE, where + ": " + why[0]);
                        }
                        d = label;
                    } else if (!Double.isFinite(d)) {
                        return Example.bad(e.id, Problem.NON_FINITE, where + " holds " + d + "; targets must be finite"
                                + " numbers");
                    }
                    if (n < k) {
                        x[at + s * k + n] = (float) d;
                    }
                    n++;
                }
            }
            if (n != k) {
                return Example.bad(e.id, Problem.WRONG_COLUMN_COUNT, "step " + (s + 1) + " (counting from 1) has " + n
                        + " target values in " + (seq.stepClasses() ? "label column '" + labelName + "'"
                        : "target column(s) " + java.util.Arrays.toString(tnames)) + "; the model gives " + k
                        + " per step");
            }
        }
        Example out = new Example(e.id, label, x);
        out.key = e.key;
        return out;
    }

    /** {@code e} with the text id {@code key} (null: as it is). */
    private static Example keyed(Example e, String key) {
        if (key != null && e.problem == null) {
            e.key = key;
        }
        return e;
    }

    /** An array value as Spark's rows hand it over (a Scala Seq or a java List), or null when it is not one. */
    private static List<?> list(Object v) {
        if (v instanceof List<?> l) {
            return l;
        }
        if (v instanceof scala.collection.Seq<?> s) {
            return scala.jdk.javaapi.CollectionConverters.asJava(s);
        }
        return null;
    }

    /**
     * A regression row: its features followed by the target columns at {@code r[from..]}, each a finite number
     * (a null, non-numeric or non-finite target is a bad row naming its column); the row as it is when it is
     * bad already or there are no targets.
     */
    static Example withTargets(Example e, Row r, int from, String[] tnames, boolean binary) {
        Example t = withTargets(e, r, from, tnames);
        return binary ? MultiLabelRows.check(t, e.features == null ? 0 : e.features.length, tnames) : t;
    }

    /**
     * The row with its weight (column {@code wname} at {@code r.get(from)}) appended after its values; a null,
     * non-numeric, negative, NaN or infinite weight is a bad row naming the column ({@link Problem#BAD_WEIGHT}). No
     * weight column ({@code wname} null): the row as it is. docs/architecture.md, Conventions, "Row weights".
     */
    static Example withWeight(Example e, Row r, int from, String wname) {
        if (wname == null || e.problem != null) {
            return e;
        }
        Object x = r.get(from);
        if (!(x instanceof Number)) {
            return Example.bad(e.id, Problem.BAD_WEIGHT, "weight column '" + wname + "' holds "
                    + (x == null ? "null (a missing value)" : "'" + x + "'") + ", not a number");
        }
        float w = ((Number) x).floatValue();
        if (!(w >= 0) || Float.isInfinite(w)) {
            return Example.bad(e.id, Problem.BAD_WEIGHT, "weight column '" + wname + "' holds " + w
                    + "; a row weight must be a finite number >= 0");
        }
        float[] f = java.util.Arrays.copyOf(e.features, e.features.length + 1);
        f[e.features.length] = w;
        Example out = new Example(e.id, e.label, f);
        out.key = e.key;
        return out;
    }

    static Example withTargets(Example e, Row r, int from, String[] tnames) {
        if (tnames.length == 0 || e.problem != null) {
            return e;
        }
        float[] f = java.util.Arrays.copyOf(e.features, e.features.length + tnames.length);
        for (int t = 0; t < tnames.length; t++) {
            Object x = r.get(from + t);
            if (!(x instanceof Number)) {
                return Example.bad(e.id, Problem.NOT_A_NUMBER, "target column '" + tnames[t] + "' holds "
                        + (x == null ? "null (a missing value)" : "'" + x + "'") + ", not a number");
            }
            float v = ((Number) x).floatValue();
            if (!Float.isFinite(v)) {
                return Example.bad(e.id, Problem.NON_FINITE, "target column '" + tnames[t] + "' holds " + v
                        + "; targets must be finite numbers (remove rows without a target)");
            }
            f[e.features.length + t] = v;
        }
        return new Example(e.id, e.label, f);
    }

    /** A vector in Spark ML's storage layout; null when malformed. */
    private static float[] fromVectorStruct(Row v) {
        if (v.size() < 4 || v.isNullAt(0) || v.isNullAt(3)) {
            return null;
        }
        int type = ((Number) v.get(0)).intValue();
        List<Object> values = v.getList(3);
        if (type == 1) {
            float[] f = new float[values.size()];
            for (int k = 0; k < f.length; k++) {
                f[k] = ((Number) values.get(k)).floatValue();
            }
            return f;
        }
        if (type != 0 || v.isNullAt(1) || v.isNullAt(2)) {
            return null;
        }
        int size = ((Number) v.get(1)).intValue();
        List<Object> indices = v.getList(2);
        if (size < 0 || indices.size() != values.size()) {
            return null;
        }
        float[] f = new float[size];
        for (int k = 0; k < indices.size(); k++) {
            int i = ((Number) indices.get(k)).intValue();
            if (i < 0 || i >= size) {
                return null;
            }
            f[i] = ((Number) values.get(k)).floatValue();
        }
        return f;
    }

    /** An org.apache.spark.ml.linalg.Vector when Spark MLlib is on the class path (no compile dependency). */
    private static float[] fromMlVector(Object v) {
        try {
            double[] d = (double[]) v.getClass().getMethod("toArray").invoke(v);
            float[] f = new float[d.length];
            for (int k = 0; k < d.length; k++) {
                f[k] = (float) d[k];
            }
            return f;
        } catch (ReflectiveOperationException | ClassCastException e) {
            return null;
        }
    }

    static String normalize(String file) {
        return new Path(file).toUri().normalize().getPath();
    }
}
