package org.sparktrain.driver.barrier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The transport alone, no Spark: W rings in threads of this JVM on 127.0.0.1. */
class RingAllReduceTest {
    static final AllReduceSettings LOCAL = AllReduceSettings.defaults().withHost("127.0.0.1");
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<RingAllReduce> open = new ArrayList<>();

    @AfterEach
    void tearDown() {
        open.forEach(RingAllReduce::close);
        pool.shutdownNow();
    }

    private RingAllReduce[] ring(int w, AllReduceSettings s, AtomicBoolean killed) throws IOException {
        RingAllReduce[] r = new RingAllReduce[w];
        for (int i = 0; i < w; i++) {
            r[i] = RingAllReduce.open(i, w, s, killed::get, "test ring");
            open.add(r[i]);
        }
        return r;
    }

    static String[] addresses(AllReduce[] r) {
        String[] a = new String[r.length];
        for (int i = 0; i < r.length; i++) {
            a[i] = r[i].address();
        }
        return a;
    }

    private void connectAll(RingAllReduce[] r, byte[] secret, int n) throws Exception {
        connectAll(pool, r, secret, n);
    }

    /** Connects W peers, each in a thread of {@code pool}, as the tasks of a stage do at once. */
    static void connectAll(ExecutorService pool, AllReduce[] r, byte[] secret, int n) throws Exception {
        String[] a = addresses(r);
        List<Future<?>> f = new ArrayList<>();
        for (AllReduce x : r) {
            f.add(pool.submit(() -> {
                x.connect(a, secret, n);
                return null;
            }));
        }
        for (Future<?> x : f) {
            x.get(20, TimeUnit.SECONDS);
        }
    }

    static float[][] vectors(int w, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] v = new float[w][n];
        for (float[] x : v) {
            for (int i = 0; i < n; i++) {
                x[i] = (float) (rnd.nextDouble() * 2 - 1) * (float) Math.pow(10, rnd.nextInt(5) - 2);
            }
        }
        return v;
    }

    private void reduceAll(RingAllReduce[] r, float[][] v, int n) throws Exception {
        for (Future<?> x : AllReduceAlgorithmsTest.reduceAll(pool, r, v, n)) {
            x.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void sumsAndLeavesEveryTaskWithTheSameBits() throws Exception {
        for (int w : new int[] {2, 3, 4}) {
            int n = 100_003; // chunks of unequal length, larger than a socket buffer
            RingAllReduce[] r = ring(w, LOCAL, new AtomicBoolean());
            connectAll(r, Handshake.newSecret(), n);
            for (int round = 0; round < 3; round++) {
                float[][] v = vectors(w, n, 31L * w + round);
                float[][] orig = new float[w][];
                for (int i = 0; i < w; i++) {
                    orig[i] = v[i].clone();
                }
                reduceAll(r, v, n - round); // a shorter vector than sized for is fine
                for (int i = 1; i < w; i++) {
                    assertArrayEquals(java.util.Arrays.copyOf(v[0], n - round),
                            java.util.Arrays.copyOf(v[i], n - round), "task " + i + " of " + w + " differs from task 0");
                }
                for (int j = 0; j < n - round; j++) {
                    double s = 0;
                    double mag = 0;
                    for (float[] o : orig) {
                        s += o[j];
                        mag += Math.abs(o[j]);
                    }
                    if (w == 2) {
                        assertEquals((float) s, v[0][j], 0f, "two floats: the float sum is the double sum rounded");
                    } else {
                        assertEquals(s, v[0][j], 1.2e-7 * w * mag, "element " + j); // float rounding per addition
                    }
                }
                for (int i = 0; i < w; i++) {
                    for (int j = n - round; j < n; j++) {
                        assertEquals(orig[i][j], v[i][j], 0f, "beyond n nothing changes");
                    }
                }
            }
        }
    }

    @Test
    void aConnectionWithoutTheSecretIsRefusedAndNothingIsReadFromIt() throws Exception {
        byte[] secret = Handshake.newSecret();
        RingAllReduce[] r = ring(2, LOCAL, new AtomicBoolean());
        String[] a = addresses(r);
        int port = Integer.parseInt(a[1].substring(a[1].lastIndexOf(':') + 1));
        // A stranger connects first, answers the challenge with a wrong secret and sends "data".
        Socket rogue = new Socket();
        rogue.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        rogue.setSoTimeout(10_000);
        Future<Integer> stranger = pool.submit(() -> {
            InputStream in = rogue.getInputStream();
            byte[] hello = in.readNBytes(Handshake.HELLO_BYTES);
            byte[] ns = java.util.Arrays.copyOfRange(hello, 5, 5 + Handshake.NONCE_BYTES);
            byte[] nc = new byte[Handshake.NONCE_BYTES];
            ByteBuffer proof = ByteBuffer.allocate(Handshake.PROOF_BYTES + 4000).order(ByteOrder.LITTLE_ENDIAN);
            proof.put(new byte[] {'S', 'T', 'R', 'P'}).putInt(0).putInt(1).put(nc)
                    .put(Handshake.mac(Handshake.newSecret(), "proof", ns, nc, 0, 1));
            while (proof.hasRemaining()) {
                proof.putFloat(1e9f);
            }
            OutputStream out = rogue.getOutputStream();
            out.write(proof.array());
            out.flush();
            try {
                return in.read(); // -1: closed on us
            } catch (java.net.SocketException reset) {
                return -1; // closed with our unread "data" in its buffer: a reset, also a refusal
            }
        });
        Thread.sleep(100);
        connectAll(r, secret, 1000);
        assertEquals(-1, stranger.get(10, TimeUnit.SECONDS), "the stranger's connection is closed");
        assertEquals(1, r[1].refusedConnections());
        float[][] v = {new float[1000], new float[1000]};
        java.util.Arrays.fill(v[0], 1f);
        java.util.Arrays.fill(v[1], 2f);
        reduceAll(r, v, 1000);
        for (float[] x : v) {
            for (float f : x) {
                assertEquals(3f, f, 0f, "the stranger's floats must not be read");
            }
        }
        rogue.close();
    }

    @Test
    void aSilentPeerIsATimeoutAfterTheConfiguredWait() throws Exception {
        RingAllReduce[] r = ring(2, LOCAL.withTimeouts(5_000, 600), new AtomicBoolean());
        connectAll(r, Handshake.newSecret(), 10_000);
        long t0 = System.nanoTime();
        // task 1 never takes part in the all-reduce
        IOException e = assertThrows(IOException.class, () -> r[0].allReduce(new float[10_000], 10_000));
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(e instanceof SocketTimeoutException, e.toString());
        assertTrue(e.getMessage().contains("no data from task 1 (") && e.getMessage().contains(" for 600 ms"),
                e.getMessage());
        // it waited the configured 600 ms (not less); how promptly it gives up after that is not a test's to time
        assertTrue(secs >= 0.6, "gave up after " + secs + " s");
    }

    @Test
    void aPeerThatClosesIsAnErrorAtOnce() throws Exception {
        RingAllReduce[] r = ring(3, LOCAL, new AtomicBoolean());
        connectAll(r, Handshake.newSecret(), 100);
        r[2].close();
        // task 0 receives from task 2: it sees the closed connection
        // not a timeout (300 s here) but the closed connection, named as such
        IOException e = assertThrows(IOException.class, () -> r[0].allReduce(new float[100], 100));
        assertTrue(e.getMessage().contains("closed its connection"), e.getMessage());
    }

    @Test
    void aWrongSecretOnOneSideFailsTheSetUp() throws Exception {
        RingAllReduce[] r = ring(2, LOCAL.withTimeouts(3_000, 1_000), new AtomicBoolean());
        String[] a = addresses(r);
        Future<?> f0 = pool.submit(() -> {
            r[0].connect(a, Handshake.newSecret(), 10);
            return null;
        });
        Future<?> f1 = pool.submit(() -> {
            r[1].connect(a, Handshake.newSecret(), 10);
            return null;
        });
        Exception e0 = assertThrows(Exception.class, () -> f0.get(20, TimeUnit.SECONDS));
        Exception e1 = assertThrows(Exception.class, () -> f1.get(20, TimeUnit.SECONDS));
        assertTrue(e0.getCause() instanceof IOException, e0.toString());
        assertTrue(e1.getCause() instanceof IOException, e1.toString());
    }

    @Test
    void theDriverRendezvousSwapsAddressesAndRefusesStrangers() throws Exception {
        byte[] secret = Handshake.newSecret();
        try (Rendezvous rv = new Rendezvous("127.0.0.1", "127.0.0.1", LOCAL, 2, secret, "test stage")) {
            // a stranger with the wrong secret, first in line
            Future<String[]> stranger = pool.submit(() -> Rendezvous.exchange(rv.address(), Handshake.newSecret(), 0, 2,
                    "6.6.6.6:666", LOCAL.withTimeouts(3_000, 1_000), () -> false, "stranger"));
            Exception e = assertThrows(Exception.class, () -> stranger.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof IOException, e.toString());
            List<Future<String[]>> f = new ArrayList<>();
            for (int i = 1; i >= 0; i--) {
                int rank = i;
                f.add(pool.submit(() -> Rendezvous.exchange(rv.address(), secret, rank, 2, "h" + rank + ":1" + rank,
                        LOCAL, () -> false, "test stage")));
            }
            for (Future<String[]> x : f) {
                assertArrayEquals(new String[] {"h0:10", "h1:11"}, x.get(10, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void portRanges() {
        assertArrayEquals(new int[] {0, 0}, AllReduceSettings.parsePorts("0"));
        assertArrayEquals(new int[] {40000, 40100}, AllReduceSettings.parsePorts(" 40000-40100 "));
        assertThrows(IllegalArgumentException.class, () -> AllReduceSettings.parsePorts("forty"));
        assertThrows(IllegalArgumentException.class,
                () -> new AllReduceSettings(null, null, 5, 4, 1, 1, 1, 1, true));
    }
}
