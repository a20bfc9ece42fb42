package org.sparktrain.driver.train;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.Trainer;

/**
 * Executor side: trainers (network + optimizer + buffers) kept per JVM between rounds, so that a round
 * costs its compute, not the building of a network. A task borrows one and gives it back; two tasks
 * running at once get two. Its state is overwritten from the round's broadcast before use, so which
 * trainer a task gets does not change the result.
 */
final class WorkerPool {
    private static final Map<String, ConcurrentLinkedQueue<Trainer>> POOLS = new ConcurrentHashMap<>();

    private WorkerPool() {
    }

    static Trainer borrow(String runId, String specText, TrainingConfig config) {
        Trainer t = POOLS.computeIfAbsent(runId, k -> new ConcurrentLinkedQueue<>()).poll();
        if (t != null) {
            return t;
        }
        ModelSpec spec = ModelSpec.parse(specText, runId);
        return Trainer.fromSpec(Network.build(spec, config.seed()), config);
    }

    static void giveBack(String runId, Trainer t) {
        POOLS.computeIfAbsent(runId, k -> new ConcurrentLinkedQueue<>()).offer(t);
    }

    /** Forgets a finished run's trainers (called on the driver; executors of other JVMs keep theirs until exit). */
    static void release(String runId) {
        POOLS.remove(runId);
    }
}
