package org.sparktrain.driver.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.driver.cli.Main;
import org.sparktrain.driver.spark.SparkSetup;
import org.sparktrain.driver.train.DistributedTraining;
import org.sparktrain.driver.train.RunOptions;
import org.sparktrain.engine.SplitMix;
import org.sparktrain.engine.io.FittedScaler;
import org.sparktrain.engine.io.ModelFile;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.partitioning.DataPipeline;
import org.sparktrain.partitioning.LabeledData;
import org.sparktrain.partitioning.PreparedFold;
import org.sparktrain.partitioning.ReadOptions;
import org.sparktrain.partitioning.Readers;
import org.sparktrain.partitioning.SplitSpec;
import org.sparktrain.partitioning.SyntheticSource;
import org.sparktrain.partitioning.bench.PipelineBench;

/**
 * {@code scripts/bench --pipeline --rows N --format csv|parquet [--features F] [--classes C] [--master M]
 * [--epochs E] [--no-train] [--no-score] [--runs DIR]}: data at Spark scale, beside Spark's own reads.
 *
 * <p>Makes its synthetic file once under {@code runs/bench-data/} (not timed): CSV with integer features
 * 0–255 and a label column, one file; Parquet with a float array column {@code features} and an int
 * {@code label}. Then, in one JVM and one SparkSession, one JSON line each:
 * <ol>
 * <li>{@code "peer":"spark-read"}: Spark's own read of the file with the schema given, the features
 *     assembled into one float array column, every row materialised (the plan's RDD counted, so no column
 *     can be pruned away);</li>
 * <li>{@code "phase":"pipeline"}: sparktrain's preparation of the same file: read, validate, summarise,
 *     fit a z-score scaler, pack into one partition per worker (no split), stored where it fits;</li>
 * <li>{@code "phase":"train_epoch"}: epochs of a small MLP (64 ReLU units, batch 64, Adam, K = 5, barrier
 *     transport) on those blocks;</li>
 * <li>{@code "phase":"score"}: {@code sparktrain score} of the same file with the trained model, written as
 *     Parquet (reading, validation and writing included), and {@code "peer":"spark-copy"}: Spark's own read
 *     of the file → Parquet write.</li>
 * </ol>
 * Every line has {@code rows}, {@code seconds}, {@code rows_per_sec}, the heap, the load and the master.
 */
public final class DataScaleBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DataScaleBench() {
    }

    public static void main(String[] argv) throws Exception {
        long rows = 1_000_000;
        int features = 256;
        int classes = 4;
        String format = null;
        String master = "local[2]";
        String runs = "runs";
        int epochs = 1;
        boolean train = true;
        boolean score = true;
        int window = 0;
        int repeat = 2;
        org.apache.spark.storage.StorageLevel storage = null; // auto
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            String v = i + 1 < argv.length ? argv[i + 1] : null;
            switch (a) {
                case "--pipeline", "--conf", "--data" -> {
                    if (!a.equals("--pipeline")) {
                        i++;
                    }
                    continue;
                }
                case "--no-train" -> {
                    train = false;
                    continue;
                }
                case "--no-score" -> {
                    score = false;
                    continue;
                }
                case "--rows" -> rows = Long.parseLong(need(a, v));
                case "--features" -> features = Integer.parseInt(need(a, v));
                case "--classes" -> classes = Integer.parseInt(need(a, v));
                case "--format" -> format = need(a, v);
                case "--master" -> master = need(a, v);
                case "--runs" -> runs = need(a, v);
                case "--epochs" -> epochs = Integer.parseInt(need(a, v));
                case "--repeat" -> repeat = Integer.parseInt(need(a, v));
                case "--shuffle-window" -> window = Integer.parseInt(need(a, v));
                case "--storage" -> storage = ReadOptions.storageLevel(need(a, v));
                default -> {
                    System.err.println("bench --pipeline --format: unknown option " + a + "; use --rows N, --format"
                            + " csv|parquet, --features F, --classes C, --master M, --epochs E, --shuffle-window R,"
                            + " --storage auto|memory|disk|none,"
                            + " --no-train, --no-score, --runs DIR");
                    System.exit(2);
                }
            }
            i++;
        }
        if (!"csv".equals(format) && !"parquet".equals(format)) {
            System.err.println("bench --pipeline: --format must be csv or parquet");
            System.exit(2);
        }
        Path dir = Path.of(runs, "bench-data");
        Files.createDirectories(dir);
        Path file = dir.resolve(format + "-" + rows + "x" + features + "c" + classes + (format.equals("csv") ? ".csv"
                : ".parquet"));
        SparkSession spark = SparkSession.builder().config(SparkSetup.conf("sparktrain-scale-bench", master))
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int workers = sc.defaultParallelism();
        try {
            if (!Files.exists(file)) {
                long t = System.nanoTime();
                System.err.printf(Locale.ROOT, "bench: writing %s (once; not timed)%n", file);
                if (format.equals("csv")) {
                    writeCsv(file, rows, features, classes);
                } else {
                    writeParquet(spark, file, rows, features, classes);
                }
                System.err.printf(Locale.ROOT, "bench: wrote %s in %.1f s%n", file, (System.nanoTime() - t) / 1e9);
            }
            sc.parallelize(List.of(1, 2), 2).count(); // Spark's one-time set-up of its first job: not timed

            // Alternately: the peer (Spark's own read, schema given, features assembled into an array, every
            // row made), then ours; run 1 of each is cold (JIT, Spark SQL's code generation), later ones warm.
            PreparedFold fold = null;
            LabeledData data = null;
            long peerRows = 0;
            for (int run = 1; run <= repeat; run++) {
                double load = load1();
                long t0 = System.nanoTime();
                peerRows = sparkRead(spark, file.toString(), format, features).queryExecution().toRdd().count();
                double peer = (System.nanoTime() - t0) / 1e9;
                ObjectNode pl = line("spark-read", null, peerRows, peer, load, master, workers, format, features);
                pl.put("run", run);
                emit(pl);
                if (fold != null) {
                    // blocking: the previous run's cache, freed asynchronously, would overlap this run's preparation
                    fold.unpersist(true);
                    data.unpersist(true);
                }
                load = load1();
                t0 = System.nanoTime();
                // as train reads: the model's input shape known (no probe of the first row for the array's length)
                ReadOptions ro = ReadOptions.classes(classes).label("label").partitions(workers)
                        .shape(org.sparktrain.engine.Shape.of(features)).storage(storage)
                        .summaries(ReadOptions.Summaries.ZSCORE); // as train asks for a z-score run without a split
                data = format.equals("csv") ? Readers.csv(spark, file.toString(), ro)
                        : Readers.parquet(spark, file.toString(), ro.featuresColumn("features"));
                fold = DataPipeline.defaults().split(SplitSpec.none()).scaler(FittedScaler.Kind.ZSCORE)
                        .workers(workers).batchSize(64).seed(42).shuffleWindow(window).storage(storage).prepare(data).fold(0);
                if (!fold.usesSourceCache()) {
                    data.unpersist();
                }
                double prep = (System.nanoTime() - t0) / 1e9;
                ObjectNode p = line(null, "pipeline", fold.trainRows(), prep, load, master, workers, format, features);
                p.put("run", run);
                p.put("ratio_to_spark_read", Math.round(prep / peer * 1000) / 1000.0);
                p.put("storage", fold.storage().description());
                p.put("shuffle_window", fold.shuffleWindow());
                emit(p);
            }
            double load;
            long t0;

            if (!train) {
                return;
            }
            String spec = String.format(Locale.ROOT, """
                    name: mlp%d
                    input: [%d]
                    classes: %d
                    layers:
                      - {type: dense, units: 64, activation: relu}
                      - {type: dense, units: %d, activation: softmax}
                    loss: softmax_cross_entropy
                    optimizer: {type: adam, lr: 0.001}
                    training: {batch_size: 64, epochs: %d, seed: 42}
                    """, features, features, classes, classes, epochs);
            ModelSpec ms = ModelSpec.parse(spec, "bench spec");
            RunOptions run = RunOptions.of(ms).withName("scale-bench").withWorkers(workers); // K = 5, barrier
            ByteArrayOutputStream epochLines = new ByteArrayOutputStream();
            load = load1();
            t0 = System.nanoTime();
            DistributedTraining.Trained trained = DistributedTraining.train(sc, run, fold,
                    DistributedTraining.Options.quiet().printingTo(new PrintStream(epochLines, true,
                            StandardCharsets.UTF_8)));
            DistributedTraining.Result r = trained.result();
            double trainSecs = (System.nanoTime() - t0) / 1e9;
            System.err.print(epochLines.toString(StandardCharsets.UTF_8));
            ObjectNode e = line(null, "train_epoch", r.examplesSeen(), trainSecs, load, master, workers, format,
                    features);
            e.put("epochs", r.epochsRun());
            e.put("model", ms.name());
            e.put("last_loss", r.lastTrainLoss());
            emit(e);
            fold.unpersist();

            if (!score) {
                return;
            }
            Path model = Files.createTempDirectory(dir, "model");
            Path modelFile = model.resolve("model.sptr");
            try (OutputStream o = Files.newOutputStream(modelFile)) {
                ModelFile.write(o, trained.network().toModel(java.util.Optional.ofNullable(fold.scaler()), java.util.Map.of()));
            }
            Path out = model.resolve("scored");
            load = load1();
            t0 = System.nanoTime();
            ByteArrayOutputStream so = new ByteArrayOutputStream();
            int status = Main.run(new String[] {"score", "--model-file", modelFile.toString(), "--data",
                    file.toString(), "--out", out.toString(), "--format", "parquet"},
                    new PrintStream(so, true, StandardCharsets.UTF_8), System.err);
            double scoreSecs = (System.nanoTime() - t0) / 1e9;
            System.err.print(so.toString(StandardCharsets.UTF_8));
            if (status != 0) {
                throw new IllegalStateException("score exited " + status);
            }
            long scored = spark.read().parquet(out.toString()).count();
            emit(line(null, "score", scored, scoreSecs, load, master, workers, format, features));

            Path copy = model.resolve("spark-copy");
            load = load1();
            t0 = System.nanoTime();
            sparkRead(spark, file.toString(), format, features).write().parquet(copy.toString());
            double copySecs = (System.nanoTime() - t0) / 1e9;
            ObjectNode c = line("spark-copy", null, peerRows, copySecs, load, master, workers, format, features);
            c.put("score_ratio", (scored / scoreSecs) / (peerRows / copySecs));
            emit(c);
            deleteTree(model);
        } finally {
            spark.stop();
        }
    }

    /** Spark's own read of the bench file, schema given, as (label, features array). */
    static Dataset<Row> sparkRead(SparkSession spark, String path, String format, int features) {
        if (format.equals("parquet")) {
            StructType schema = new StructType(new StructField[] {
                DataTypes.createStructField("label", DataTypes.IntegerType, false),
                DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)});
            return spark.read().schema(schema).parquet(path);
        }
        List<StructField> fields = new ArrayList<>();
        Column[] cols = new Column[features];
        for (int k = 0; k < features; k++) {
            fields.add(DataTypes.createStructField("f" + k, DataTypes.IntegerType, false));
            cols[k] = functions.col("f" + k).cast(DataTypes.FloatType);
        }
        fields.add(DataTypes.createStructField("label", DataTypes.IntegerType, false));
        Dataset<Row> df = spark.read().option("header", "true").schema(new StructType(fields.toArray(new StructField[0])))
                .csv(path);
        return df.select(functions.col("label"), functions.array(cols).as("features"));
    }

    /** Row i's label and features (integers 0–255, shifted up by the label so classes differ). */
    static int row(long seed, long i, int features, int classes, int[] out) {
        long s = SplitMix.derive(seed, i);
        int label = (int) Long.remainderUnsigned(s, classes);
        long x = s | 1;
        int shift = label * (128 / classes);
        for (int k = 0; k < features; k++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            out[k] = (int) ((x >>> 40) & 0x7f) + shift;
        }
        return label;
    }

    /**
     * One CSV file (header {@code f0..f{F-1},label}) of {@link #row} rows, written in parallel pieces and joined
     * (also the end-to-end tests' data).
     */
    public static void writeCsv(Path file, long rows, int features, int classes) throws Exception {
        int pieces = Math.max(1, Math.min(64, (int) (rows / 100_000)));
        Path tmp = Files.createTempDirectory(file.getParent(), "gen");
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
        List<Future<Path>> parts = new ArrayList<>();
        for (int p = 0; p < pieces; p++) {
            final int piece = p;
            parts.add(pool.submit(() -> {
                Path part = tmp.resolve("part-" + piece);
                long from = rows * piece / pieces;
                long to = rows * (piece + 1) / pieces;
                int[] f = new int[features];
                byte[] digits = new byte[4];
                try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(part), 1 << 20)) {
                    if (piece == 0) {
                        StringBuilder h = new StringBuilder();
                        for (int k = 0; k < features; k++) {
                            h.append('f').append(k).append(',');
                        }
                        o.write(h.append("label\n").toString().getBytes(StandardCharsets.US_ASCII));
                    }
                    for (long i = from; i < to; i++) {
                        int label = row(7, i, features, classes, f);
                        for (int k = 0; k < features; k++) {
                            writeInt(o, f[k], digits);
                            o.write(',');
                        }
                        writeInt(o, label, digits);
                        o.write('\n');
                    }
                }
                return part;
            }));
        }
        pool.shutdown();
        Path joined = tmp.resolve("joined.csv");
        try (FileChannel out = FileChannel.open(joined, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (Future<Path> f : parts) {
                Path part = f.get();
                try (FileChannel in = FileChannel.open(part, StandardOpenOption.READ)) {
                    long pos = 0;
                    long size = in.size();
                    while (pos < size) {
                        pos += in.transferTo(pos, size - pos, out);
                    }
                }
                Files.delete(part);
            }
        }
        Files.move(joined, file);
        Files.delete(tmp);
    }

    private static void writeInt(OutputStream o, int v, byte[] d) throws IOException {
        int n = 0;
        do {
            d[n++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v > 0);
        while (n > 0) {
            o.write(d[--n]);
        }
    }

    /** Parquet with {@code label} (int) and {@code features} (array of float: the CSV's integers / 255). */
    static void writeParquet(SparkSession spark, Path file, long rows, int features, int classes) throws IOException {
        int parts = Math.max(2, (int) Math.min(512, rows * features * 4 / (128L << 20)));
        JavaRDD<Row> gen = SyntheticSource.generate(spark.sparkContext(), rows, parts, i -> {
            int[] f = new int[features];
            int label = row(7, i, features, classes, f);
            Float[] x = new Float[features];
            for (int k = 0; k < features; k++) {
                x[k] = f[k] / 255f;
            }
            return RowFactory.create(label, x);
        });
        StructType schema = new StructType(new StructField[] {
            DataTypes.createStructField("label", DataTypes.IntegerType, false),
            DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)});
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        deleteTree(tmp);
        spark.createDataFrame(gen, schema).write().parquet(tmp.toString());
        Files.move(tmp, file);
    }

    static ObjectNode line(String peer, String phase, long rows, double seconds, double loadStart, String master,
            int workers, String format, int features) {
        ObjectNode o = JSON.createObjectNode();
        o.put("system", peer != null ? "spark" : "sparktrain");
        if (peer != null) {
            o.put("peer", peer);
        } else {
            o.put("phase", phase);
        }
        o.put("format", format);
        o.put("rows", rows);
        o.put("features", features);
        o.put("seconds", Math.round(seconds * 1000) / 1000.0);
        o.put("rows_per_sec", Math.round(rows / seconds * 10) / 10.0);
        o.put("master", master);
        o.put("workers", workers);
        o.put("heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        o.put("java", System.getProperty("java.version"));
        o.put("load1_start", loadStart);
        o.put("load1", load1());
        return o;
    }

    private static void emit(ObjectNode o) throws IOException {
        System.out.println(JSON.writeValueAsString(o));
        System.out.flush();
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(q);
            }
        }
    }

    private static double load1() {
        return PipelineBench.load1();
    }

    private static String need(String option, String value) {
        return PipelineBench.need(option, value);
    }
}
