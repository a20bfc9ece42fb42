package org.sparktrain.driver.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Runs the folds of a cross-validation (or the rounds of a bootstrap) as concurrent Spark jobs: P driver
 * threads, each fold's jobs in a FAIR scheduler pool of its own ({@code fold-N}) and a job group naming
 * the fold, so Spark interleaves their tasks on the executors. Results come back in fold order.
 */
public final class ParallelFolds {
    private ParallelFolds() {
    }

    /** One fold's work, run on a driver thread whose Spark jobs are tagged with the fold. */
    @FunctionalInterface
    public interface FoldJob<T> {
        T run(int fold) throws Exception;
    }

    public static <T> List<T> run(JavaSparkContext sc, String runName, int folds, int parallel, FoldJob<T> job)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallel, folds)), r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int f = 0; f < folds; f++) {
                int fold = f;
                futures.add(pool.submit(() -> {
                    // local properties are per thread: every job this fold starts carries them
                    sc.setLocalProperty("spark.scheduler.pool", "fold-" + (fold + 1));
                    sc.setJobGroup(runName + "-fold-" + (fold + 1), runName + ": fold " + (fold + 1) + " of " + folds,
                            false);
                    try {
                        return job.run(fold);
                    } finally {
                        sc.clearJobGroup();
                        sc.setLocalProperty("spark.scheduler.pool", null);
                    }
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> fu : futures) {
                try {
                    results.add(fu.get());
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof Exception ex) {
                        throw ex;
                    }
                    throw e;
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
