package org.sparktrain.driver.barrier;

import java.io.Serializable;
import java.util.function.BooleanSupplier;

/**
 * Called by every barrier task at the start of every round, in the task's thread: a point where tests inject
 * faults (a task that throws or goes silent) without production code knowing of them. Travels in the task
 * closure, so it must be serializable; {@link #NONE} does nothing.
 */
@FunctionalInterface
public interface TaskHook extends Serializable {
    TaskHook NONE = (attempt, round, worker, killed) -> { };

    /**
     * @param attempt the stage attempt (from 0; the driver reruns a failed stage)
     * @param round the round of the epoch (from 0)
     * @param worker the task's partition
     * @param killed true once Spark has asked the task to stop
     */
    void beforeRound(int attempt, int round, int worker, BooleanSupplier killed);
}
