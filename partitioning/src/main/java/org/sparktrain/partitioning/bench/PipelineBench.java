package org.sparktrain.partitioning.bench;

import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.SparkConf;
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
 * {@code scripts/bench --pipeline [--rows N] [--master local[2]] [--data DIR] [--conf DIR] [--model lenet5]}.
 *
 * <p>Times what the training run's data side does before its first round: read and validate, fit a z-score
 * scaler in one distributed pass, pack into 64-row blocks on one partition per worker, persisted and
 * computed. No split (the benchmark reads, validates, scales and packs). With {@code --rows N}: N
 * synthetic rows of 784 features generated on the executors (re-generated for each pass rather than cached,
 * so memory does not decide the result; blocks {@code MEMORY_AND_DISK}). Without: Fashion-MNIST's 60,000
 * training images from IDX (rows cached in memory), followed by one single-threaded engine epoch of the
 * model in the same JVM. The clock starts after the SparkSession is up. Prints one JSON line per phase;
 * {@code --repeat R} runs the pipeline R times in the same JVM (run 1 is cold: class loading, JIT).
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
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            String v = i + 1 < argv.length ? argv[i + 1] : null;
            switch (a) {
                case "--pipeline":
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
                default:
                    System.err.println("bench --pipeline: unknown option " + a
                            + "; use --rows N, --master M, --data DIR, --conf DIR, --model NAME");
                    System.exit(2);
            }
            i++;
        }
        SparkConf sc = new SparkConf().setMaster(master).setAppName("sparktrain-pipeline-bench")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryo.registrationRequired", "true")
                .registerKryoClasses(PartitioningKryo.classes());
        SparkSession spark = SparkSession.builder().config(sc).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        int workers = spark.sparkContext().defaultParallelism();
        try {
          double seconds = 0;
          for (int run = 1; run <= repeat; run++) {
            long t0 = System.nanoTime();
            LabeledData d;
            if (rows > 0) {
                d = Readers.synthetic(spark, rows, 784, 42, ReadOptions.classes(10).partitions(workers)
                        .storage(StorageLevel.NONE()));
            } else {
                d = Readers.idx(spark, data, "train", ReadOptions.classes(10).partitions(workers)
                        .storage(StorageLevel.MEMORY_ONLY()));
            }
            PreparedData p = DataPipeline.defaults().split(SplitSpec.none()).scaler(FittedScaler.Kind.ZSCORE)
                    .workers(workers).batchSize(64).seed(42).prepare(d);
            double readSeconds = (System.nanoTime() - t0) / 1e9;
            PreparedFold f = p.fold(0);
            seconds = (System.nanoTime() - t0) / 1e9;
            long n = f.trainRows();
            System.out.println(String.format(Locale.ROOT,
                    "{\"system\":\"sparktrain\",\"phase\":\"pipeline\",\"rows\":%d,\"seconds\":%.3f,\"rows_per_sec\":%.1f,"
                            + "\"read_validate_seconds\":%.3f,\"run\":%d,\"source\":\"%s\",\"master\":\"%s\",\"workers\":%d}",
                    n, seconds, n / seconds, readSeconds, run, rows > 0 ? "synthetic" : "fashion-mnist", master,
                    workers));
            System.err.println(d.report());
            System.err.println(f.report());
            p.unpersist();
          }
            if (rows <= 0) {
                ModelSpec ms = ModelSpec.load(Path.of(conf).resolve(model + ".yaml"));
                TrainingConfig cfg = ms.training().withEpochs(1);
                IdxDataset idx = IdxDataset.load(Path.of(data), "train");
                DataSet train = DataSet.classification(ms.input(), idx.images().pixels(), idx.labels());
                Trainer trainer = Trainer.fromSpec(Network.build(ms, cfg.seed()), cfg);
                EpochStats s = trainer.trainEpoch(train, 1);
                System.out.println(String.format(Locale.ROOT,
                        "{\"system\":\"sparktrain\",\"phase\":\"train_epoch\",\"model\":\"%s\",\"threads\":1,"
                                + "\"rows\":%d,\"seconds\":%.3f,\"pipeline_share\":%.4f}",
                        model, s.samples(), s.seconds(), seconds / s.seconds()));
            }
        } finally {
            spark.stop();
        }
    }

    private static String need(String option, String value) {
        if (value == null) {
            System.err.println("bench --pipeline: " + option + " needs a value");
            System.exit(2);
        }
        return value;
    }
}
