package org.sparktrain.driver.barrier;

/**
 * A simulated network between all-reduce peers that share one machine: called before each message an
 * exchange sends, it may hold the sender back, as a link's latency and bandwidth would. Tasks of a barrier
 * stage use {@link #NONE} (their network is real); {@code scripts/bench --allreduce} passes a delay to
 * measure the algorithms as a cluster would see them (docs/architecture.md, Measured facts).
 */
@FunctionalInterface
public interface MessageDelay {
    /** No delay: the real network. */
    MessageDelay NONE = bytes -> { };

    /** Called before a message of {@code bytes} bytes goes out; may sleep. */
    void beforeMessage(long bytes) throws java.io.InterruptedIOException;
}
