package org.sparktrain.driver.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.driver.spark.SparkSetup;
import org.sparktrain.driver.train.AtomicWrite;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.io.FittedScaler;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;
import org.sparktrain.engine.metrics.ClassificationMetrics;
import org.sparktrain.engine.metrics.MultiLabelMetrics;
import org.sparktrain.engine.metrics.RegressionMetrics;
import org.sparktrain.partitioning.DataFormats;
import org.sparktrain.partitioning.DataPipeline;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.train.RoundVector;
import org.sparktrain.partitioning.Block;
import org.sparktrain.partitioning.LabeledData;
import org.sparktrain.partitioning.ReadOptions;
import org.apache.spark.sql.functions;
import org.sparktrain.partitioning.RowNumbers;
import org.sparktrain.partitioning.ScoringBlocks;

/**
 * {@code sparktrain score}: batch scoring with a saved model. The model file is read through Hadoop's
 * FileSystem, its parameters broadcast, and every partition predicts its rows in blocks on the executors
 * (the model's fitted scaler applied first); predictions are written as CSV or Parquet, one row per input
 * row: {@code row_id}, {@code label} (labelled input), {@code prediction}, {@code prob_0 .. prob_{k-1}}.
 * With labels, the metrics are printed too.
 */
final class ScoreCommand {
    static final String HELP = """
            usage: sparktrain score --model-file FILE --data DATA --out DIR [flags]

              --model-file FILE       a model written by 'sparktrain train' (model.sptr); any Hadoop path
              --data DATA             {formats}
              --part P                the IDX part to score (default t10k)
              --no-labels             the input has no label column (CSV: every column is a feature)
              --label-col NAME        the label column of labelled CSV/Parquet input (default: label; for a
                                      regression model the target columns it was trained on)
              --label-cols Y1,Y2,...  regression: the target columns of labelled input; multi-label: its 0/1
                                      label columns (default: the ones the model was trained on)
              --sequence-col ID       long-format CSV sequences (a model taking input: [T, F]): the sequence id
                                      column; one output row per sequence, its id in a column of this name
                                      (instead of row_id; a string column when ids are text), the label
                                      (labelled input) its last step's. A per-step model (output [T, K])
                                      writes one row per REAL step: the id, step (0-based position in the
                                      sequence), the step's label or targets, then its predictions
              --step-col T            with --sequence-col: the column steps are sorted by
              --step-features F       Parquet sequences in an array<float> column of steps*F values; Parquet's
                                      --sequence-col (no --step-col) names an id column (integer or string)
                                      to key rows by
                                      (all three default to what the model was trained with, for input of
                                      the format it was trained on)
              --threshold T           multi-label: a label is yes (pred_L 1) when prob_L >= T (default: the
                                      threshold stored in the model, else 0.5)
              --out DIR               where the predictions go (must not exist yet)
              --format csv|parquet    output format (default parquet)
              --metrics-out FILE      with labels: also write the metrics as JSON
              --master URL            Spark master (default: as spark-submit set it, else local[*])
              --help                  this text
            """.replace("{formats}", DataSources.dataHelp("rows to score: "));

    private ScoreCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a = new Args("sparktrain score", argv, 1,
                Set.of("model-file", "data", "part", "label-col", "label-cols", "out", "format", "metrics-out", "master",
                        "threshold", "sequence-col", "step-col", "step-features"),
                Set.of("help", "no-labels"));
        if (a.flag("help")) {
            out.print(HELP);
            return 0;
        }
        String modelPath = a.require("model-file");
        String dataPath = a.require("data");
        String outPath = a.require("out");
        String format = a.get("format", "parquet");
        if (!format.equals("csv") && !format.equals("parquet")) {
            throw new Args.UsageException("--format must be csv or parquet, got '" + format + "'");
        }
        boolean labelled = !a.flag("no-labels");
        if (!labelled && a.has("metrics-out")) {
            throw new Args.UsageException("--metrics-out needs labels; drop --no-labels or --metrics-out");
        }
        // what can be checked before Spark starts is (docs/architecture.md, "Failing cleanly")
        Preflight.input("--model-file", modelPath);
        Preflight.input("--data", dataPath);
        Preflight.outputDir("--out", outPath, true);
        if (a.has("metrics-out")) {
            Preflight.outputFile("--metrics-out", a.get("metrics-out", ""));
        }
        out.printf("sparktrain score: %s on %s into %s; starting Spark (%s) ...%n", modelPath, dataPath, outPath,
                Logs.master(a.get("master", null)));
        Logs.beforeSpark(a.get("master", null));
        SparkSession session = SparkSetup.session("sparktrain score", a.get("master", null));
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
        org.apache.hadoop.fs.Path mp = new org.apache.hadoop.fs.Path(modelPath);
        FileSystem mfs = mp.getFileSystem(sc.hadoopConfiguration());
        if (!mfs.exists(mp)) {
            throw new Args.UsageException("--model-file " + modelPath + ": no such file");
        }
        ModelContents model;
        try (InputStream in = mfs.open(mp)) {
            model = ModelFile.read(in, modelPath);
        }
        Network net = Network.restore(model, modelPath);
        ModelSpec spec = net.spec();
        // a per-step model (output [T, K], many-to-many) predicts K values per step
        boolean perStep = net.perStep();
        int classes = perStep ? net.outputShape().dim(1) : net.outputShape().size();
        org.apache.hadoop.fs.Path op = new org.apache.hadoop.fs.Path(outPath);
        FileSystem ofs = op.getFileSystem(sc.hadoopConfiguration());
        if (ofs.exists(op)) {
            throw new Args.UsageException("--out " + outPath + " exists already; scoring never overwrites: choose"
                    + " another directory or remove it");
        }

        long t0 = System.nanoTime();
        out.println("reading and validating " + dataPath + " ...");
        LabeledData data;
        boolean multiLabel = spec.multiLabel();
        boolean regression = spec.regression() || multiLabel; // both predict values per row from its targets' path
        // a multi-label model's label names and threshold are in its provenance (docs/architecture.md, "Multi-label");
        // a file without them (or any older file) decides at 0.5
        double threshold = RunFlags.threshold(a, spec, modelPath, storedThreshold(model));
        List<String> targets = regression && labelled ? targetColumns(a, model, spec.targetCount()) : null;
        // variable-length sequences as the model was trained on them (docs/data-preparation.md, "Sequences")
        org.sparktrain.partitioning.SequenceOptions sequences = RunFlags.sequences(a, spec, modelPath);
        if (sequences != null && !a.has("sequence-col") && !a.has("step-features")) {
            sequences = storedSequences(sequences, model, dataPath); // as the model was trained, for the same format
        }
        // the column the model's rows were weighed by is not a feature (docs/architecture.md, Conventions, "Row weights")
        String weightCol = model.provenance().get("weight.column");
        if (labelled) {
            DataSources.Options read = new DataSources.Options(Math.max(2, classes), spec.input(),
                    a.get("label-col", null), false).sequences(sequences);
            data = DataFormats.read(session, dataPath, a.get("part", "t10k"), (regression ? read.targets(spec, targets)
                    : read).read().ignoredColumn(weightCol).summaries(ReadOptions.Summaries.NONE));
        } else {
            data = DataFormats.read(session, dataPath, "t10k", new DataSources.Options(Math.max(2, classes),
                    spec.input(), null, false).unlabelled().sequences(sequences).read().ignoredColumn(weightCol)
                    .summaries(ReadOptions.Summaries.NONE)); // the model's scaler scales: nothing to fit
        }
        FittedScaler scaler = model.scaler().orElse(null);
        FittedScaler targetScaler = model.targetScaler().orElse(null);
        int targetCount = data.targetCount();
        // packed from the read's cache as the predictions are written (no second copy of the data); a regression
        // input's targets stay in their own units (identity columns of the row scaler)
        // a sequence row's inputs end with its length, which the row scaler leaves as it is
        JavaRDD<Block> blocks = ScoringBlocks.pack(data, targetCount > 0 || data.sequences() != null
                ? DataPipeline.rowScaler(scaler, null, data.inputCount(), targetCount) : scaler,
                ScoringBlocks.PREDICT_ROWS);

        Broadcast<float[]> weights = sc.broadcast(RoundVector.packParamsAndState(net));
        String specText = spec.text();
        // row_id: the row's 0-based number in input order, whatever the format (RowNumbers)
        RowNumbers numbers = RowNumbers.of(data, sc.hadoopConfiguration());
        List<StructField> fields = new ArrayList<>();
        // long-format sequences: one row per sequence, keyed by its id under the sequence column's name; ids that are
        // text are written as text (docs/data-preparation.md, "Sequences")
        boolean textIds = sequences != null && data.hasTextIds();
        fields.add(DataTypes.createStructField(data.source().idsAreKeys() && sequences != null
                ? sequences.sequenceColumn() : "row_id", textIds ? DataTypes.StringType : DataTypes.LongType, false));
        JavaRDD<Row> rows;
        if (perStep) { // one row per real step of every sequence: its id, the step, the step's predictions
            fields.add(DataTypes.createStructField("step", DataTypes.IntegerType, false));
            int steps = net.outputShape().dim(0);
            int stepTargets = Block.stepTargets(net);
            boolean stepClasses = Block.stepClasses(net);
            rows = blocks.mapPartitionsWithIndex((Integer p, Iterator<Block> it) -> predictSteps(it, specText,
                    weights.value(), classes, steps, stepTargets, stepClasses, labelled, numbers, p, textIds), true);
            if (stepClasses) {
                if (labelled) {
                    fields.add(DataTypes.createStructField("label", DataTypes.IntegerType, false));
                }
                fields.add(DataTypes.createStructField("prediction", DataTypes.IntegerType, false));
                for (int c = 0; c < classes; c++) {
                    fields.add(DataTypes.createStructField("prob_" + c, DataTypes.FloatType, false));
                }
            } else {
                for (int t = 0; labelled && t < classes; t++) {
                    fields.add(DataTypes.createStructField(targets.get(t), DataTypes.FloatType, false));
                }
                for (String name : predictionColumns(classes)) {
                    fields.add(DataTypes.createStructField(name, DataTypes.FloatType, false));
                }
            }
        } else if (regression) { // docs/architecture.md, "Regression": predictions in the targets' own units
            rows = blocks.mapPartitionsWithIndex((Integer p, Iterator<Block> it) -> predictValues(it, specText,
                    weights.value(), classes, targetCount, targetScaler, numbers, p, textIds), true);
            for (int t = 0; t < targetCount; t++) {
                fields.add(DataTypes.createStructField(targets.get(t), DataTypes.FloatType, false));
            }
            for (String name : multiLabel ? probabilityColumns(model, targets, classes) : predictionColumns(classes)) {
                fields.add(DataTypes.createStructField(name, DataTypes.FloatType, false));
            }
        } else {
            rows = blocks.mapPartitionsWithIndex((Integer p, Iterator<Block> it) -> predictRows(it, specText,
                    weights.value(), classes, labelled, numbers, p, textIds), true);
            if (labelled) {
                fields.add(DataTypes.createStructField("label", DataTypes.IntegerType, false));
            }
            fields.add(DataTypes.createStructField("prediction", DataTypes.IntegerType, false));
            for (int c = 0; c < classes; c++) {
                fields.add(DataTypes.createStructField("prob_" + c, DataTypes.FloatType, false));
            }
        }
        for (int k = 1; k < fields.size(); k++) { // a sequence column named like an output column: sequence_id
            if (fields.get(k).name().equals(fields.get(0).name())) {
                fields.set(0, DataTypes.createStructField("sequence_id", fields.get(0).dataType(), false));
            }
        }
        StructType schema = new StructType(fields.toArray(new StructField[0]));
        Dataset<Row> df = session.createDataFrame(rows, schema);
        if (multiLabel) { // the labels as read as 0/1 integers, and one decision per label at the threshold
            List<String> names = labelNames(model, targets, classes);
            for (int t = 0; t < targetCount; t++) {
                df = df.withColumn(targets.get(t), functions.col(targets.get(t)).cast(DataTypes.IntegerType));
            }
            for (String name : names) {
                df = df.withColumn("pred_" + name, functions.when(functions.col("prob_" + name).geq(threshold), 1)
                        .otherwise(0));
            }
            schema = df.schema();
        }
        // written beside the target, then renamed: a failed run leaves no half-written output
        org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(op.getParent(),
                "." + op.getName() + "." + UUID.randomUUID() + ".tmp");
        sc.setJobDescription("sparktrain score: predict and write " + outPath);
        try {
            if (format.equals("csv")) {
                df.write().option("header", "true").csv(tmp.toString());
            } else {
                df.write().parquet(tmp.toString());
            }
            if (!ofs.rename(tmp, op)) {
                throw new java.io.IOException("cannot rename " + tmp + " to " + op);
            }
        } finally {
            ofs.delete(tmp, true);
            weights.destroy();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long n = data.count();
        out.printf(java.util.Locale.ROOT, "scored %d %s with %s into %s (%s) in %.1f s (%.0f rows/s, reading"
                + " included)%n", n, perStep ? "sequences (one output row per real step)" : "rows", modelPath, outPath,
                format, seconds, n / seconds);
        if (labelled && multiLabel) {
            MultiLabelMetrics m = writtenMultiLabelMetrics(session, outPath, format, schema, targets,
                    probabilityColumns(model, targets, classes), threshold);
            out.print(m.summary(targets));
            out.printf("micro F1 %.4f  macro F1 %.4f  hamming loss %.4f  subset accuracy %.4f  (%d examples, threshold"
                    + " %s)%n", m.microF1(), m.macroF1(), m.hammingLoss(), m.subsetAccuracy(), m.count(), threshold);
            if (a.has("metrics-out")) {
                byte[] json = (org.sparktrain.driver.report.MetricsJson.text(m) + "\n").getBytes(StandardCharsets.UTF_8);
                AtomicWrite.write(sc.hadoopConfiguration(), a.get("metrics-out", ""), o -> o.write(json));
            }
        } else if (labelled && regression) {
            RegressionMetrics m = writtenRegressionMetrics(session, outPath, format, schema, targets, classes);
            if (perStep) {
                m.addSequences(n); // the written rows are the real steps (docs/architecture.md)
            }
            out.print(m.summary());
            out.printf("rmse %.4g  mae %.4g  r2 %.4f  (%d examples%s, in the targets' units)%n", m.rmse(), m.mae(),
                    m.r2(), m.count(), m.perStepNote());
            if (a.has("metrics-out")) {
                byte[] json = (org.sparktrain.driver.report.MetricsJson.text(m) + "\n").getBytes(StandardCharsets.UTF_8);
                AtomicWrite.write(sc.hadoopConfiguration(), a.get("metrics-out", ""), o -> o.write(json));
            }
        } else if (labelled) {
            // from the predictions as written: the network runs once per row
            ClassificationMetrics m = writtenMetrics(session, outPath, format, schema, classes);
            if (perStep) {
                m.addSequences(n); // the written rows are the real steps (docs/architecture.md)
            }
            out.println(m.summary());
            out.printf("accuracy %.4f  loss %.4f  (%d examples%s)%n", m.accuracy(), m.logLoss(), m.count(),
                    m.perStepNote());
            if (a.has("metrics-out")) {
                byte[] json = (org.sparktrain.driver.report.MetricsJson.text(m) + "\n").getBytes(StandardCharsets.UTF_8);
                AtomicWrite.write(sc.hadoopConfiguration(), a.get("metrics-out", ""), o -> o.write(json));
            }
        }
        data.unpersist();
        return 0;
    }

    /**
     * The metrics of written predictions (columns {@code label} and {@code prob_0..}), computed on the
     * executors per partition and merged in partition order.
     */
    static ClassificationMetrics writtenMetrics(SparkSession session, String path, String format, StructType schema,
            int classes) {
        Dataset<Row> written = format.equals("csv")
                ? session.read().option("header", "true").schema(schema).csv(path)
                : session.read().parquet(path);
        org.apache.spark.sql.Column[] cols = new org.apache.spark.sql.Column[classes + 1];
        cols[0] = functions.col("label");
        for (int c = 0; c < classes; c++) {
            cols[c + 1] = functions.col("prob_" + c);
        }
        List<ClassificationMetrics> parts = written.select(cols).javaRDD().mapPartitions((Iterator<Row> it) -> {
            ClassificationMetrics m = new ClassificationMetrics(classes);
            int batch = 1024;
            int[] labels = new int[batch];
            float[] probs = new float[batch * classes];
            int k = 0;
            while (it.hasNext()) {
                Row r = it.next();
                labels[k] = r.getInt(0);
                for (int c = 0; c < classes; c++) {
                    probs[k * classes + c] = r.getFloat(c + 1);
                }
                if (++k == batch) {
                    m.addBatch(probs, classes, labels, k);
                    k = 0;
                }
            }
            m.addBatch(probs, classes, labels, k);
            return List.of(m).iterator();
        }).collect();
        ClassificationMetrics all = new ClassificationMetrics(classes);
        for (ClassificationMetrics m : parts) {
            all.merge(m);
        }
        return all;
    }

    /**
     * The sequence columns a model was trained with (its provenance's {@code sequence.col}, {@code step.col} for
     * long-format CSV, {@code step.features} for Parquet), used when scoring data of that format without the flags;
     * {@code given} otherwise.
     */
    static org.sparktrain.partitioning.SequenceOptions storedSequences(org.sparktrain.partitioning.SequenceOptions given,
            ModelContents model, String dataPath) {
        Map<String, String> p = model.provenance();
        String name = dataPath.toLowerCase(java.util.Locale.ROOT);
        if (p.containsKey("sequence.col") && p.containsKey("step.col") && (name.endsWith(".csv")
                || name.endsWith(".csv.gz"))) {
            return given.columns(p.get("sequence.col"), p.get("step.col"));
        }
        if (name.endsWith(".parquet")) {
            org.sparktrain.partitioning.SequenceOptions s = given;
            if (p.containsKey("sequence.col") && !p.containsKey("step.col")) {
                s = s.columns(p.get("sequence.col"), null);
            }
            try {
                return p.containsKey("step.features") ? s.stepFeatures(Integer.parseInt(p.get("step.features"))) : s;
            } catch (RuntimeException e) {
                return s; // a provenance entry that does not fit: the flags decide
            }
        }
        return given;
    }

    /** The threshold a multi-label model was trained with (its provenance's {@code threshold}), else 0.5. */
    static double storedThreshold(ModelContents model) {
        String t = model.provenance().get("threshold");
        try {
            return t == null ? RunFlags.DEFAULT_THRESHOLD : Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new Args.UsageException("the model file's provenance holds threshold '" + t + "', not a number;"
                    + " give --threshold T");
        }
    }

    /**
     * A multi-label model's label names: the label columns of labelled input, else those it was trained on (its
     * provenance's {@code labels}), else 0..K-1.
     */
    static List<String> labelNames(ModelContents model, List<String> given, int labels) {
        if (given != null) {
            return given;
        }
        String stored = model.provenance().get("labels");
        if (stored != null && stored.split(",").length == labels) {
            return List.of(stored.split(","));
        }
        List<String> names = new ArrayList<>();
        for (int j = 0; j < labels; j++) {
            names.add(Integer.toString(j));
        }
        return names;
    }

    /** {@code prob_L} for every label L of a multi-label model. */
    static List<String> probabilityColumns(ModelContents model, List<String> given, int labels) {
        List<String> cols = new ArrayList<>();
        for (String n : labelNames(model, given, labels)) {
            cols.add("prob_" + n);
        }
        return cols;
    }

    /** The multi-label metrics of written predictions (label and probability columns), merged in partition order. */
    static MultiLabelMetrics writtenMultiLabelMetrics(SparkSession session, String path, String format,
            StructType schema, List<String> labels, List<String> probs, double threshold) {
        Dataset<Row> written = format.equals("csv")
                ? session.read().option("header", "true").schema(schema).csv(path)
                : session.read().parquet(path);
        int k = labels.size();
        List<org.apache.spark.sql.Column> cols = new ArrayList<>();
        for (String t : labels) {
            cols.add(functions.col(t).cast(DataTypes.FloatType));
        }
        for (String p : probs) {
            cols.add(functions.col(p));
        }
        List<MultiLabelMetrics> parts = written.select(cols.toArray(new org.apache.spark.sql.Column[0])).javaRDD()
                .mapPartitions((Iterator<Row> it) -> {
                    MultiLabelMetrics m = new MultiLabelMetrics(k);
                    float[] y = new float[k];
                    float[] p = new float[k];
                    while (it.hasNext()) {
                        Row r = it.next();
                        for (int j = 0; j < k; j++) {
                            y[j] = r.getFloat(j);
                            p[j] = r.getFloat(k + j);
                        }
                        m.addBatch(p, y, 1, threshold);
                    }
                    return List.of(m).iterator();
                }).collect();
        MultiLabelMetrics all = new MultiLabelMetrics(k);
        for (MultiLabelMetrics m : parts) {
            all.merge(m);
        }
        return all;
    }

    /** {@code prediction} for one output, {@code prediction_0 .. prediction_{n-1}} for more. */
    static List<String> predictionColumns(int outputs) {
        List<String> names = new ArrayList<>();
        for (int j = 0; j < outputs; j++) {
            names.add(outputs == 1 ? "prediction" : "prediction_" + j);
        }
        return names;
    }

    /**
     * A regression model's target columns in labelled input: {@code --label-cols}, {@code --label-col}, else the
     * columns it was trained on (its provenance's {@code targets}), else {@code label}.
     */
    static List<String> targetColumns(Args a, ModelContents model, int outputs) {
        String given = a.get("label-cols", a.get("label-col", model.provenance().getOrDefault("targets",
                model.provenance().getOrDefault("labels", "label"))));
        List<String> cols = new ArrayList<>();
        for (String c : given.split(",")) {
            if (!c.isBlank()) {
                cols.add(c.trim());
            }
        }
        if (cols.size() != outputs) {
            throw new Args.UsageException("the model has " + outputs + " outputs but " + cols.size()
                    + " target column(s) " + cols + " are named; give --label-cols with one per output, or --no-labels");
        }
        return cols;
    }

    /** The regression metrics of written predictions (the target and prediction columns), merged in partition order. */
    static RegressionMetrics writtenRegressionMetrics(SparkSession session, String path, String format,
            StructType schema, List<String> targets, int outputs) {
        Dataset<Row> written = format.equals("csv")
                ? session.read().option("header", "true").schema(schema).csv(path)
                : session.read().parquet(path);
        List<org.apache.spark.sql.Column> cols = new ArrayList<>();
        for (String t : targets) {
            cols.add(functions.col(t));
        }
        for (String p : predictionColumns(outputs)) {
            cols.add(functions.col(p));
        }
        List<RegressionMetrics> parts = written.select(cols.toArray(new org.apache.spark.sql.Column[0])).javaRDD()
                .mapPartitions((Iterator<Row> it) -> {
                    RegressionMetrics m = new RegressionMetrics(outputs);
                    float[] y = new float[outputs];
                    float[] p = new float[outputs];
                    while (it.hasNext()) {
                        Row r = it.next();
                        for (int j = 0; j < outputs; j++) {
                            y[j] = r.getFloat(j);
                            p[j] = r.getFloat(outputs + j);
                        }
                        m.addBatch(p, y, 1);
                    }
                    return List.of(m).iterator();
                }).collect();
        RegressionMetrics all = new RegressionMetrics(outputs);
        for (RegressionMetrics m : parts) {
            all.merge(m);
        }
        return all;
    }

    /**
     * A regression model's output rows: {@code row_id}, the targets as read (labelled input), the predictions with
     * the target scaler inverted; predicted a block at a time.
     */
    static Iterator<Row> predictValues(Iterator<Block> it, String specText, float[] weights, int outputs, int targets,
            FittedScaler targetScaler, RowNumbers numbers, int partition, boolean textIds) {
        if (!it.hasNext()) {
            return java.util.Collections.emptyIterator();
        }
        Network n = network(specText, weights);
        return new BlockRows(it, numbers, partition, textIds) {
            private org.sparktrain.engine.data.MiniBatch mb;
            private float[] pred = new float[0];

            @Override
            void predict(Block b) {
                mb = b.toMiniBatch(targets, Block.sequenceSteps(b.featureSize, targets, n.inputShape()));
                if (pred.length < b.size * outputs) {
                    pred = new float[b.size * outputs];
                }
                n.predict(mb.features, mb.mask, b.size, pred);
                if (targetScaler != null && b.size > 0) {
                    targetScaler.invert(pred, 0, b.size);
                }
            }

            @Override
            Object[] row(Block b, int i, int k, Object rowId) {
                Object[] v = new Object[1 + targets + outputs];
                int j = 0;
                v[j++] = rowId;
                for (int t = 0; t < targets; t++) {
                    v[j++] = mb.targets[i * targets + t];
                }
                for (int o = 0; o < outputs; o++) {
                    v[j++] = pred[i * outputs + o];
                }
                return v;
            }
        };
    }

    /**
     * A partition's output rows, predicted a block at a time as the rows are consumed (nothing held): the walk over
     * the blocks and the 0-based row numbers here (a text sequence id instead, as written, with {@code textIds}),
     * what a block predicts and a row holds in the subclass; an input row gives {@link #rowsOf} output rows (one, or
     * a per-step model's one per real step).
     */
    private abstract static class BlockRows implements Iterator<Row> {
        private final Iterator<Block> blocks;
        private final RowNumbers numbers;
        private final int partition;
        private final boolean textIds;
        private Block b;
        private int i;
        private int k; // the output row of input row i
        private long index; // rows of this partition before b

        BlockRows(Iterator<Block> blocks, RowNumbers numbers, int partition, boolean textIds) {
            this.blocks = blocks;
            this.numbers = numbers;
            this.partition = partition;
            this.textIds = textIds;
        }

        /** Predicts every row of {@code b}, before its rows are asked for. */
        abstract void predict(Block b);

        /** The output rows of row {@code i} of the block last predicted: 1 unless a subclass says otherwise. */
        int rowsOf(Block b, int i) {
            return 1;
        }

        /** Output row {@code k} of row {@code i} of the block last predicted, its first value {@code rowId}. */
        abstract Object[] row(Block b, int i, int k, Object rowId);

        @Override
        public boolean hasNext() {
            while (true) {
                if (b != null && i < b.size) {
                    if (k < rowsOf(b, i)) {
                        return true;
                    }
                    i++;
                    k = 0;
                    continue;
                }
                if (!blocks.hasNext()) {
                    return false;
                }
                if (b != null) {
                    index += b.size;
                }
                b = blocks.next();
                i = 0;
                k = 0;
                predict(b);
            }
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            long number = numbers.number(partition, index + i, b.ids[i]);
            Object id = !textIds ? (Object) number
                    : b.keys != null && b.keys[i] != null ? b.keys[i] : Long.toString(number);
            Row r = RowFactory.create(row(b, i, k, id));
            k++;
            return r;
        }
    }

    /** A network of the model's spec holding the broadcast {@code weights} (one per scoring task). */
    private static Network network(String specText, float[] weights) {
        Network n = Network.build(ModelSpec.parse(specText, "model"), 0);
        RoundVector.unpackParamsAndState(weights, n);
        return n;
    }

    /**
     * A per-step model's output rows (many-to-many, docs/data-preparation.md, "Sequences"): one per REAL step of
     * every sequence, {@code [id, step (0-based), label or the K targets (labelled input), prediction and prob_0..
     * (classification) or the K predictions]}; padded steps write nothing.
     */
    static Iterator<Row> predictSteps(Iterator<Block> it, String specText, float[] weights, int outputs, int steps,
            int stepTargets, boolean stepClasses, boolean labelled, RowNumbers numbers, int partition,
            boolean textIds) {
        if (!it.hasNext()) {
            return java.util.Collections.emptyIterator();
        }
        Network n = network(specText, weights);
        return new BlockRows(it, numbers, partition, textIds) {
            private org.sparktrain.engine.data.MiniBatch mb;
            private float[] pred = new float[0];

            @Override
            void predict(Block b) {
                mb = b.toMiniBatch(0, steps, stepTargets, stepClasses);
                if (pred.length < b.size * steps * outputs) {
                    pred = new float[b.size * steps * outputs];
                }
                n.predict(mb.features, mb.mask, b.size, pred);
            }

            @Override
            int rowsOf(Block b, int i) {
                int length = 0;
                while (length < steps && mb.mask[i * steps + length] != 0f) {
                    length++;
                }
                return length;
            }

            @Override
            Object[] row(Block b, int i, int k, Object rowId) {
                int r = i * steps + k; // the step's place in the minibatch
                List<Object> v = new ArrayList<>();
                v.add(rowId);
                v.add(k);
                if (stepClasses) {
                    if (labelled) {
                        v.add(mb.labels[r]);
                    }
                    int best = 0;
                    for (int c = 1; c < outputs; c++) {
                        if (pred[r * outputs + c] > pred[r * outputs + best]) {
                            best = c;
                        }
                    }
                    v.add(best);
                } else if (labelled) {
                    for (int j = 0; j < outputs; j++) {
                        v.add(mb.targets[r * outputs + j]);
                    }
                }
                for (int j = 0; j < outputs; j++) {
                    v.add(pred[r * outputs + j]);
                }
                return v.toArray();
            }
        };
    }

    /**
     * Rows without labels, read by the same readers as labelled input (CSV and Parquet: every column a
     * feature, label 0): the same validation, messages and row numbers.
     */
    static LabeledData unlabelled(SparkSession session, String path, int classes, ModelSpec spec) throws java.io.IOException {
        return DataSources.read(session, path, "t10k", new DataSources.Options(classes, spec.input(), null, false)
                .unlabelled());
    }

    /** One output row per input row, predicted a block at a time as the rows are consumed (nothing held). */
    static Iterator<Row> predictRows(Iterator<Block> it, String specText, float[] weights, int classes,
                                     boolean labelled, RowNumbers numbers, int partition, boolean textIds) {
        if (!it.hasNext()) {
            return java.util.Collections.emptyIterator();
        }
        Network n = network(specText, weights);
        return new BlockRows(it, numbers, partition, textIds) {
            private float[] probs = new float[0];

            @Override
            void predict(Block b) {
                if (probs.length < b.size * classes) {
                    probs = new float[b.size * classes];
                }
                org.sparktrain.driver.eval.DistributedEvaluation.predict(n, b, 0, probs); // sequences: masked
            }

            @Override
            Object[] row(Block b, int i, int k, Object rowId) {
                Object[] v = new Object[(labelled ? 3 : 2) + classes];
                int j = 0;
                v[j++] = rowId;
                if (labelled) {
                    v[j++] = b.labels[i];
                }
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (probs[i * classes + c] > probs[i * classes + best]) {
                        best = c;
                    }
                }
                v[j++] = best;
                for (int c = 0; c < classes; c++) {
                    v[j++] = probs[i * classes + c];
                }
                return v;
            }
        };
    }
}
