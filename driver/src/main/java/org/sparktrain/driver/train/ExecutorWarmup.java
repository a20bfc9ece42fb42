package org.sparktrain.driver.train;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.Warmup;

/**
 * Warms the executors' JIT on a cluster (docs/architecture.md, "Cold JVMs"): a job of one tiny task per task
 * slot, submitted while the driver reads and prepares the data; each task starts {@link Warmup#inThisJvm} (once per
 * executor JVM: a daemon thread training a throwaway copy of the model on random minibatches of the run's step size)
 * and returns at once, so it holds its slot for milliseconds. The first training task in that JVM stops it
 * ({@link Warmup#stopInThisJvm}). Spark spreads the tasks over the executors' offers, so every executor that has a
 * free slot when the job runs gets one; an executor that joins later (a replacement) starts cold. A warm-up never
 * changes results (compiled code computes the same floats; {@code WarmupTest}).
 */
public final class ExecutorWarmup {
    private ExecutorWarmup() {
    }

    /**
     * Submits the warm-up job; returns its future (nothing to wait for), or null when {@code sc} runs in this JVM
     * (a local master: the driver's own warm-up covers it).
     */
    public static JavaFutureAction<Void> start(JavaSparkContext sc, ModelSpec spec, TrainingConfig config, int rows,
                                               int maxSteps) {
        if (sc.isLocal()) {
            return null;
        }
        int slots = Math.max(1, sc.defaultParallelism());
        List<Integer> ids = new ArrayList<>(slots);
        for (int i = 0; i < slots; i++) {
            ids.add(i);
        }
        String text = spec.text();
        TrainingConfig cfg = config.withClassWeights(null);
        sc.setJobDescription("warming the executors' JIT on " + spec.name() + "'s shapes (returns at once)");
        try {
            return sc.parallelize(ids, slots).foreachPartitionAsync(it -> {
                Warmup.inThisJvm(ModelSpec.parse(text, "warm-up"), cfg, rows, maxSteps);
            });
        } finally {
            sc.setJobDescription(null);
        }
    }
}
