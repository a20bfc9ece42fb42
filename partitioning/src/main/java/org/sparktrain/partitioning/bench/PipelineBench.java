package org.sparktrain.partitioning.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.io.FittedScaler;
import org.sparktrain.engine.io.IdxDataset;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.EpochStats;
import org.sparktrain.engine.train.Trainer;
import org.sparktrain.partitioning.DataPipeline;
import org.sparktrain.partitioning.LabeledData;
import org.sparktrain.partitioning.PartitioningKryo;
import org.sparktrain.partitioning.PreparedData;
import org.sparktrain.partitioning.PreparedFold;
import org.sparktrain.partitioning.ReadOptions;
import org.sparktrain.partitioning.Readers;
import org.sparktrain.partitioning.SplitSpec;

/**
 * {@code scripts/bench --pipeline [--rows N] [--master local[2]] [--data DIR] [--gunzip] [--repeat R]
 * [--conf DIR] [--model lenet5] [--no-epochs] [--trace]}.
 *
 * <p>Times what a training run's data side does before its first round: read and validate, fit a z-score
 * scaler, pack into blocks on one partition per worker, persisted and computed. No split by default (the
 * issue's benchmark reads, validates, scales and packs); {@code --split holdout} adds a stratified 7:3 split
 * (the validation rows packed too). With {@code --rows N}: N synthetic rows of 784 features
 * generated on the executors (re-generated for each pass rather than cached, so memory does not decide the
 * result). Without: Fashion-MNIST's 60,000 training images from the IDX files in {@code --data} (rows
 * cached, the default), as installed ({@code .gz}: gzip cannot be split, so the task reading the second
 * half decompresses the whole file) or, with {@code --gunzip}, from an uncompressed copy made once under
 * {@code runs/} before any clock starts (then each task seeks to its own range). After the pipeline, two
 * single-threaded engine epochs of the model in the same JVM, for comparison.
 *
 * <p>{@code epoch_repack_seconds} is not part of the preparation: it is what every training epoch pays to
 * permute and repack each worker's stored rows into minibatches (and, for 8-bit sources stored as raw bytes,
 * to turn them into scaled floats), measured once per run after the clock has stopped.
 *
 * <p>The clock starts when the SparkSession is up and has run one empty job (Spark's one-time set-up of
 * its first job, reported as {@code spark_first_job_seconds}, is not the pipeline's). {@code --repeat R}
 * prepares R times in the same JVM: run 1 is cold (class loading, JIT, heap growth), later runs warm.
 * Prints one JSON line per run and epoch, then the shares: {@code cold_share} = run 1 / epoch 1,
 * {@code warm_share} = last run / epoch 2. {@code --no-epochs} skips the epochs (and the shares);
 * {@code --trace} prints each Spark job's wall time and each task's run, CPU, deserialisation and GC time
 * on stderr.
 */
public final class PipelineBench {
    private PipelineBench() {
    }

    public static void main(String[] argv) throws Exception {
        long rows = -1;
        String master = "local[2]";
        String data = "/usr/share/datasets/fashion-mnist";
        String conf = "conf/models";
        String model = "lenet5";
        int repeat = 1;
        boolean epochs = true;
        boolean trace = false;
        boolean gunzip = false;
        String runs = "runs";
        SplitSpec split = SplitSpec.none();
        String csv = null;
        String parquet = null;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            String v = i + 1 < argv.length ? argv[i + 1] : null;
            switch (a) {
                case "--pipeline":
                    continue;
                case "--gunzip":
                    gunzip = true;
                    continue;
                case "--trace":
                    trace = true;
                    continue;
                case "--no-epochs":
                    epochs = false;
                    continue;
                case "--rows":
                    rows = Long.parseLong(need(a, v));
                    break;
                case "--master":
                    master = need(a, v);
                    break;
                case "--data":
                    data = need(a, v);
                    break;
                case "--conf":
                    conf = need(a, v);
                    break;
                case "--repeat":
                    repeat = Integer.parseInt(need(a, v));
                    break;
                case "--model":
                    model = need(a, v);
                    break;
                case "--runs":
                    runs = need(a, v);
                    break;
                case "--csv":
                    csv = need(a, v);
                    break;
                case "--parquet":
                    parquet = need(a, v);
                    break;
                case "--split":
                    switch (need(a, v)) {
                        case "none":
                            split = SplitSpec.none();
                            break;
                        case "holdout":
                            split = SplitSpec.holdout();
                            break;
                        default:
                            System.err.println("bench --pipeline: --split takes none or holdout, got " + v);
                            System.exit(2);
                    }
                    break;
                default:
                    System.err.println("bench --pipeline: unknown option " + a
                            + "; use --rows N, --csv FILE, --parquet PATH, --master M, --data DIR, --gunzip, --repeat R, --split none|holdout, --conf DIR,"
                            + " --model NAME, --runs DIR, --no-epochs, --trace");
                    System.exit(2);
            }
            i++;
        }
        boolean compressed = false;
        if (rows <= 0) {
            if (gunzip) {
                data = gunzipped(Path.of(data), Path.of(runs, "fashion-mnist-idx")).toString();
            }
            compressed = Files.exists(Path.of(data, "train-images-idx3-ubyte.gz"))
                    && !Files.exists(Path.of(data, "train-images-idx3-ubyte"));
        }
        SparkConf sc = new SparkConf().setMaster(master).setAppName("sparktrain-pipeline-bench")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryo.registrationRequired", "true")
                .registerKryoClasses(PartitioningKryo.classes())
                .registerKryoClasses(PartitioningKryo.sparkSqlClasses());
        SparkSession spark = SparkSession.builder().config(sc).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        if (trace) {
            spark.sparkContext().addSparkListener(new Trace());
        }
        int workers = spark.sparkContext().defaultParallelism();
        try {
            long tw = System.nanoTime();
            JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(List.of(1, 2), 2).count();
            double firstJob = (System.nanoTime() - tw) / 1e9;
            double first = 0;
            double last = 0;
            for (int run = 1; run <= repeat; run++) {
                double load = load1();
                long t0 = System.nanoTime();
                LabeledData d;
                if (parquet != null) {
                    d = Readers.parquet(spark, parquet, ReadOptions.classes(10).label("label")
                            .featuresColumn("features").partitions(workers));
                } else if (csv != null) {
                    d = Readers.csv(spark, csv, ReadOptions.classes(10).label("label").partitions(workers));
                } else if (rows > 0) {
                    d = Readers.synthetic(spark, rows, 784, 42, ReadOptions.classes(10).partitions(workers)
                            .storage(StorageLevel.NONE()));
                } else {
                    d = Readers.idx(spark, data, "train", ReadOptions.classes(10).partitions(workers));
                }
                PreparedData p = DataPipeline.defaults().split(split).scaler(FittedScaler.Kind.ZSCORE)
                        .workers(workers).batchSize(64).seed(42).prepare(d);
                double readSeconds = (System.nanoTime() - t0) / 1e9;
                PreparedFold f = p.fold(0);
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (run == 1) {
                    first = seconds;
                }
                last = seconds;
                long n = f.trainRows();
                // not part of the preparation: what each training epoch pays to repack (and, for bytes, scale)
                // (not for synthetic rows: an epoch holds a worker's rows in memory, which 2M rows exceed here)
                double repack = Double.NaN;
                if (rows <= 0) {
                    long tr = System.nanoTime();
                    f.trainBlocks(run).foreachPartition(it -> it.forEachRemaining(b -> { }));
                    repack = (System.nanoTime() - tr) / 1e9;
                }
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("system", "sparktrain");
                line.put("phase", "pipeline");
                line.put("rows", n);
                line.put("seconds", round(seconds, 3));
                line.put("rows_per_sec", round(n / seconds, 1));
                line.put("read_validate_seconds", round(readSeconds, 3));
                line.put("epoch_repack_seconds", Double.isNaN(repack) ? null : round(repack, 3));
                line.put("run", run);
                line.put("source", parquet != null ? "parquet" : csv != null ? "csv" : rows > 0 ? "synthetic"
                        : "fashion-mnist");
                line.put("split", String.valueOf(split));
                if (rows <= 0) {
                    line.put("compressed", compressed);
                }
                line.put("master", master);
                line.put("workers", workers);
                line.put("spark_first_job_seconds", round(firstJob, 3));
                line.put("java", System.getProperty("java.version"));
                line.put("load1_start", load);
                line.put("load1", load1());
                System.out.println(json(line));
                System.err.println(d.report());
                System.err.println(f.report());
                p.unpersist();
            }
            if (rows <= 0 && epochs) {
                ModelSpec ms = ModelSpec.load(Path.of(conf).resolve(model + ".yaml"));
                TrainingConfig cfg = ms.training().withEpochs(2);
                IdxDataset idx = IdxDataset.load(Path.of(data), "train");
                DataSet train = DataSet.classification(ms.input(), idx.images().pixels(), idx.labels());
                Trainer trainer = Trainer.fromSpec(Network.build(ms, cfg.seed()), cfg);
                double[] epoch = new double[3];
                for (int e = 1; e <= 2; e++) {
                    double load = load1();
                    EpochStats s = trainer.trainEpoch(train, e);
                    epoch[e] = s.seconds();
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("system", "sparktrain");
                    line.put("phase", "train_epoch");
                    line.put("model", model);
                    line.put("threads", 1);
                    line.put("epoch", e);
                    line.put("rows", s.samples());
                    line.put("seconds", round(s.seconds(), 3));
                    line.put("load1_start", load);
                    line.put("load1", load1());
                    System.out.println(json(line));
                }
                Map<String, Object> share = new LinkedHashMap<>();
                share.put("system", "sparktrain");
                share.put("phase", "pipeline_share");
                share.put("model", model);
                share.put("compressed", compressed);
                share.put("cold_share", round(first / epoch[1], 4));
                share.put("warm_share", repeat > 1 ? round(last / epoch[2], 4) : null);
                System.out.println(json(share));
            }
        } finally {
            spark.stop();
        }
    }

    /**
     * {@code --trace}: one line per Spark job (wall time) and per task (run, CPU, deserialisation and GC time,
     * from Spark's task metrics) on stderr, to see where a preparation's time goes.
     */
    private static final class Trace extends org.apache.spark.scheduler.SparkListener {
        private final java.util.Map<Integer, Long> started = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart e) {
            started.put(e.jobId(), e.time());
        }

        @Override
        public void onJobEnd(org.apache.spark.scheduler.SparkListenerJobEnd e) {
            Long t = started.remove(e.jobId());
            System.err.printf(Locale.ROOT, "trace: job %d took %d ms%n", e.jobId(), t == null ? -1 : e.time() - t);
        }

        @Override
        public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd e) {
            org.apache.spark.executor.TaskMetrics m = e.taskMetrics();
            if (m == null) {
                return;
            }
            System.err.printf(Locale.ROOT, "trace:   stage %d task %d: %d ms wall, run %d ms, cpu %d ms,"
                    + " deserialize %d ms, gc %d ms, result serialize %d ms%n", e.stageId(), e.taskInfo().index(),
                    e.taskInfo().duration(), m.executorRunTime(), m.executorCpuTime() / 1_000_000,
                    m.executorDeserializeTime(), m.jvmGCTime(), m.resultSerializationTime());
        }
    }

    /** An uncompressed copy of the directory's IDX files (made once; reused when already complete). */
    private static Path gunzipped(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (DirectoryStream<Path> gz = Files.newDirectoryStream(from, "*-ubyte.gz")) {
            for (Path g : gz) {
                String name = g.getFileName().toString();
                Path out = to.resolve(name.substring(0, name.length() - 3));
                if (Files.exists(out)) {
                    continue;
                }
                Path tmp = to.resolve(out.getFileName() + ".part");
                try (InputStream in = new GZIPInputStream(Files.newInputStream(g), 1 << 16)) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        return to;
    }

    /** The 1-minute load average, or -1 where the system does not say (shared with the driver's benches). */
    public static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {@code value}, or exit status 2 with a message when the option has none. */
    public static String need(String option, String value) {
        if (value == null) {
            System.err.println("bench --pipeline: " + option + " needs a value");
            System.exit(2);
        }
        return value;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** One benchmark line (Jackson). */
    static String json(Map<String, Object> line) {
        try {
            return JSON.writeValueAsString(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
