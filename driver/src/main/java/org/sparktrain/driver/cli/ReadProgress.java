package org.sparktrain.driver.cli;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.AccumulatorV2;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Rows and bytes read so far while a command reads its data (docs/architecture.md, "Progress"), as Spark counts
 * them in its task metrics: finished tasks' at their end, running tasks' from the executors' heartbeats (every
 * {@code spark.executor.heartbeatInterval}: 10 s by default, 2 s on a local master), so the count moves in steps;
 * a heartbeat names its accumulators by id only, so the ids of the input metrics come from each stage's metrics
 * when it is submitted. Spark counts them for
 * input it reads through Hadoop (CSV lines, Parquet rows); the IDX reader reads its files itself, and then only the
 * time is shown. Listening only while attached ({@link #close}).
 */
final class ReadProgress extends SparkListener implements AutoCloseable {
    private static final String RECORDS = "internal.metrics.input.recordsRead";
    private static final String BYTES = "internal.metrics.input.bytesRead";

    private final SparkContext sc;
    private long doneRows;
    private long doneBytes;
    private final Map<Long, long[]> running = new HashMap<>();
    private final long start = System.nanoTime();
    private long[] last = {0, 0, start};
    private long[] previous;
    /** The ids of the input metrics' accumulators: a heartbeat sends ids and values, not names. */
    private final java.util.Set<Long> recordIds = new java.util.HashSet<>();
    private final java.util.Set<Long> byteIds = new java.util.HashSet<>();

    private ReadProgress(SparkContext sc) {
        this.sc = sc;
    }

    /** What {@link #reading} reads. */
    @FunctionalInterface
    interface Read<T> {
        T read() throws java.io.IOException;
    }

    /**
     * Runs {@code read} (of {@code path}) with a progress line: the time, the rows read so far and their rate, and,
     * with the input's size, the share read and an ETA ({@link Progress#preparation}).
     */
    static <T> T reading(Progress progress, SparkContext sc, String path, Read<T> read) throws java.io.IOException {
        long total = size(sc.hadoopConfiguration(), path);
        try (ReadProgress counts = attach(sc); Progress.Phase line = progress.start(() -> {
            double[] c = counts.counts();
            return Progress.preparation("reading", (long) c[0], (long) c[1], total,
                    (System.nanoTime() - counts.start) / 1e9, c[2], c[3], c[4]);
        })) {
            return read.read();
        }
    }

    /** The bytes under {@code path} (a file or a directory's files); -1 when they cannot be listed. */
    static long size(org.apache.hadoop.conf.Configuration hadoop, String path) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
            return p.getFileSystem(hadoop).getContentSummary(p).getLength();
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    static ReadProgress attach(SparkContext sc) {
        ReadProgress p = new ReadProgress(sc);
        sc.addSparkListener(p);
        return p;
    }

    /**
     * What was read: {rows, bytes, seconds after attaching when they were counted, rows/s, bytes/s}; the rates over
     * the last two counts (the first count's since attaching: it includes the tasks' start).
     */
    synchronized double[] counts() {
        return new double[] {last[0], last[1], (last[2] - start) / 1e9, rate(0), rate(1)};
    }

    private double rate(int i) {
        long[] from = previous != null ? previous : new long[] {0, 0, start};
        double dt = (last[2] - from[2]) / 1e9;
        return dt > 0 ? (last[i] - from[i]) / dt : 0;
    }

    /** After a callback changed the counts: the new totals become the last count. */
    private void counted() {
        long r = doneRows;
        long b = doneBytes;
        for (long[] v : running.values()) {
            r += v[0];
            b += v[1];
        }
        if (r != last[0] || b != last[1]) {
            previous = last[0] > 0 ? last : null;
            last = new long[] {r, b, System.nanoTime()};
        }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd e) {
        running.remove(e.taskInfo().taskId());
        TaskMetrics m = e.taskMetrics();
        if (m != null) {
            doneRows += m.inputMetrics().recordsRead();
            doneBytes += m.inputMetrics().bytesRead();
            counted();
        }
    }

    @Override
    public synchronized void onStageSubmitted(SparkListenerStageSubmitted s) {
        TaskMetrics m = s.stageInfo().taskMetrics();
        if (m == null) {
            return;
        }
        for (AccumulatorV2<?, ?> a : CollectionConverters.asJava(m.accumulators())) {
            String name = a.name().isDefined() ? a.name().get() : "";
            if (RECORDS.equals(name)) {
                recordIds.add(a.id());
            } else if (BYTES.equals(name)) {
                byteIds.add(a.id());
            }
        }
    }

    @Override
    public synchronized void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate u) {
        for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> t
                : CollectionConverters.asJava(u.accumUpdates())) {
            long task = (Long) t._1();
            long[] v = running.computeIfAbsent(task, k -> new long[2]);
            for (AccumulableInfo a : CollectionConverters.asJava(t._4())) {
                if (a.update().isEmpty() || !(a.update().get() instanceof Long n)) {
                    continue;
                }
                if (recordIds.contains(a.id())) {
                    v[0] = n;
                } else if (byteIds.contains(a.id())) {
                    v[1] = n;
                }
            }
        }
        counted();
    }

    @Override
    public void close() {
        sc.removeSparkListener(this);
    }
}
