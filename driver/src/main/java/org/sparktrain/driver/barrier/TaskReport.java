package org.sparktrain.driver.barrier;

import java.io.Serializable;

/**
 * What one task of an epoch's barrier stage returns to the driver (registered with Kryo). The per-round
 * figures are the same on every task except the timings, which are the task's own.
 */
public final class TaskReport implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The task's partition = its worker index and ring position. */
    int partition;
    /** Final {@code [params | optimizer state | network state]}; only task 0's unless every vector was asked for. */
    float[] state;
    /** A 64-bit hash of the final state's bits, from every task: the driver checks they all agree. */
    long stateHash;
    /** The optimizer's step count at the end. */
    long stepCount;
    /** Rounds completed (fewer than planned only after a non-finite loss). */
    int roundsDone;
    /** The round this attempt started from (0, or a handed-over state's). */
    int firstRound;
    /** States task 0 handed to the driver in this attempt. */
    int handovers;
    /** Index of the round whose averaged loss was not finite, or -1. */
    int nonFiniteRound = -1;
    /** Per round: the loss sum and example count over all workers (after the all-reduce). */
    double[] lossSums;
    double[] examples;
    /** Per round: this task's wall time of the round (its K steps + the all-reduce), and of the all-reduce alone. */
    double[] roundMillis;
    double[] exchangeMillis;
    /** Seconds this task spent in minibatch compute (steps and packing), all rounds. */
    double computeSeconds;
    /** Milliseconds from the task's start to a connected ring (trainer set-up, bind, the one allGather, handshakes). */
    double setupMillis;

    TaskReport() {
    }

    static long hash(float[] v) {
        long h = 0xcbf29ce484222325L;
        for (float f : v) {
            h ^= Float.floatToRawIntBits(f);
            h *= 0x100000001b3L;
        }
        return h ^ v.length;
    }
}
