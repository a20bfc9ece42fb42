package org.sparktrain.driver.barrier;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets Spark to give up on an executor whose barrier task stopped responding (docs/architecture.md, "Failing
 * cleanly": a stalled peer). A paused executor JVM (SIGSTOP, a swap storm, a GC that never ends) keeps its task
 * slot in Spark's eyes until the executor's heartbeat times out ({@code spark.network.timeout}, 120 s by
 * default), and a barrier stage cannot rerun without all its slots. Its peers notice much sooner, within the
 * ring's stall limit, and their failure names it ({@code "no data from task S (host:port)"} or
 * {@code "task S (host:port) accepted no data"}). This class remembers on which executor each task of the
 * current barrier stages started (a listener on Spark's task-start events, for stages carrying the local property
 * {@value #STAGE_PROPERTY}) and, given such a failure, asks Spark to kill that executor and start another in its
 * place ({@code SparkContext.killAndReplaceExecutor}: the cluster manager ends the process, SIGKILL after its
 * grace period, and the requested executor count stays the same). Local masters have no executor to replace: nothing
 * is done there. Costs: one map entry per running barrier task.
 */
public final class StalledExecutors {
    /** The local property naming a barrier stage whose tasks this class tracks. */
    public static final String STAGE_PROPERTY = "sparktrain.barrier.stage";
    private static final Logger LOG = LoggerFactory.getLogger(StalledExecutors.class);
    private static final Pattern NAMED = Pattern.compile(
            "no data from task (\\d+) \\(|task (\\d+) \\([^)]*\\) accepted no data");
    private static final Map<SparkContext, StalledExecutors> BY_CONTEXT = new ConcurrentHashMap<>();

    /** Stage id → the label of the barrier epoch it runs. */
    private final Map<Integer, String> stages = new ConcurrentHashMap<>();
    /** Label → task (partition) → executor id of its latest attempt. */
    private final Map<String, Map<Integer, String>> placement = new ConcurrentHashMap<>();

    private StalledExecutors() {
    }

    /** The tracker of this Spark context, its listener registered on first use. */
    public static StalledExecutors of(SparkContext sc) {
        return BY_CONTEXT.computeIfAbsent(sc, c -> {
            StalledExecutors s = new StalledExecutors();
            c.addSparkListener(s.listener());
            return s;
        });
    }

    private SparkListener listener() {
        return new SparkListener() {
            @Override
            public void onStageSubmitted(SparkListenerStageSubmitted e) {
                java.util.Properties p = e.properties();
                String label = p == null ? null : p.getProperty(STAGE_PROPERTY);
                if (label != null) {
                    stages.put(e.stageInfo().stageId(), label);
                }
            }

            @Override
            public void onTaskStart(SparkListenerTaskStart e) {
                String label = stages.get(e.stageId());
                if (label != null) {
                    placement.computeIfAbsent(label, k -> new ConcurrentHashMap<>())
                            .put(e.taskInfo().index(), e.taskInfo().executorId());
                }
            }
        };
    }

    /** The task a stall failure names as the silent peer, or -1. */
    static int stalledTask(String why) {
        Matcher m = NAMED.matcher(why);
        if (!m.find()) {
            return -1;
        }
        return Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
    }

    /** The executor task {@code task} of the stage labelled {@code label} last started on, or null. */
    String executorOf(String label, int task) {
        Map<Integer, String> m = placement.get(label);
        return m == null ? null : m.get(task);
    }

    /**
     * Given the failure of a barrier stage labelled {@code label} for a stall, asks Spark to replace the executor
     * of the task it names. Returns a sentence for the log, or null when nothing was done (no task named, its
     * executor unknown, a local master).
     */
    String replaceStalled(SparkContext sc, String label, String why) {
        int task = stalledTask(why);
        String executor = task < 0 ? null : executorOf(label, task);
        if (executor == null || sc.isLocal() || "driver".equals(executor)) {
            return null;
        }
        boolean asked;
        try {
            asked = sc.killAndReplaceExecutor(executor);
        } catch (RuntimeException e) {
            LOG.debug("killAndReplaceExecutor({}) failed", executor, e);
            asked = false;
        }
        return asked ? "task " + task + " stopped responding on executor " + executor
                + ": Spark was asked to replace that executor (the rerun waits for its slot)"
                : "task " + task + " stopped responding on executor " + executor + ", which Spark could not be asked to"
                + " replace: the rerun waits until Spark's own heartbeat timeout (spark.network.timeout) frees its slot";
    }

    /** Forgets the stages of an epoch that has ended. */
    void forget(String label) {
        placement.remove(label);
        stages.values().removeIf(label::equals);
    }
}
