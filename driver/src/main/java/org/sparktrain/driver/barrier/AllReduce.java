package org.sparktrain.driver.barrier;

import java.io.Closeable;
import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * An all-reduce (sum) of a float vector among the W tasks of a barrier stage over direct, authenticated TCP
 * connections ({@link PeerLinks}): {@link RingAllReduce} or {@link HalvingDoublingAllReduce}, chosen by
 * {@link AllReduceAlgorithm#choose}.
 *
 * <p>Life cycle: {@code open} binds a server socket and gives the {@link #address()} to swap with the other
 * tasks; {@link #connect} connects and authenticates the partners the algorithm needs and sizes the buffers
 * once; {@link #allReduce} runs once per round; {@link #close} closes every socket (call it in
 * {@code finally}). Each algorithm sums every element in an order fixed by the ranks alone and computes
 * every element's final value on one task, which copies it to the others: every task ends with the same
 * bits, and the same inputs give the same bits run after run.
 */
public interface AllReduce extends Closeable {

    /**
     * Task {@code rank} of {@code size} running {@code algorithm} (not {@code AUTO}): binds its server socket on
     * {@code settings.host()}. {@code killed} is the task's kill flag; {@code label} names the stage in every
     * message; {@code delay} is {@link MessageDelay#NONE} but in a simulation.
     */
    static AllReduce open(AllReduceAlgorithm algorithm, int rank, int size, AllReduceSettings settings,
                          BooleanSupplier killed, String label, MessageDelay delay) throws IOException {
        PeerLinks links = PeerLinks.open(rank, size, settings, killed, label, delay);
        return switch (algorithm) {
            case RING -> new RingAllReduce(rank, size, label, links);
            case RHD -> new HalvingDoublingAllReduce(rank, size, label, links);
            case AUTO -> throw new IllegalArgumentException("choose an algorithm first (AllReduceAlgorithm.choose)");
        };
    }

    /**
     * Runs the encryption of {@link AllReduceSettings#encrypt()} on {@code bytes} of scratch data so that the JIT has
     * compiled it (the JDK's AES-GCM is ~30× slower before): for benches, which time warm rounds.
     */
    static void warmUpEncryption(long bytes) {
        LinkCipher.warmUp(bytes);
    }

    /** Which algorithm this is. */
    AllReduceAlgorithm algorithm();

    /** {@code host:port} of this task's server socket, to swap with the other tasks. */
    String address();

    /** Connections refused so far for not presenting the secret (tests, logs). */
    int refusedConnections();

    /**
     * Connects to the partners: {@code addresses[i]} is task i's {@link #address()}; {@code secret} the stage's
     * secret; {@code maxFloats} the longest vector {@link #allReduce} will be given.
     */
    void connect(String[] addresses, byte[] secret, int maxFloats) throws IOException;

    /**
     * Replaces {@code v[0 .. n)} on every task by the element-wise sum over the tasks. Every task must call it
     * with the same n, the same number of times.
     */
    void allReduce(float[] v, int n) throws IOException;

    /**
     * The longest wait without a byte from a partner in the next {@link #allReduce} calls: a partner silent longer is
     * dead or stalled ({@link AllReduceSettings#roundTimeoutMillis}).
     */
    void setTimeoutMillis(long ms);

    @Override
    void close();
}
