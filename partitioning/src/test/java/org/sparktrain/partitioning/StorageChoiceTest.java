package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.io.FittedScaler;

/**
 * docs/data-preparation.md, "Bounded memory": where the rows are kept ({@code spark.sparktrain.storage}) changes where
 * bytes live, never the bits an epoch trains on; {@code none} keeps nothing and reads the input again for every
 * epoch.
 */
class StorageChoiceTest {
    private final SparkSession spark = SharedSpark.get();

    @TempDir
    Path tmp;

    @Test
    void namesAreParsedAndAWrongOneIsNamed() {
        assertNull(ReadOptions.storageLevel("auto"));
        assertEquals(StorageLevel.MEMORY_AND_DISK(), ReadOptions.storageLevel("memory"));
        assertEquals(StorageLevel.DISK_ONLY(), ReadOptions.storageLevel("Disk"));
        assertEquals(StorageLevel.NONE(), ReadOptions.storageLevel(" none "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReadOptions.storageLevel("ssd"));
        assertTrue(e.getMessage().contains("spark.sparktrain.storage") && e.getMessage().contains("'ssd'"),
                e.getMessage());
        // the shared test Spark does not set it: chosen from the input's size
        assertNull(ReadOptions.setting(spark.sparkContext()));
    }

    @Test
    void everyLevelTrainsOnTheSameBlocksAndNoneReadsTheFileAgain() throws Exception {
        StructType schema = new StructType().add("label", DataTypes.IntegerType)
                .add("features", DataTypes.createArrayType(DataTypes.FloatType));
        List<Row> rows = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 900; i++) {
            float[] f = new float[5];
            for (int j = 0; j < f.length; j++) {
                f[j] = (float) r.nextGaussian();
            }
            rows.add(RowFactory.create(i % 3, f));
        }
        Path out = tmp.resolve("rows.parquet");
        spark.createDataFrame(rows, schema).repartition(3).write().parquet(out.toString());

        List<List<float[]>> reference = null;
        for (StorageLevel level : new StorageLevel[] {null, StorageLevel.DISK_ONLY(), StorageLevel.NONE()}) {
            // as spark.sparktrain.storage sets both: the read's rows and the prepared blocks
            ReadOptions o = ReadOptions.classes(3).partitions(2).shape(Shape.of(5)).storage(level);
            LabeledData data = Readers.parquet(spark, out.toString(), o);
            PreparedFold fold = DataPipeline.defaults().split(SplitSpec.none()).scaler(FittedScaler.Kind.ZSCORE)
                    .workers(2).batchSize(16).seed(5).shuffleWindow(100).storage(level).prepare(data).fold(0);
            String what = level == null ? "auto" : level.description();
            if (level != null) {
                assertEquals(level, fold.storage(), what);
            }
            if (StorageLevel.NONE().equals(level)) {
                assertEquals(StorageLevel.NONE(), fold.trainBlocks().getStorageLevel(), "nothing cached");
            }
            List<List<float[]>> epochs = new ArrayList<>();
            for (int epoch = 1; epoch <= 2; epoch++) {
                List<float[]> got = new ArrayList<>();
                for (Block b : fold.trainBlocks(epoch).collect()) {
                    float[] row = new float[b.size * (b.featureSize + 2)];
                    for (int i = 0; i < b.size; i++) {
                        row[i * (b.featureSize + 2)] = b.ids[i];
                        row[i * (b.featureSize + 2) + 1] = b.labels[i];
                        for (int j = 0; j < b.featureSize; j++) {
                            row[i * (b.featureSize + 2) + 2 + j] = b.features[i * b.featureSize + j];
                        }
                    }
                    got.add(row);
                }
                epochs.add(got);
            }
            assertEquals(900, epochs.get(0).stream().mapToInt(a -> a.length / 7).sum(), what);
            if (reference == null) {
                reference = epochs;
            } else {
                for (int e = 0; e < 2; e++) {
                    assertEquals(reference.get(e).size(), epochs.get(e).size(), what + " epoch " + (e + 1));
                    for (int b = 0; b < epochs.get(e).size(); b++) {
                        assertArrayEquals(reference.get(e).get(b), epochs.get(e).get(b),
                                what + " epoch " + (e + 1) + " block " + b);
                    }
                }
            }
            fold.unpersist(true);
            data.unpersist(true);
        }
    }
}
