package org.sparktrain.driver.bench;

import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.sparktrain.driver.barrier.MessageDelay;

/**
 * The network {@code scripts/bench --allreduce} simulates between peers that share one machine: every message
 * waits {@code latency} before it goes out, plus its size over {@code gbps} when a bandwidth cap is set, on top of
 * the loopback's own time. The waits park the thread (no spinning: hundreds of peers share two cores), so each
 * lasts at least what is asked and the timer's slack more; {@link #meanDelayMicros} says how much.
 */
final class SimulatedLink implements MessageDelay {
    private final long latencyNanos;
    private final double nanosPerByte;
    private final LongAdder messages = new LongAdder();
    private final LongAdder delayedNanos = new LongAdder();

    /** {@code gbps} ≤ 0: no bandwidth cap. */
    SimulatedLink(double latencyMicros, double gbps) {
        this.latencyNanos = Math.round(latencyMicros * 1e3);
        this.nanosPerByte = gbps > 0 ? 8 / gbps : 0;
    }

    @Override
    public void beforeMessage(long bytes) throws java.io.InterruptedIOException {
        long wait = latencyNanos + Math.round(bytes * nanosPerByte);
        if (wait <= 0) {
            return;
        }
        long t0 = System.nanoTime();
        long deadline = t0 + wait;
        for (long left = wait; left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new java.io.InterruptedIOException("interrupted in a simulated message delay");
            }
        }
        messages.increment();
        delayedNanos.add(System.nanoTime() - t0);
    }

    /** The mean time a message was actually held back, in µs (what was asked plus the timer's slack). */
    double meanDelayMicros() {
        long m = messages.sum();
        return m == 0 ? 0 : delayedNanos.sum() / 1e3 / m;
    }
}
