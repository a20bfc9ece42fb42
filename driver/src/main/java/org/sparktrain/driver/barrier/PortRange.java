package org.sparktrain.driver.barrier;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

/**
 * The ports a server socket of the barrier transport may bind, as a setting gives them ({@code key}): {@code 0} for
 * an ephemeral port, {@code P}, or {@code LO-HI} for a range a firewall opens (docs/architecture.md, "The barrier
 * transport on the network"). {@link AllReduceSettings#PORTS} for the tasks' all-reduce sockets,
 * {@link AllReduceSettings#RENDEZVOUS_PORTS} for the driver's rendezvous.
 */
record PortRange(String key, int low, int high) {

    /** No port in the range was free: the message names the setting and the range. */
    static final class NoFreePortException extends IOException {
        private static final long serialVersionUID = 1L;

        NoFreePortException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    PortRange {
        if (low < 0 || high > 65535 || low > high || (low == 0 && high != 0)) {
            throw new IllegalArgumentException(key + ": bad port range " + low + "-" + high
                    + "; give 0 (ephemeral), a port, or LO-HI with 1 <= LO <= HI <= 65535");
        }
    }

    /** {@code "0"}, {@code "40000"} or {@code "40000-40100"} as the value of {@code key}. */
    static PortRange parse(String key, String value) {
        String t = value.trim();
        try {
            int dash = t.indexOf('-');
            if (dash < 0) {
                int p = Integer.parseInt(t);
                return new PortRange(key, p, p);
            }
            return new PortRange(key, Integer.parseInt(t.substring(0, dash).trim()),
                    Integer.parseInt(t.substring(dash + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be 0, a port or LO-HI (e.g. 40000-40100), got '" + value
                    + "'");
        }
    }

    /**
     * A server socket bound on {@code host} to the first free port of the range, trying {@code low + first} first
     * and then the next ones round the range (an ephemeral port for {@code 0}); {@code what} names the socket in the
     * error when every port is taken.
     */
    ServerSocketChannel bind(String host, int first, int backlog, String what) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            int span = high - low + 1;
            BindException last = null;
            for (int i = 0; i < span; i++) {
                int port = low == 0 ? 0 : low + Math.floorMod(first + i, span);
                try {
                    ch.bind(new InetSocketAddress(host, port), backlog);
                    return ch;
                } catch (BindException e) {
                    last = e;
                }
            }
            throw new NoFreePortException(what + ": no free port in " + key + "=" + low + "-" + high + " on " + host
                    + " (" + last.getMessage() + "); widen the range", last);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }
}
