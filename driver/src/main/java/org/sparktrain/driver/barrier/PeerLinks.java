package org.sparktrain.driver.barrier;

import java.io.Closeable;
import java.io.IOException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authenticated TCP connections of one task to the peers an all-reduce algorithm talks to, and the one
 * operation the algorithms are made of: send a slice of the vector to one peer while receiving a slice from
 * another (or the same) peer. {@link RingAllReduce} and {@link HalvingDoublingAllReduce} are schedules of
 * such exchanges; the sockets, the {@link Handshake}, the deadlines and the kill flag live here once.
 *
 * <p>Connections: one per pair of partners, carrying floats both ways; the lower rank dials, the higher
 * accepts. {@link #connect} first dials every higher partner and accepts as many connections as it has
 * lower partners, greeting each at once, then answers its own greetings, then checks the proofs it received,
 * then the acknowledgements: no step waits on anything but another task's earlier step, so no set of
 * partners can deadlock, and a stranger's connection is refused and replaced by the next one accepted.
 *
 * <p>An exchange streams through two fixed buffers of at most {@link #PIECE_FLOATS} floats (on the wire:
 * raw little-endian floats, both ends know the lengths; with {@link AllReduceSettings#encrypt()}, every piece of
 * at most {@link #PIECE_FLOATS} floats is one {@link LinkCipher} frame, sealed with the link's key for that
 * direction, and the receiver opens a frame whole before it uses a float of it): the received floats are added (or
 * copied) into the vector as they arrive, each with one addition, so the result does not depend on how the bytes
 * were cut, encrypted or not, and nothing is allocated per round but the cipher's own objects. A frame whose tag
 * fails closes the link with an error naming the peer. Every wait is a select of at most
 * {@link AllReduceSettings#pollMillis()} followed by a check of the kill flag; no progress for {@link AllReduceSettings#ioTimeoutMillis()} is an
 * error naming the silent peer; a closed or reset connection is an error at once.
 */
final class PeerLinks implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerLinks.class);
    private static final long HANDSHAKE_MILLIS = 5_000;
    /** The most floats an exchange buffers per direction (64 KiB): enough for few system calls per message. */
    static final int PIECE_FLOATS = 16_384;
    static final int NONE = -1;

    private final int rank;
    private final int size;
    private final String label;
    private final AllReduceSettings settings;
    /** The longest wait without progress in an exchange (the round's stall limit; {@link #setTimeoutMillis}). */
    private long timeoutMillis;
    private final BooleanSupplier killed;
    private final MessageDelay delay;
    private final ServerSocketChannel server;
    private final String address;
    private final List<SocketChannel> opened = new ArrayList<>();
    private SocketChannel[] links;
    private SelectionKey[] keys;
    private String[] addresses;
    private Selector selector;
    private ByteBuffer sendBytes;
    private ByteBuffer recvBytes;
    private FloatBuffer sendFloats;
    private FloatBuffer recvFloats;
    /** Per partner, its link's cipher, or null (not encrypted). */
    private LinkCipher[] ciphers;
    /** What {@link #exchange} writes: {@link #sendBytes}, or its sealed frame. */
    private ByteBuffer outgoing;
    /** The frame being received (header, then ciphertext and tag), and its length once its header is in (or -1). */
    private ByteBuffer recvWire;
    private int frameBytes = -1;
    private float[] scratch;
    private int refused;
    /** The last refused connection's address and why (for the timeout's message). */
    private String lastRefused;

    private PeerLinks(int rank, int size, String label, AllReduceSettings settings, BooleanSupplier killed,
                      MessageDelay delay, ServerSocketChannel server, String address) {
        this.rank = rank;
        this.size = size;
        this.label = label;
        this.settings = settings;
        this.timeoutMillis = settings.ioTimeoutMillis();
        this.killed = killed;
        this.delay = delay;
        this.server = server;
        this.address = address;
    }

    /**
     * Task {@code rank} of {@code size}: binds its server socket (a port of {@link AllReduceSettings#PORTS}) on
     * {@code settings.host()}, which must be set: the address peers reach this executor at. Nothing is bound
     * for a single task.
     */
    /** The longest wait without progress in the exchanges from now on (the task sets it per round). */
    void setTimeoutMillis(long ms) {
        timeoutMillis = ms;
    }

    static PeerLinks open(int rank, int size, AllReduceSettings settings, BooleanSupplier killed, String label,
                          MessageDelay delay) throws IOException {
        if (size == 1) {
            return new PeerLinks(rank, 1, label, settings, killed, delay, null, "");
        }
        String host = settings.host();
        String bind = settings.bindAddress() != null ? settings.bindAddress() : host;
        ServerSocketChannel ch = settings.ports().bind(bind, rank, size, label + ", task " + rank);
        try {
            ch.configureBlocking(false);
            int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
            return new PeerLinks(rank, size, label, settings, killed, delay, ch, host + ":" + port);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    String address() {
        return address;
    }

    int refusedConnections() {
        return refused;
    }

    /**
     * Connects to {@code partners} (ranks, each once, not this task's) and authenticates every connection;
     * {@code addresses[i]} is task i's {@link #address()}; {@code maxMessageFloats} the longest message an
     * exchange will carry (it sizes the buffers).
     */
    void connect(String[] peerAddresses, byte[] secret, int[] partners, int maxMessageFloats) throws IOException {
        if (peerAddresses.length != size) {
            throw new IllegalArgumentException(label + ": " + peerAddresses.length + " addresses for " + size
                    + " tasks");
        }
        addresses = peerAddresses;
        links = new SocketChannel[size];
        keys = new SelectionKey[size];
        ciphers = new LinkCipher[size];
        boolean sealed = settings.encrypt();
        long deadline = System.nanoTime() + settings.connectTimeoutMillis() * 1_000_000L;
        int poll = settings.pollMillis();
        boolean[] expected = new boolean[size];
        List<Integer> dialed = new ArrayList<>();
        for (int p : partners) {
            if (p > rank) {
                links[p] = connectTo(addresses[p], deadline, toWhat(p));
                opened.add(links[p]);
                dialed.add(p);
            } else {
                expected[p] = true;
            }
        }
        int toAccept = partners.length - dialed.size();
        List<SocketChannel> accepted = new ArrayList<>();
        List<byte[]> challenges = new ArrayList<>();
        try (Selector acceptSel = Selector.open()) {
            server.register(acceptSel, SelectionKey.OP_ACCEPT);
            for (int i = 0; i < toAccept; i++) {
                SocketChannel cand = accept(acceptSel, deadline);
                accepted.add(cand);
                challenges.add(Handshake.sendHello(cand, sealed, handshakeDeadline(deadline), killed, poll,
                        fromWhat(cand)));
            }
            Handshake.Nonces[] nonces = new Handshake.Nonces[size];
            for (int p : dialed) {
                nonces[p] = Handshake.answerHello(links[p], secret, sealed, rank, p, deadline, killed, poll, toWhat(p));
            }
            for (int i = 0; i < toAccept; i++) {
                SocketChannel cand = accepted.get(i);
                byte[] ns = challenges.get(i);
                int[] from = new int[1];
                byte[] nc = new byte[Handshake.NONCE_BYTES];
                while (true) {
                    String refusal = Handshake.verifyProof(cand, secret, sealed, ns,
                            p -> p >= 0 && p < size && expected[p], "a task of " + java.util.Arrays.toString(partners)
                                    + " not yet connected", rank, from, nc, handshakeDeadline(deadline), killed, poll,
                            fromWhat(cand));
                    if (refusal == null) {
                        break;
                    }
                    refused++;
                    lastRefused = remote(cand) + ": " + refusal;
                    LOG.warn("{}, task {}: refused a connection from {}: {}; closed it without reading anything more",
                            label, rank, remote(cand), refusal);
                    opened.remove(cand);
                    cand.close();
                    cand = accept(acceptSel, deadline);
                    ns = Handshake.sendHello(cand, sealed, handshakeDeadline(deadline), killed, poll, fromWhat(cand));
                }
                expected[from[0]] = false;
                links[from[0]] = cand;
                if (sealed) {
                    ciphers[from[0]] = LinkCipher.server(secret, ns, nc, from[0], rank);
                }
            }
            for (int p : dialed) {
                Handshake.checkAck(links[p], secret, sealed, nonces[p], rank, p, deadline, killed, poll, toWhat(p));
                if (sealed) {
                    ciphers[p] = LinkCipher.client(secret, nonces[p].server(), nonces[p].client(), rank, p);
                }
            }
        }
        int piece = Math.max(1, Math.min(PIECE_FLOATS, maxMessageFloats));
        sendBytes = ByteBuffer.allocateDirect(piece * 4).order(ByteOrder.LITTLE_ENDIAN);
        recvBytes = ByteBuffer.allocateDirect(piece * 4).order(ByteOrder.LITTLE_ENDIAN);
        outgoing = sendBytes;
        if (sealed) {
            int frame = LinkCipher.HEADER + piece * 4 + LinkCipher.TAG;
            outgoing = ByteBuffer.allocateDirect(frame).order(ByteOrder.LITTLE_ENDIAN);
            recvWire = ByteBuffer.allocateDirect(frame).order(ByteOrder.LITTLE_ENDIAN);
        }
        sendFloats = sendBytes.asFloatBuffer();
        recvFloats = recvBytes.asFloatBuffer();
        scratch = new float[piece];
        selector = Selector.open();
        for (int p : partners) {
            keys[p] = links[p].register(selector, 0);
        }
    }

    /**
     * Sends {@code v[sOff, sOff + sLen)} to task {@code to} while receiving {@code rLen} floats from task
     * {@code from} into {@code v[rOff, ...)}, added to what is there ({@code add}) or replacing it. Either peer
     * may be {@link #NONE}; {@code to} may equal {@code from}. The two ranges must not overlap.
     */
    void exchange(float[] v, int to, int sOff, int sLen, int from, int rOff, int rLen, boolean add)
            throws IOException {
        if (to == NONE) {
            sLen = 0;
        }
        if (from == NONE) {
            rLen = 0;
        }
        delay.beforeExchange(to, sLen * 4L, from, rLen * 4L);
        int sent = 0;
        int got = 0;
        sendBytes.clear().limit(0);
        outgoing.clear().limit(0);
        recvBytes.clear();
        long last = System.nanoTime();
        long timeout = timeoutMillis * 1_000_000L;
        while (sent < sLen || outgoing.hasRemaining() || got < rLen) {
            boolean progress = false;
            if (!outgoing.hasRemaining() && sent < sLen) {
                int k = Math.min(sLen - sent, sendFloats.capacity());
                sendFloats.clear();
                sendFloats.put(v, sOff + sent, k);
                sendBytes.clear().limit(k * 4);
                if (ciphers[to] != null) {
                    outgoing.clear();
                    ciphers[to].seal(sendBytes, outgoing);
                    outgoing.flip();
                }
                sent += k;
            }
            if (outgoing.hasRemaining()) {
                progress = write(to) > 0;
            }
            if (got < rLen) {
                int r = ciphers[from] != null ? readSealed(from, (rLen - got) * 4L) : read(from, (rLen - got) * 4L);
                progress |= r > 0;
                got += drain(v, rOff + got, add);
            }
            long now = System.nanoTime();
            if (progress) {
                last = now;
                continue;
            }
            Wire.checkAlive(killed, label + ", task " + rank);
            if (now - last > timeout) {
                String who = got < rLen ? "no data from " + peer(from) : peer(to) + " accepted no data";
                throw new SocketTimeoutException(label + ", task " + rank + ": " + who + " for "
                        + timeoutMillis + " ms: the peer is dead, stalled or slower than " + AllReduceSettings.IO_TIMEOUT
                        + " and " + AllReduceSettings.STALL_TIMEOUT + " allow; the driver reruns the stage");
            }
            boolean wantWrite = outgoing.hasRemaining();
            boolean wantRead = got < rLen;
            if (to != NONE) {
                keys[to].interestOps(wantWrite ? SelectionKey.OP_WRITE : 0);
            }
            if (from != NONE) {
                keys[from].interestOps((wantRead ? SelectionKey.OP_READ : 0)
                        | (from == to && wantWrite ? SelectionKey.OP_WRITE : 0));
            }
            selector.select(settings.pollMillis());
            selector.selectedKeys().clear();
        }
        // an idle connection is always writable, and may already hold a later step's data: a key left
        // interested would end every later select at once and spin
        if (to != NONE) {
            keys[to].interestOps(0);
        }
        if (from != NONE) {
            keys[from].interestOps(0);
        }
        delay.afterExchange(to, sLen * 4L, from, rLen * 4L);
    }

    private int write(int to) throws IOException {
        try {
            return links[to].write(outgoing);
        } catch (IOException e) {
            throw closedMidway(to, e);
        }
    }

    /** Reads at most {@code remainingBytes} (the next message may follow on the same connection). */
    private int read(int from, long remainingBytes) throws IOException {
        int room = (int) Math.min(recvBytes.capacity() - recvBytes.position(), remainingBytes - recvBytes.position());
        recvBytes.limit(recvBytes.position() + room);
        int r;
        try {
            r = links[from].read(recvBytes);
        } catch (IOException e) {
            throw closedMidway(from, e);
        }
        if (r < 0) {
            throw closedMidway(from, null);
        }
        return r;
    }

    /**
     * Reads at most the rest of the frame being received (its header first); once it is whole, opens it into
     * {@link #recvBytes} (empty then: frames hold whole floats, which {@link #drain} takes). A frame must fit in
     * the rest of the message ({@code remainingBytes}) and the buffer.
     */
    private int readSealed(int from, long remainingBytes) throws IOException {
        if (frameBytes < 0) {
            recvWire.limit(LinkCipher.HEADER);
        }
        int r;
        try {
            r = links[from].read(recvWire);
        } catch (IOException e) {
            throw closedMidway(from, e);
        }
        if (r < 0) {
            throw closedMidway(from, null);
        }
        if (frameBytes < 0 && !recvWire.hasRemaining()) {
            int n = recvWire.getInt(0);
            if (n <= 0 || n % 4 != 0 || n > recvBytes.capacity() || n > remainingBytes) {
                links[from].close();
                throw new IOException(label + ", task " + rank + ": " + peer(from) + " sent a frame of " + n
                        + " bytes where at most " + Math.min(recvBytes.capacity(), remainingBytes) + " (whole floats)"
                        + " were due: the stream is damaged or out of step; closed the link (the driver reruns the "
                        + "stage)");
            }
            frameBytes = n;
            recvWire.limit(LinkCipher.HEADER + n + LinkCipher.TAG);
        }
        if (frameBytes >= 0 && !recvWire.hasRemaining()) {
            recvWire.flip().position(LinkCipher.HEADER);
            recvBytes.clear();
            try {
                ciphers[from].open(frameBytes, recvWire, recvBytes, label + ", task " + rank + ": a frame from "
                        + peer(from));
            } catch (LinkCipher.TamperedException e) {
                links[from].close();
                throw new LinkCipher.TamperedException(e.getMessage() + " (the driver reruns the stage)");
            }
            recvWire.clear();
            frameBytes = -1;
        }
        return r;
    }

    /** Moves the whole floats received so far into {@code v[off, ...)}; keeps a partial float's bytes. */
    private int drain(float[] v, int off, boolean add) {
        int whole = recvBytes.position() / 4;
        if (whole == 0) {
            return 0;
        }
        if (add) {
            recvFloats.get(0, scratch, 0, whole);
            for (int i = 0; i < whole; i++) {
                v[off + i] += scratch[i];
            }
        } else {
            recvFloats.get(0, v, off, whole);
        }
        recvBytes.limit(recvBytes.position()).position(whole * 4);
        recvBytes.compact();
        return whole;
    }

    private IOException closedMidway(int p, IOException cause) {
        return new IOException(label + ", task " + rank + ": " + peer(p) + " closed its connection in the middle of "
                + "an all-reduce" + (cause == null ? "" : " (" + cause.getMessage() + ")") + ": it failed or was "
                + "killed (see its log); the driver reruns the stage", cause);
    }

    private String peer(int p) {
        return "task " + p + " (" + addresses[p] + ")";
    }

    private String toWhat(int p) {
        return label + ", task " + rank + " -> task " + p + " at " + addresses[p];
    }

    private String fromWhat(SocketChannel ch) {
        return label + ", task " + rank + " <- " + remote(ch);
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
                    try (Selector sel = Selector.open()) {
                        ch.register(sel, SelectionKey.OP_CONNECT);
                        while (!ch.finishConnect()) {
                            Wire.checkAlive(killed, what);
                            if (System.nanoTime() - deadline > 0) {
                                throw new SocketTimeoutException(what + ": connect timed out");
                            }
                            sel.select(settings.pollMillis());
                            sel.selectedKeys().clear();
                        }
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
        String what = label + ", task " + rank + ": waiting for its partners to connect";
        while (true) {
            SocketChannel ch = server.accept();
            if (ch != null) {
                opened.add(ch);
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                return ch;
            }
            Wire.checkAlive(killed, what);
            if (System.nanoTime() - deadline > 0) {
                throw new SocketTimeoutException(what + ": timed out after " + settings.connectTimeoutMillis()
                        + " ms (refused " + refused + " connection(s) without the stage's secret"
                        + (lastRefused == null ? "" : "; the last from " + lastRefused) + ")");
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
        for (SocketChannel ch : opened) {
            closeQuietly(ch);
        }
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
