package org.sparktrain.driver.barrier;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback TCP proxy in front of one server socket (a task's all-reduce socket, the driver's rendezvous) that
 * records every byte it forwards, each connection's two directions apart, and can flip one byte of the
 * client-to-server stream of its first connection (tests: what an eavesdropper sees, what an altered frame does).
 * Its threads are daemons; {@link #close} closes every socket it opened and ends them. Public for the end-to-end
 * tests (module {@code tests}), which put one between two executors of a real cluster.
 */
public final class RecordingProxy implements Closeable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final long tamperAt;
    private final List<Socket> sockets = new ArrayList<>();
    private final List<ByteArrayOutputStream> streams = new ArrayList<>();
    private final Thread acceptor;
    private volatile boolean closed;
    private int connections;

    /**
     * Proxies {@code targetHostPort}; {@code tamperAt} ≥ 0 flips the bits of that byte (counted from 0) of the first
     * connection's client-to-server stream, −1 none.
     */
    RecordingProxy(String targetHostPort, long tamperAt) throws IOException {
        this(InetAddress.getLoopbackAddress(), 0, targetHostPort, tamperAt);
    }

    /** Listens on {@code listenHost:listenPort} and proxies {@code targetHostPort}, recording, altering nothing. */
    public RecordingProxy(String listenHost, int listenPort, String targetHostPort) throws IOException {
        this(InetAddress.getByName(listenHost), listenPort, targetHostPort, -1);
    }

    private RecordingProxy(InetAddress listen, int listenPort, String targetHostPort, long tamperAt)
            throws IOException {
        int colon = targetHostPort.lastIndexOf(':');
        target = new InetSocketAddress(targetHostPort.substring(0, colon),
                Integer.parseInt(targetHostPort.substring(colon + 1)));
        this.tamperAt = tamperAt;
        server = new ServerSocket(listenPort, 50, listen);
        acceptor = new Thread(this::acceptLoop, "recording-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** {@code host:port} to dial instead of the target. */
    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    private void acceptLoop() {
        try {
            while (!closed) {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(target, 5_000);
                boolean first;
                ByteArrayOutputStream up = new ByteArrayOutputStream();
                ByteArrayOutputStream down = new ByteArrayOutputStream();
                synchronized (this) {
                    sockets.add(client);
                    sockets.add(upstream);
                    streams.add(up);
                    streams.add(down);
                    first = connections++ == 0;
                }
                pump(client, upstream, up, first ? tamperAt : -1);
                pump(upstream, client, down, -1);
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void pump(Socket from, Socket to, ByteArrayOutputStream record, long flipAt) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            long pos = 0;
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (flipAt >= pos && flipAt < pos + n) {
                        buf[(int) (flipAt - pos)] ^= (byte) 0xFF;
                    }
                    synchronized (record) {
                        record.write(buf, 0, n);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                    pos += n;
                }
            } catch (IOException e) {
                // a side closed or reset: close the other
            } finally {
                try {
                    to.close();
                    from.close();
                } catch (IOException e) {
                    // closing
                }
            }
        }, "recording-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Every stream recorded so far (each connection's client-to-server, then server-to-client bytes). */
    public synchronized List<byte[]> captured() {
        List<byte[]> out = new ArrayList<>();
        for (ByteArrayOutputStream s : streams) {
            synchronized (s) {
                out.add(s.toByteArray());
            }
        }
        return out;
    }

    /** Connections proxied so far. */
    public synchronized int connections() {
        return connections;
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        synchronized (this) {
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing
                }
            }
        }
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
