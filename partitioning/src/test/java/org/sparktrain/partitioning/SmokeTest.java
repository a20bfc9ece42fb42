package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.io.FittedScaler;

class SmokeTest {
    @Test
    void syntheticHoldoutRunsEndToEnd() {
        SparkSession spark = SharedSpark.get();
        LabeledData data = Readers.synthetic(spark, 1000, 8, 3, ReadOptions.classes(4).partitions(3));
        assertEquals(1000, data.count());
        PreparedData p = DataPipeline.defaults().workers(2).batchSize(16).scaler(FittedScaler.Kind.ZSCORE)
                .resampling(Resampling.balanceUp()).prepare(data);
        PreparedFold f = p.fold(0);
        System.out.println(f.report());
        assertEquals(2, f.trainBlocks().getNumPartitions());
        p.unpersist();
    }
}
