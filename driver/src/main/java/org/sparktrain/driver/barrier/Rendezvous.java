package org.sparktrain.driver.barrier;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The address swap of a barrier stage's tasks through the driver, instead of
 * {@code BarrierTaskContext.allGather}: Spark 4.1.0's {@code allGather} waits for its reply by sleeping
 * in whole seconds, so it costs either a few ms or ~1 s (measured: 10-20 ms or 1,000-1,100 ms, about
 * half the epochs each), which is most of the overhead of an epoch that a fast engine trains in a
 * second. Through the driver it costs a few ms.
 *
 * <p>The driver opens a server socket for one stage attempt (its address travels in the task closure)
 * and a daemon thread that serves W registrations. Each task connects, and, byte by byte:
 * <ol>
 * <li>the {@link Handshake} with {@code from} = the task's partition, {@code to} = −1 (the driver):
 *     the driver refuses (closes, logs, reads nothing more from) a connection without the stage's
 *     secret, and proves the secret itself;</li>
 * <li>task → driver: int32 length, then the task's {@code host:port} in UTF-8 (at most 1 KiB);</li>
 * <li>once all W tasks registered, driver → every task: int32 W, then W times (int32 length,
 *     UTF-8 {@code host:port}), in partition order; then the connection is closed.</li>
 * </ol>
 * Integers are little-endian. With {@link AllReduceSettings#encrypt()}, steps 2 and 3 and the states below travel
 * in {@link LinkCipher} frames ({@link Conn}), keyed from the secret and the handshake's nonces. With a
 * {@link StateSink}, the driver keeps task 0's connection open after step 3 and reads the {@link RoundState}s
 * task 0 sends on it until task 0 closes it (recovery in rounds, docs/architecture.md, "Failing cleanly"). The
 * driver's thread ends with the stage ({@link #close}). docs/architecture.md, "The barrier transport on the
 * network", has the addresses, ports and timeouts.
 */
final class Rendezvous implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(Rendezvous.class);
    static final int DRIVER = -1;
    private static final int MAX_ADDRESS = 1024;
    private static final long HANDSHAKE_MILLIS = 5_000;

    private final ServerSocketChannel server;
    private final String address;
    private final Thread thread;
    private final StateSink sink;
    private volatile boolean closed;
    private volatile Throwable failure;
    private volatile RoundState latest;

    /**
     * Where the states task 0 hands over during the stage go (docs/architecture.md, "Failing cleanly"): the
     * driver's expectations (a state's length, the rounds of the epoch) and what it does with each, called in the
     * rendezvous's thread.
     */
    interface StateSink {
        int stateLength();

        int rounds();

        void accept(RoundState s);
    }

    /** What a task gets from the rendezvous: every task's address, and for task 0 the open connection for states. */
    record Registration(String[] addresses, Conn states) {
    }

    /** Driver side: opens the server and starts serving {@code workers} registrations. */
    Rendezvous(String advertiseHost, String bindHost, AllReduceSettings s, int workers, byte[] secret, String label)
            throws IOException {
        this(advertiseHost, bindHost, s, workers, secret, label, null);
    }

    /**
     * As above; with a {@code sink}, task 0's connection stays open after the address reply and every state it
     * sends on it is checked and handed to the sink.
     */
    Rendezvous(String advertiseHost, String bindHost, AllReduceSettings s, int workers, byte[] secret, String label,
               StateSink sink) throws IOException {
        this(advertiseHost, bindHost, new PortRange(AllReduceSettings.RENDEZVOUS_PORTS, 0, 0), s, workers, secret,
                label, sink);
    }

    /**
     * As above, on the first free port of {@code ports} ({@link AllReduceSettings#RENDEZVOUS_PORTS}); none free is
     * a {@link PortRange.NoFreePortException} naming the setting.
     */
    Rendezvous(String advertiseHost, String bindHost, PortRange ports, AllReduceSettings s, int workers,
               byte[] secret, String label, StateSink sink) throws IOException {
        this.sink = sink;
        try {
            server = ports.bind(bindHost, 0, workers * 2, label + ": the driver's rendezvous");
        } catch (PortRange.NoFreePortException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException(label + ": cannot open the driver's rendezvous socket on " + bindHost + ": "
                    + e.getMessage(), e);
        }
        try {
            server.configureBlocking(false);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        address = advertiseHost + ":" + ((InetSocketAddress) server.getLocalAddress()).getPort();
        thread = new Thread(() -> serve(s, workers, secret, label), "sparktrain-rendezvous");
        thread.setDaemon(true);
        thread.start();
    }

    String address() {
        return address;
    }

    private void serve(AllReduceSettings s, int workers, byte[] secret, String label) {
        Conn[] tasks = new Conn[workers];
        String[] addresses = new String[workers];
        BooleanSupplier stop = () -> closed;
        int poll = s.pollMillis();
        boolean sealed = s.encrypt();
        try (Selector sel = Selector.open()) {
            server.register(sel, SelectionKey.OP_ACCEPT);
            int registered = 0;
            while (registered < workers) {
                SocketChannel ch = server.accept();
                if (ch == null) {
                    if (closed) {
                        return;
                    }
                    sel.select(poll);
                    sel.selectedKeys().clear();
                    continue;
                }
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                String what = label + ", driver rendezvous <- " + ch.getRemoteAddress();
                long deadline = System.nanoTime() + HANDSHAKE_MILLIS * 1_000_000L;
                try {
                    byte[] ns = Handshake.sendHello(ch, sealed, deadline, stop, poll, what);
                    int[] from = new int[1];
                    byte[] nc = new byte[Handshake.NONCE_BYTES];
                    String refusal = Handshake.verifyProof(ch, secret, sealed, ns, t -> t >= 0 && t < workers,
                            "task 0.." + (workers - 1), DRIVER, from, nc, deadline, stop, poll, what);
                    if (refusal == null && tasks[from[0]] != null) {
                        refusal = "task " + from[0] + " registered twice";
                    }
                    if (refusal != null) {
                        LOG.warn("{}: refused the connection: {}; closed it without reading anything more", what,
                                refusal);
                        ch.close();
                        continue;
                    }
                    Conn c = new Conn(ch, sealed ? LinkCipher.server(secret, ns, nc, from[0], DRIVER) : null,
                            "task " + from[0] + " (" + ch.getRemoteAddress() + ")");
                    ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                    c.read(len, deadline, stop, poll, what);
                    int n = len.flip().getInt();
                    if (n <= 0 || n > MAX_ADDRESS) {
                        throw new IOException(what + ": bad address length " + n);
                    }
                    ByteBuffer a = ByteBuffer.allocate(n);
                    c.read(a, deadline, stop, poll, what);
                    addresses[from[0]] = new String(a.array(), StandardCharsets.UTF_8);
                    tasks[from[0]] = c;
                    registered++;
                } catch (IOException e) {
                    if (closed) {
                        return;
                    }
                    LOG.warn("{}: {}", what, e.getMessage());
                    ch.close();
                }
            }
            ByteBuffer reply = encode(addresses);
            long deadline = System.nanoTime() + s.connectTimeoutMillis() * 1_000_000L;
            for (int i = 0; i < workers; i++) {
                tasks[i].write(reply.duplicate(), deadline, stop, poll, label + ", driver rendezvous -> task " + i);
            }
            if (sink != null) {
                for (int i = 1; i < workers; i++) {
                    closeQuietly(tasks[i]);
                }
                String what = label + ", states from task 0";
                try {
                    RoundState st;
                    while ((st = RoundState.read(tasks[0], sink.stateLength(), sink.rounds(), stop, poll, what))
                            != null) {
                        latest = st;
                        try {
                            sink.accept(st);
                        } catch (RuntimeException e) {
                            LOG.warn("{}: handling the state after round {}: {}", what, st.roundsDone(), e.toString());
                        }
                    }
                } catch (LinkCipher.TamperedException e) {
                    // the states so far stay; no later one is believed
                    LOG.warn("{}: {}", what, e.getMessage());
                } catch (IOException e) {
                    // task 0 died (a reset) or sent something else: the states so far stay; the stage's own
                    // failure, if any, is what the driver reports
                    if (!closed) {
                        LOG.info("{}: {}", what, e.getMessage());
                    }
                }
            }
        } catch (Throwable e) {
            if (!closed) {
                failure = e;
                LOG.warn("{}: the driver's rendezvous failed: {}", label, e.toString());
            }
        } finally {
            for (Conn c : tasks) {
                closeQuietly(c);
            }
        }
    }

    static ByteBuffer encode(String[] addresses) {
        byte[][] b = new byte[addresses.length][];
        int size = 4;
        for (int i = 0; i < addresses.length; i++) {
            b[i] = addresses[i].getBytes(StandardCharsets.UTF_8);
            size += 4 + b[i].length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(addresses.length);
        for (byte[] x : b) {
            out.putInt(x.length).put(x);
        }
        return out.flip();
    }

    /** Task side: registers {@code myAddress} as task {@code rank} and returns every task's address. */
    static String[] exchange(String driver, byte[] secret, int rank, int workers, String myAddress,
                             AllReduceSettings s, BooleanSupplier killed, String label) throws IOException {
        return register(driver, secret, rank, workers, myAddress, s, killed, label, false).addresses();
    }

    /**
     * Registers as {@link #exchange} does; with {@code keep} (task 0 of a stage that hands over states) the
     * connection stays open and is returned for {@link #send}; the caller closes it.
     */
    static Registration register(String driver, byte[] secret, int rank, int workers, String myAddress,
                                 AllReduceSettings s, BooleanSupplier killed, String label, boolean keep)
            throws IOException {
        String what = label + ", task " + rank + " -> driver rendezvous at " + driver;
        long deadline = System.nanoTime() + s.connectTimeoutMillis() * 1_000_000L;
        int poll = s.pollMillis();
        int colon = driver.lastIndexOf(':');
        InetSocketAddress addr = new InetSocketAddress(driver.substring(0, colon),
                Integer.parseInt(driver.substring(colon + 1)));
        SocketChannel ch = SocketChannel.open();
        boolean kept = false;
        try (Selector sel = Selector.open()) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.configureBlocking(false);
            if (!ch.connect(addr)) {
                ch.register(sel, SelectionKey.OP_CONNECT);
                while (!ch.finishConnect()) {
                    Wire.checkAlive(killed, what);
                    if (System.nanoTime() - deadline > 0) {
                        throw new SocketTimeoutException(what + ": connect timed out");
                    }
                    sel.select(poll);
                    sel.selectedKeys().clear();
                }
            }
            boolean sealed = s.encrypt();
            Handshake.Nonces n = Handshake.answerHello(ch, secret, sealed, rank, DRIVER, deadline, killed, poll, what);
            Handshake.checkAck(ch, secret, sealed, n, rank, DRIVER, deadline, killed, poll, what);
            Conn c = new Conn(ch, sealed ? LinkCipher.client(secret, n.server(), n.client(), rank, DRIVER) : null,
                    "the driver's rendezvous at " + driver);
            byte[] mine = myAddress.getBytes(StandardCharsets.UTF_8);
            ByteBuffer reg = ByteBuffer.allocate(4 + mine.length).order(ByteOrder.LITTLE_ENDIAN);
            reg.putInt(mine.length).put(mine).flip();
            c.write(reg, deadline, killed, poll, what);
            // the reply comes when the last task has registered: wait up to the connect timeout for it
            ByteBuffer count = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            c.read(count, deadline, killed, poll, what + " (waiting for the other tasks)");
            int w = count.flip().getInt();
            if (w != workers) {
                throw new IOException(what + ": the driver sent " + w + " addresses for " + workers + " tasks");
            }
            String[] out = new String[w];
            ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < w; i++) {
                len.clear();
                c.read(len, deadline, killed, poll, what);
                int l = len.flip().getInt();
                if (l <= 0 || l > MAX_ADDRESS) {
                    throw new IOException(what + ": bad address length " + l);
                }
                ByteBuffer a = ByteBuffer.allocate(l);
                c.read(a, deadline, killed, poll, what);
                out[i] = new String(a.array(), StandardCharsets.UTF_8);
            }
            kept = keep;
            return new Registration(out, keep ? c : null);
        } catch (Wire.KilledException | SocketTimeoutException | LinkCipher.TamperedException
                 | Handshake.RefusedException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException(what + ": " + e.getMessage() + "; executors must reach the driver on its host ("
                    + "spark.driver.host), or set " + AllReduceSettings.RENDEZVOUS + "=allgather", e);
        } finally {
            if (!kept) {
                ch.close();
            }
        }
    }

    /** Task 0: hands {@code st} to the driver on the connection {@link #register} kept open. */
    static void send(Conn ch, RoundState st, AllReduceSettings s, BooleanSupplier killed, String label)
            throws IOException {
        long deadline = System.nanoTime() + s.connectTimeoutMillis() * 1_000_000L;
        ch.write(st.encode(), deadline, killed, s.pollMillis(), label + ", task 0 -> driver: the state after"
                + " round " + st.roundsDone());
    }

    /** The latest state task 0 handed over in this stage attempt, or null. */
    RoundState latest() {
        return latest;
    }

    /**
     * Waits up to {@code millis} for the serving thread to end (task 0's connection closed: its task ended, or was
     * killed), so a state already on its way is not lost; a stalled task's connection may stay open, hence the bound.
     */
    void awaitEnd(long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The serving thread's error, if it failed (for the driver's message). */
    Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing: {}", e.toString());
            }
        }
    }
}
