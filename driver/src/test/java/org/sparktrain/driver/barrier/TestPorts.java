package org.sparktrain.driver.barrier;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Ports for tests of the port settings: free ones, and holding one so that nothing else can bind it. Public for the
 * end-to-end tests (module {@code tests}).
 */
public final class TestPorts {
    private TestPorts() {
    }

    /** A port P such that P and P + 1 were both free just now. */
    public static int twoFree() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p;
            try (ServerSocket a = new ServerSocket()) {
                a.setReuseAddress(true);
                a.bind(new InetSocketAddress(0));
                p = a.getLocalPort();
                if (p >= 65535) {
                    continue;
                }
                try (ServerSocket b = hold(p + 1)) {
                    return p;
                } catch (IOException busy) {
                    // try another
                }
            }
        }
        throw new IOException("no two consecutive free ports found");
    }

    /** Listens on {@code port} on every interface (so no one can bind it on any address) until closed. */
    public static ServerSocket hold(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(port));
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }
}
