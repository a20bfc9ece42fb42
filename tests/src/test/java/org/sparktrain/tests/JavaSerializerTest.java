package org.sparktrain.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.ml.SparktrainClassificationModel;
import org.sparktrain.driver.ml.SparktrainClassifier;
import org.sparktrain.partitioning.Block;
import org.sparktrain.partitioning.DataPipeline;
import org.sparktrain.partitioning.LabeledData;
import org.sparktrain.partitioning.PreparedFold;
import org.sparktrain.partitioning.ReadOptions;
import org.sparktrain.partitioning.Readers;

/**
 * A user's own SparkSession, as Spark makes it by default (Java serialization, no Kryo, no sparktrain
 * settings): reading, splitting (with a shuffle) and packing, and the Spark ML face, must work in it.
 * The only Spark session of this test JVM (the cluster test runs its Spark in other processes).
 */
class JavaSerializerTest {
    static final String SPEC = """
            input: [4]
            classes: 3
            layers:
              - {type: dense, units: 16, activation: tanh}
              - {type: dense, units: 3, activation: softmax}
            optimizer: {type: adam, lr: 0.02}
            training: {batch_size: 16, epochs: 6, seed: 2}
            """;

    @Test
    void aPlainSparkSessionWithJavaSerializationRunsThePipelineAndTheMlFace(@TempDir Path tmp) throws Exception {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("plain-session")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        try {
            assertTrue(!spark.sparkContext().getConf().contains("spark.serializer")
                    || spark.sparkContext().getConf().get("spark.serializer").contains("JavaSerializer"));
            // IDX bytes -> chunks -> a stratified holdout (surplus moved through a shuffle) -> blocks
            Path dir = tmp.resolve("idx");
            Files.createDirectories(dir);
            int n = 301;
            ByteBuffer im = ByteBuffer.allocate(16 + n * 4).putInt(0x803).putInt(n).putInt(2).putInt(2);
            ByteBuffer lb = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
            SplittableRandom r = new SplittableRandom(3);
            for (int i = 0; i < n; i++) {
                lb.put((byte) (i % 3));
                for (int k = 0; k < 4; k++) {
                    im.put((byte) r.nextInt(256));
                }
            }
            Files.write(dir.resolve("train-images-idx3-ubyte"), im.array());
            Files.write(dir.resolve("train-labels-idx1-ubyte"), lb.array());
            LabeledData data = Readers.idx(spark, dir.toString(), "train", ReadOptions.classes(3).partitions(2));
            PreparedFold fold = DataPipeline.defaults().workers(2).batchSize(8).prepare(data).fold(0);
            JavaRDD<Block> epoch = fold.trainBlocks(1);
            long rows = epoch.map(b -> (long) b.size).reduce(Long::sum);
            assertEquals(fold.trainRows(), rows);
            assertEquals(n, fold.trainRows() + fold.validationRows());
            fold.unpersist();
            data.unpersist();

            // the Spark ML face: fit (distributed training), transform
            List<Row> rowsIn = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                int y = r.nextInt(3);
                double[] x = new double[4];
                for (int j = 0; j < 4; j++) {
                    x[j] = r.nextGaussian() * 0.5 + (j == y ? 2 : 0);
                }
                rowsIn.add(RowFactory.create(x, (double) y));
            }
            StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType))
                    .add("label", DataTypes.DoubleType);
            Dataset<Row> df = spark.createDataFrame(rowsIn, schema);
            SparktrainClassificationModel model = new SparktrainClassifier().setSpec(SPEC).setWorkers(2).fit(df);
            Dataset<Row> scored = model.transform(df);
            double acc = scored.filter("prediction = label").count() / 600.0;
            assertTrue(acc > 0.9, "accuracy " + acc);
        } finally {
            spark.stop();
        }
    }
}
