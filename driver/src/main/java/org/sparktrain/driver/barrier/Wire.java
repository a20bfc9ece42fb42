package org.sparktrain.driver.barrier;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.function.BooleanSupplier;

/**
 * Blocking-with-a-deadline reads and writes on non-blocking channels, for the ring's set-up (the
 * handshake). Every wait is a {@code select} of at most {@code pollMillis}, after which the task's kill
 * flag and the thread's interrupt status are checked, so that Spark killing a task, or a peer that never
 * answers, ends the wait: nothing here blocks without a bound.
 */
final class Wire {
    private Wire() {
    }

    /** Thrown when Spark killed the task (its kill flag) or interrupted its thread while it waited. */
    static final class KilledException extends IOException {
        KilledException(String what) {
            super(what);
        }
    }

    static void readFully(SocketChannel ch, ByteBuffer b, long deadlineNanos, BooleanSupplier killed, int pollMillis,
                          String what) throws IOException {
        transfer(ch, b, true, deadlineNanos, killed, pollMillis, what);
    }

    static void writeFully(SocketChannel ch, ByteBuffer b, long deadlineNanos, BooleanSupplier killed, int pollMillis,
                           String what) throws IOException {
        transfer(ch, b, false, deadlineNanos, killed, pollMillis, what);
    }

    private static void transfer(SocketChannel ch, ByteBuffer b, boolean read, long deadlineNanos,
                                 BooleanSupplier killed, int pollMillis, String what) throws IOException {
        Selector sel = null;
        try {
            while (b.hasRemaining()) {
                int n = read ? ch.read(b) : ch.write(b);
                if (n < 0) {
                    throw new IOException(what + ": the connection was closed by the other side");
                }
                if (n > 0) {
                    continue;
                }
                checkAlive(killed, what);
                if (System.nanoTime() - deadlineNanos > 0) {
                    throw new SocketTimeoutException(what + ": timed out");
                }
                if (sel == null) {
                    sel = Selector.open();
                    ch.register(sel, read ? SelectionKey.OP_READ : SelectionKey.OP_WRITE);
                }
                sel.select(pollMillis);
                sel.selectedKeys().clear();
            }
        } finally {
            if (sel != null) {
                sel.close();
            }
        }
    }

    static void checkAlive(BooleanSupplier killed, String what) throws KilledException {
        if (Thread.currentThread().isInterrupted()) {
            throw new KilledException(what + ": the task's thread was interrupted (Spark is killing the task)");
        }
        if (killed.getAsBoolean()) {
            throw new KilledException(what + ": Spark killed the task (another task of the stage failed)");
        }
    }
}
