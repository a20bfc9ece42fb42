package org.sparktrain.driver.barrier;

/**
 * A simulated network between all-reduce peers that share one machine. {@link PeerLinks#exchange} calls
 * {@link #beforeExchange} and {@link #afterExchange} around every exchange (send a slice to one peer while
 * receiving one from another): a wall-clock simulation holds the sender back as a link's latency and bandwidth
 * would ({@link #beforeMessage}); a virtual-clock one keeps each peer's own simulated time instead
 * (docs/architecture.md, Measured facts, "With a virtual clock"). Tasks of a barrier stage use {@link #NONE} (their
 * network is real); only {@code scripts/bench --allreduce} and tests pass another.
 */
@FunctionalInterface
public interface MessageDelay {
    /** No delay: the real network. */
    MessageDelay NONE = bytes -> { };
    /** A peer's rank in the hooks' {@code to} or {@code from} when the exchange has no such side. */
    int NO_PEER = PeerLinks.NONE;
    /** An exchange streams its message in pieces of at most this many bytes, each added as it arrives. */
    int PIECE_BYTES = PeerLinks.PIECE_FLOATS * 4;

    /** Called before a message of {@code bytes} bytes goes out; may sleep. */
    void beforeMessage(long bytes) throws java.io.InterruptedIOException;

    /**
     * Called before an exchange that sends {@code sendBytes} to task {@code to} and receives {@code recvBytes} from
     * task {@code from} (either may be {@link #NO_PEER}, with 0 bytes). By default: {@link #beforeMessage} when a
     * message goes out.
     */
    default void beforeExchange(int to, long sendBytes, int from, long recvBytes)
            throws java.io.InterruptedIOException {
        if (to != NO_PEER && sendBytes > 0) {
            beforeMessage(sendBytes);
        }
    }

    /** Called when that exchange is complete (all sent, all received and added). By default nothing. */
    default void afterExchange(int to, long sendBytes, int from, long recvBytes) {
    }
}
