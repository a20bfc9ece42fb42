package org.sparktrain.driver.barrier;

import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ring all-reduce (sum) of a float vector among the W tasks of a barrier stage, over direct TCP
 * connections (docs/architecture.md, Measured facts: ~0.4 ms per round for LeNet-5's 62k floats on local[2], against
 * ~32 ms for a Spark job per round).
 *
 * <p>Life cycle: {@link #open} binds a server socket (a port of {@link AllReduceSettings#PORTS}) and
 * gives the {@link #address()} to swap with the other tasks (one {@code allGather});
 * {@link #connect} connects task r to its successor (r + 1) mod W, accepts its predecessor
 * (r − 1) mod W, authenticates both connections ({@link Handshake}) and sizes the buffers once;
 * {@link #allReduce} runs once per round; {@link #close} closes every socket (call it in
 * {@code finally}).
 *
 * <p>One all-reduce of n floats: the vector is cut into W chunks, chunk c = [c·n/W, (c+1)·n/W).
 * Reduce-scatter, W − 1 steps: at step s task r sends chunk (r − s) mod W to its successor and adds the
 * chunk (r − s − 1) mod W received from its predecessor into its own copy; task r then holds the full
 * sum of chunk (r + 1) mod W. All-gather, W − 1 steps: at step s task r sends chunk (r + 1 − s) mod W and
 * overwrites chunk (r − s) mod W with the one received. On the wire a chunk is its floats, raw,
 * little-endian, 4 bytes each, nothing else (both ends know the lengths). The summation order of every
 * element is fixed by the ring (chunk c is summed starting from task c, along the ring), so a run is
 * deterministic, and since every element's final value is computed by exactly one task and copied to
 * the others, every task ends with the same bits.
 *
 * <p>Failure: a send and a receive proceed together on non-blocking channels (a ring of blocking sends
 * could deadlock once chunks outgrow the socket buffers). Every wait is a select of at most
 * {@link AllReduceSettings#pollMillis()}, after which the task's kill flag is checked; no progress for
 * {@link AllReduceSettings#ioTimeoutMillis()} is an error naming the silent peer; a closed connection
 * (a peer that failed or was killed closes its sockets) is an error at once. No allocation per round:
 * the byte buffers are sized once in {@link #connect}.
 */
public final class RingAllReduce implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(RingAllReduce.class);
    private static final long HANDSHAKE_MILLIS = 5_000;

    private final int rank;
    private final int size;
    private final String label;
    private final String self;
    private final AllReduceSettings settings;
    private final BooleanSupplier killed;
    private final ServerSocketChannel server;
    private final String address;
    private SocketChannel toNext;
    private SocketChannel fromPrev;
    private SocketChannel pending;
    private Selector selector;
    private SelectionKey nextKey;
    private SelectionKey prevKey;
    private ByteBuffer sendBytes;
    private ByteBuffer recvBytes;
    private FloatBuffer sendFloats;
    private FloatBuffer recvFloats;
    private String nextAddress = "?";
    private String prevAddress = "?";
    private int[] bounds;
    private int boundsFor = -1;
    private int refused;

    private RingAllReduce(int rank, int size, String label, AllReduceSettings settings, BooleanSupplier killed,
                          ServerSocketChannel server, String address) {
        this.rank = rank;
        this.size = size;
        this.label = label;
        this.self = label + ", task " + rank;
        this.settings = settings;
        this.killed = killed;
        this.server = server;
        this.address = address;
    }

    /**
     * Task {@code rank} of {@code size}: binds its server socket on {@code settings.host()} (which must be
     * set: the address peers reach this executor at). {@code killed} is the task's kill flag;
     * {@code label} names the stage in every message (e.g. "barrier stage of epoch 3, attempt 1").
     */
    public static RingAllReduce open(int rank, int size, AllReduceSettings settings, BooleanSupplier killed,
                                     String label) throws IOException {
        if (size == 1) {
            return new RingAllReduce(rank, 1, label, settings, killed, null, "");
        }
        String host = settings.host();
        String bind = settings.bindAddress() != null ? settings.bindAddress() : host;
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            int lo = settings.portLow();
            int span = settings.portHigh() - lo + 1;
            IOException last = null;
            for (int i = 0; i < span; i++) {
                int port = lo == 0 ? 0 : lo + Math.floorMod(rank + i, span);
                try {
                    ch.bind(new InetSocketAddress(bind, port), size);
                    last = null;
                    break;
                } catch (BindException e) {
                    last = e;
                }
            }
            if (last != null) {
                throw new IOException(label + ", task " + rank + ": no free port in " + AllReduceSettings.PORTS + "="
                        + lo + "-" + settings.portHigh() + " on " + bind + " (" + last.getMessage()
                        + "); widen the range", last);
            }
            ch.configureBlocking(false);
            int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
            return new RingAllReduce(rank, size, label, settings, killed, ch, host + ":" + port);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** {@code host:port} of this task's server socket, to swap with the other tasks. */
    public String address() {
        return address;
    }

    /** Connections refused so far for not presenting the secret (tests, logs). */
    public int refusedConnections() {
        return refused;
    }

    /**
     * Connects the ring: {@code addresses[i]} is task i's {@link #address()}; {@code secret} the stage's
     * secret; {@code maxFloats} the longest vector {@link #allReduce} will be given.
     */
    public void connect(String[] addresses, byte[] secret, int maxFloats) throws IOException {
        if (size == 1) {
            return;
        }
        if (addresses.length != size) {
            throw new IllegalArgumentException(label + ": " + addresses.length + " addresses for " + size + " tasks");
        }
        int next = (rank + 1) % size;
        int prev = (rank + size - 1) % size;
        nextAddress = addresses[next];
        prevAddress = addresses[prev];
        long deadline = System.nanoTime() + settings.connectTimeoutMillis() * 1_000_000L;
        int poll = settings.pollMillis();
        String toWhat = label + ", task " + rank + " -> task " + next + " at " + nextAddress;
        toNext = connectTo(nextAddress, deadline, toWhat);
        Selector acceptSel = Selector.open();
        try {
            server.register(acceptSel, SelectionKey.OP_ACCEPT);
            SocketChannel cand = accept(acceptSel, deadline);
            pending = cand;
            String fromWhat = label + ", task " + rank + " <- task " + prev + " (" + remote(cand) + ")";
            byte[] ns = Handshake.sendHello(cand, handshakeDeadline(deadline), killed, poll, fromWhat);
            Handshake.Nonces nonces = Handshake.answerHello(toNext, secret, rank, next, deadline, killed, poll, toWhat);
            while (true) {
                String refusal = Handshake.verifyProof(cand, secret, ns, prev, rank, handshakeDeadline(deadline), killed,
                        poll, fromWhat);
                if (refusal == null) {
                    fromPrev = cand;
                    pending = null;
                    break;
                }
                refused++;
                LOG.warn("{}, task {}: refused a connection from {}: {}; closed it without reading anything more",
                        label, rank, remote(cand), refusal);
                cand.close();
                cand = accept(acceptSel, deadline);
                pending = cand;
                fromWhat = label + ", task " + rank + " <- task " + prev + " (" + remote(cand) + ")";
                ns = Handshake.sendHello(cand, handshakeDeadline(deadline), killed, poll, fromWhat);
            }
            Handshake.checkAck(toNext, secret, nonces, rank, next, deadline, killed, poll, toWhat);
        } finally {
            acceptSel.close();
        }
        int chunk = maxFloats / size + 1;
        sendBytes = ByteBuffer.allocateDirect(chunk * 4).order(ByteOrder.LITTLE_ENDIAN);
        recvBytes = ByteBuffer.allocateDirect(chunk * 4).order(ByteOrder.LITTLE_ENDIAN);
        sendFloats = sendBytes.asFloatBuffer();
        recvFloats = recvBytes.asFloatBuffer();
        bounds = new int[size + 1];
        selector = Selector.open();
        nextKey = toNext.register(selector, 0);
        prevKey = fromPrev.register(selector, 0);
    }

    /**
     * Replaces {@code v[0 .. n)} on every task by the element-wise sum over the tasks (see the class
     * comment for the order). Every task must call it with the same n, the same number of times.
     */
    public void allReduce(float[] v, int n) throws IOException {
        if (size == 1) {
            return;
        }
        if (n / size + 1 > sendFloats.capacity()) {
            throw new IllegalArgumentException(label + ": a vector of " + n + " floats is longer than the "
                    + "ring was sized for");
        }
        if (boundsFor != n) {
            for (int c = 0; c <= size; c++) {
                bounds[c] = (int) ((long) n * c / size);
            }
            boundsFor = n;
        }
        for (int s = 0; s < size - 1; s++) {
            exchange(v, Math.floorMod(rank - s, size), Math.floorMod(rank - s - 1, size), true);
        }
        for (int s = 0; s < size - 1; s++) {
            exchange(v, Math.floorMod(rank + 1 - s, size), Math.floorMod(rank - s, size), false);
        }
    }

    /** Sends chunk {@code sc} to the successor while receiving chunk {@code rc} from the predecessor. */
    private void exchange(float[] v, int sc, int rc, boolean add) throws IOException {
        int sOff = bounds[sc];
        int sLen = bounds[sc + 1] - sOff;
        int rOff = bounds[rc];
        int rLen = bounds[rc + 1] - rOff;
        sendFloats.clear();
        sendFloats.put(v, sOff, sLen);
        sendBytes.clear().limit(sLen * 4);
        recvBytes.clear().limit(rLen * 4);
        long last = System.nanoTime();
        long timeout = settings.ioTimeoutMillis() * 1_000_000L;
        while (sendBytes.hasRemaining() || recvBytes.hasRemaining()) {
            boolean progress = false;
            if (sendBytes.hasRemaining()) {
                progress = toNext.write(sendBytes) > 0;
            }
            if (recvBytes.hasRemaining()) {
                int r = fromPrev.read(recvBytes);
                if (r < 0) {
                    throw new IOException(label + ", task " + rank + ": task " + Math.floorMod(rank - 1, size) + " ("
                            + prevAddress + ") closed its connection in the middle of an all-reduce: it failed or "
                            + "was killed (see its log); the driver reruns the stage");
                }
                progress |= r > 0;
            }
            long now = System.nanoTime();
            if (progress) {
                last = now;
                continue;
            }
            Wire.checkAlive(killed, self);
            if (now - last > timeout) {
                String who = recvBytes.hasRemaining()
                        ? "no data from task " + Math.floorMod(rank - 1, size) + " (" + prevAddress + ")"
                        : "task " + (rank + 1) % size + " (" + nextAddress + ") accepted no data";
                throw new SocketTimeoutException(label + ", task " + rank + ": " + who + " for "
                        + settings.ioTimeoutMillis() + " ms: the peer is dead, stuck or slower than "
                        + AllReduceSettings.IO_TIMEOUT + " allows; the driver reruns the stage");
            }
            nextKey.interestOps(sendBytes.hasRemaining() ? SelectionKey.OP_WRITE : 0);
            prevKey.interestOps(recvBytes.hasRemaining() ? SelectionKey.OP_READ : 0);
            selector.select(settings.pollMillis());
            selector.selectedKeys().clear();
        }
        if (add) {
            for (int i = 0; i < rLen; i++) {
                v[rOff + i] += recvFloats.get(i);
            }
        } else {
            recvFloats.get(0, v, rOff, rLen);
        }
    }

    private long handshakeDeadline(long deadline) {
        return Math.min(deadline, System.nanoTime() + HANDSHAKE_MILLIS * 1_000_000L);
    }

    private SocketChannel connectTo(String hostPort, long deadline, String what) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        InetSocketAddress addr = new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1)));
        IOException last = null;
        while (System.nanoTime() - deadline < 0) {
            SocketChannel ch = SocketChannel.open();
            try {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.configureBlocking(false);
                if (!ch.connect(addr)) {
                    Selector sel = Selector.open();
                    try {
                        ch.register(sel, SelectionKey.OP_CONNECT);
                        while (!ch.finishConnect()) {
                            Wire.checkAlive(killed, what);
                            if (System.nanoTime() - deadline > 0) {
                                throw new SocketTimeoutException(what + ": connect timed out");
                            }
                            sel.select(settings.pollMillis());
                            sel.selectedKeys().clear();
                        }
                    } finally {
                        sel.close();
                    }
                }
                return ch;
            } catch (Wire.KilledException | SocketTimeoutException e) {
                ch.close();
                throw e;
            } catch (IOException e) {
                ch.close();
                last = e;
                Wire.checkAlive(killed, what);
                try {
                    Thread.sleep(Math.min(50, settings.pollMillis()));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new Wire.KilledException(what + ": interrupted");
                }
            }
        }
        throw new SocketTimeoutException(what + ": could not connect within " + settings.connectTimeoutMillis()
                + " ms (" + (last == null ? "no answer" : last.getMessage()) + "); check that executors accept TCP "
                + "from each other on " + AllReduceSettings.PORTS);
    }

    private SocketChannel accept(Selector sel, long deadline) throws IOException {
        int prev = (rank + size - 1) % size;
        String what = label + ", task " + rank + ": waiting for task " + prev + " (" + prevAddress + ") to connect";
        while (true) {
            SocketChannel ch = server.accept();
            if (ch != null) {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                return ch;
            }
            Wire.checkAlive(killed, what);
            if (System.nanoTime() - deadline > 0) {
                throw new SocketTimeoutException(what + ": timed out after " + settings.connectTimeoutMillis()
                        + " ms (refused " + refused + " connection(s) without the stage's secret)");
            }
            sel.select(settings.pollMillis());
            sel.selectedKeys().clear();
        }
    }

    private static String remote(SocketChannel ch) {
        try {
            return String.valueOf(ch.getRemoteAddress());
        } catch (IOException e) {
            return "?";
        }
    }

    @Override
    public void close() {
        closeQuietly(selector);
        closeQuietly(toNext);
        closeQuietly(fromPrev);
        closeQuietly(pending);
        closeQuietly(server);
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing {}: {}", c, e.toString());
            }
        }
    }
}
