package org.sparktrain.driver.barrier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The barrier stage's connections with {@link AllReduceSettings#encrypt()} on (docs/architecture.md, "The barrier
 * transport on the network"), no Spark: peers in threads of this JVM on 127.0.0.1, each accepting socket behind a
 * {@link RecordingProxy} that records what an eavesdropper on the wire would see.
 */
class EncryptedTransportTest {
    private static final AllReduceSettings PLAIN = RingAllReduceTest.LOCAL.withTimeouts(10_000, 10_000);
    private static final AllReduceSettings SEALED = PLAIN.withEncryption(true);
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<AllReduce> open = new ArrayList<>();
    private final List<RecordingProxy> proxies = new ArrayList<>();

    @AfterEach
    void tearDown() {
        open.forEach(AllReduce::close);
        proxies.forEach(RecordingProxy::close);
        pool.shutdownNow();
    }

    /** W peers; every task dials its partners through a proxy in front of each (task 1's may alter a byte). */
    private AllReduce[] throughProxies(AllReduceAlgorithm alg, int w, AllReduceSettings s, int n, long tamperAt,
                                       byte[] secret) throws Exception {
        AllReduce[] r = new AllReduce[w];
        String[] via = new String[w];
        for (int i = 0; i < w; i++) {
            r[i] = AllReduce.open(alg, i, w, s, () -> false, "test " + alg, MessageDelay.NONE);
            open.add(r[i]);
            RecordingProxy p = new RecordingProxy(r[i].address(), i == 1 ? tamperAt : -1);
            proxies.add(p);
            via[i] = p.address();
        }
        List<Future<?>> f = new ArrayList<>();
        for (AllReduce x : r) {
            f.add(pool.submit(() -> {
                x.connect(via, secret, n);
                return null;
            }));
        }
        for (Future<?> x : f) {
            x.get(30, TimeUnit.SECONDS);
        }
        return r;
    }

    private float[][] reduce(AllReduce[] r, float[][] inputs, int n) throws Exception {
        float[][] v = new float[inputs.length][];
        for (int i = 0; i < v.length; i++) {
            v[i] = inputs[i].clone();
        }
        for (Future<?> x : AllReduceAlgorithmsTest.reduceAll(pool, r, v, n)) {
            x.get(30, TimeUnit.SECONDS);
        }
        return v;
    }

    private List<byte[]> captured() {
        List<byte[]> all = new ArrayList<>();
        for (RecordingProxy p : proxies) {
            all.addAll(p.captured());
        }
        return all;
    }

    private void closeAll() {
        open.forEach(AllReduce::close);
        open.clear();
        proxies.forEach(RecordingProxy::close);
        proxies.clear();
    }

    static long bytes(List<byte[]> streams) {
        return streams.stream().mapToLong(x -> x.length).sum();
    }

    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    @ParameterizedTest
    @EnumSource(value = AllReduceAlgorithm.class, names = {"RING", "RHD"})
    void bytesOnTheSocketsHoldNoRunOfTheVectorsFloatsWhenEncrypted(AllReduceAlgorithm alg) throws Exception {
        int w = 3; // halving/doubling folds task 0's whole vector into task 1: every kind of message
        int n = 20_011; // messages of more than one frame
        float[][] inputs = RingAllReduceTest.vectors(w, n, 17);
        byte[] secret = Handshake.newSecret();

        float[][] plain = reduce(throughProxies(alg, w, PLAIN, n, -1, secret), inputs, n);
        List<byte[]> clear = captured();
        closeAll();
        float[][] sealed = reduce(throughProxies(alg, w, SEALED, n, -1, secret), inputs, n);
        List<byte[]> wire = captured();

        Set<WireSearch.Window> runs = WireSearch.runsOfFour(inputs[0], inputs[1], inputs[2], plain[0]);
        // the search finds the vectors in clear: it would find them if encryption let them through
        assertTrue(WireSearch.occurrences(clear, runs) > n / 4, "plain: " + WireSearch.occurrences(clear, runs) + " runs found");
        assertTrue(bytes(wire) > 2L * 4 * n, "the encrypted run carried the vectors' bytes: " + bytes(wire));
        assertEquals(0, WireSearch.occurrences(wire, runs), "encrypted: runs of the vectors' floats on the wire");
        for (int i = 0; i < w; i++) {
            assertArrayEquals(bits(plain[i]), bits(sealed[i]), "task " + i + ": the same bits with encryption");
        }
    }

    @ParameterizedTest
    @EnumSource(value = AllReduceAlgorithm.class, names = {"RING", "RHD"})
    void theSumIsBitIdenticalWithAndWithoutEncryption(AllReduceAlgorithm alg) throws Exception {
        for (int w : new int[] {2, 4, 5}) {
            int n = 70_001; // pieces of 16,384 floats: several frames per message, a short last one
            float[][] inputs = RingAllReduceTest.vectors(w, n, 100 + w);
            float[][][] out = new float[2][][];
            for (int e = 0; e < 2; e++) {
                AllReduceSettings s = (e == 0 ? PLAIN : SEALED).withAlgorithm(alg);
                AllReduce[] r = new AllReduce[w];
                for (int i = 0; i < w; i++) {
                    r[i] = AllReduce.open(alg, i, w, s, () -> false, "test", MessageDelay.NONE);
                    open.add(r[i]);
                }
                RingAllReduceTest.connectAll(pool, r, Handshake.newSecret(), n);
                out[e] = reduce(r, inputs, n);
                float[][] again = reduce(r, inputs, n); // a second round on the same links: the counters go on
                for (int i = 0; i < w; i++) {
                    assertArrayEquals(bits(out[e][i]), bits(again[i]), "round 2, task " + i);
                }
                closeAll();
            }
            for (int i = 0; i < w; i++) {
                assertArrayEquals(bits(out[0][i]), bits(out[1][i]), alg + ", W = " + w + ", task " + i);
                assertArrayEquals(bits(out[1][0]), bits(out[1][i]), "every task the same bits");
            }
        }
    }

    @Test
    void aPeerWithTheWrongKeyIsRefusedAndBothSidesFailNamingTheOther() throws Exception {
        AllReduceSettings s = SEALED.withTimeouts(3_000, 3_000);
        AllReduce[] r = new AllReduce[2];
        for (int i = 0; i < 2; i++) {
            r[i] = AllReduce.open(AllReduceAlgorithm.RING, i, 2, s, () -> false, "test stage", MessageDelay.NONE);
            open.add(r[i]);
        }
        String[] a = RingAllReduceTest.addresses(r);
        Future<?> f0 = pool.submit(() -> {
            r[0].connect(a, Handshake.newSecret(), 100);
            return null;
        });
        Future<?> f1 = pool.submit(() -> {
            r[1].connect(a, Handshake.newSecret(), 100); // another key
            return null;
        });
        // each fails within its 3 s connect timeout, not later: no hang
        ExecutionException e0 = assertThrows(ExecutionException.class, () -> f0.get(30, TimeUnit.SECONDS));
        ExecutionException e1 = assertThrows(ExecutionException.class, () -> f1.get(30, TimeUnit.SECONDS));
        String m0 = e0.getCause().getMessage();
        assertInstanceOf(IOException.class, e0.getCause());
        assertTrue(m0.contains("task 0 -> task 1 at " + a[1]) && m0.contains("refused"), m0);
        String m1 = e1.getCause().getMessage();
        assertInstanceOf(SocketTimeoutException.class, e1.getCause());
        assertTrue(m1.contains("refused 1 connection(s)") && m1.contains("the last from /127.0.0.1:")
                && m1.contains("did not present the stage's secret"), m1);
        assertEquals(1, r[1].refusedConnections());
    }

    @Test
    void anEncryptingAndAPlainPeerDoNotTalkAndSaySo() throws Exception {
        AllReduce r0 = AllReduce.open(AllReduceAlgorithm.RING, 0, 2, PLAIN.withTimeouts(3_000, 3_000), () -> false,
                "test stage", MessageDelay.NONE);
        AllReduce r1 = AllReduce.open(AllReduceAlgorithm.RING, 1, 2, SEALED.withTimeouts(3_000, 3_000), () -> false,
                "test stage", MessageDelay.NONE);
        open.add(r0);
        open.add(r1);
        String[] a = {r0.address(), r1.address()};
        byte[] secret = Handshake.newSecret();
        Future<?> f0 = pool.submit(() -> {
            r0.connect(a, secret, 100);
            return null;
        });
        Future<?> f1 = pool.submit(() -> {
            r1.connect(a, secret, 100);
            return null;
        });
        ExecutionException e0 = assertThrows(ExecutionException.class, () -> f0.get(30, TimeUnit.SECONDS));
        assertThrows(ExecutionException.class, () -> f1.get(30, TimeUnit.SECONDS));
        String m = e0.getCause().getMessage();
        assertTrue(m.contains("the server encrypts the barrier stage's traffic and this side does not")
                && m.contains(AllReduceSettings.ENCRYPT), m);
    }

    @Test
    void tamperedCiphertextOnTheRingClosesTheLinkNamingThePeer() throws Exception {
        int n = 4_000;
        // task 0 dials task 1 through task 1's proxy, which flips a byte inside task 0's first frame (after the
        // handshake's proof and the frame's length)
        long inFirstFrame = Handshake.PROOF_BYTES + LinkCipher.HEADER + 7;
        AllReduce[] r = throughProxies(AllReduceAlgorithm.RING, 2, SEALED, n, inFirstFrame, Handshake.newSecret());
        float[][] v = RingAllReduceTest.vectors(2, n, 3);
        List<Future<?>> f = AllReduceAlgorithmsTest.reduceAll(pool, r, v, n);
        ExecutionException e1 = assertThrows(ExecutionException.class, () -> f.get(1).get(30, TimeUnit.SECONDS));
        assertInstanceOf(LinkCipher.TamperedException.class, e1.getCause());
        String m = e1.getCause().getMessage();
        assertTrue(m.contains("task 1: a frame from task 0 (") && m.contains("failed authentication")
                && m.contains("the connection is closed"), m);
        // its peer sees the link closed at once, not after its 10 s timeout
        ExecutionException e0 = assertThrows(ExecutionException.class, () -> f.get(0).get(30, TimeUnit.SECONDS));
        assertTrue(e0.getCause().getMessage().contains("task 1 (") && e0.getCause().getMessage().contains("closed"),
                e0.getCause().getMessage());
    }

    @Test
    void aFrameOpensOnlyOnceWithTheKeyOfItsDirection() throws Exception {
        byte[] secret = Handshake.newSecret();
        byte[] ns = new byte[Handshake.NONCE_BYTES];
        byte[] nc = new byte[Handshake.NONCE_BYTES];
        ns[0] = 1;
        nc[0] = 2;
        LinkCipher client = LinkCipher.client(secret, ns, nc, 0, 1);
        LinkCipher server = LinkCipher.server(secret, ns, nc, 0, 1);
        byte[] msg = "the same plaintext, twice".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer f1 = seal(client, msg);
        ByteBuffer f2 = seal(client, msg);
        assertNotEquals(f1, f2, "a new nonce per frame: the same plaintext, other ciphertext");
        assertFalse(contains(f1.array(), msg), "no plaintext in the frame");
        assertArrayEquals(msg, open(server, f1.duplicate()));
        assertThrows(LinkCipher.TamperedException.class, () -> open(server, f1.duplicate()), "a replayed frame");
        assertArrayEquals(msg, open(LinkCipher.server(secret, ns, nc, 0, 1), f1.duplicate()), "a fresh receiver");
        assertThrows(LinkCipher.TamperedException.class, () -> open(LinkCipher.server(Handshake.newSecret(), ns, nc,
                0, 1), f1.duplicate()), "another stage's secret");
        assertThrows(LinkCipher.TamperedException.class, () -> open(LinkCipher.server(secret, nc, ns, 0, 1),
                f1.duplicate()), "another handshake's nonces");
        assertThrows(LinkCipher.TamperedException.class, () -> open(LinkCipher.server(secret, ns, nc, 2, 1),
                f1.duplicate()), "another pair of tasks");
        assertThrows(LinkCipher.TamperedException.class, () -> open(LinkCipher.client(secret, ns, nc, 0, 1),
                f1.duplicate()), "reflected back to its sender: the other direction's key");
        ByteBuffer back = seal(server, msg);
        assertArrayEquals(msg, open(client, back), "the other direction");
        ByteBuffer altered = f2.duplicate();
        altered.put(LinkCipher.HEADER + 3, (byte) (altered.get(LinkCipher.HEADER + 3) ^ 1));
        assertThrows(LinkCipher.TamperedException.class, () -> open(server, altered), "one bit flipped");
    }

    @Test
    void theBenchesWarmUpSealsAndOpensWholeFrames() {
        assertEquals(16, LinkCipher.warmUp(1 << 20), "1 MiB in frames of 64 KiB");
        assertEquals(1, LinkCipher.warmUp(1), "at least one frame");
    }

    private static ByteBuffer seal(LinkCipher c, byte[] msg) {
        ByteBuffer out = ByteBuffer.allocate(LinkCipher.HEADER + msg.length + LinkCipher.TAG);
        c.seal(ByteBuffer.wrap(msg), out);
        assertFalse(out.hasRemaining());
        return out.flip();
    }

    private static byte[] open(LinkCipher c, ByteBuffer frame) throws LinkCipher.TamperedException {
        int n = frame.order(ByteOrder.LITTLE_ENDIAN).getInt();
        ByteBuffer out = ByteBuffer.allocate(n);
        c.open(n, frame, out, "test");
        return out.array();
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** What the driver's rendezvous and task 0's state hand-over put on the wire, and what the driver got. */
    private record HandoverRun(List<byte[]> wire, List<RoundState> got, String[] addresses, RoundState latest) {
    }

    private HandoverRun handover(AllReduceSettings s, float[] state, long tamperAt) throws Exception {
        byte[] secret = Handshake.newSecret();
        List<RoundState> got = new CopyOnWriteArrayList<>();
        Rendezvous.StateSink sink = new Rendezvous.StateSink() {
            @Override
            public int stateLength() {
                return state.length;
            }

            @Override
            public int rounds() {
                return 10;
            }

            @Override
            public void accept(RoundState st) {
                got.add(st);
            }
        };
        try (Rendezvous rv = new Rendezvous("127.0.0.1", "127.0.0.1", s, 2, secret, "test stage", sink);
             RecordingProxy proxy = new RecordingProxy(rv.address(), tamperAt)) {
            Future<String[]> zero = pool.submit(() -> {
                Rendezvous.Registration reg = Rendezvous.register(proxy.address(), secret, 0, 2, "h0.example:4711", s,
                        () -> false, "test stage", true);
                try (Conn ch = reg.states()) {
                    Rendezvous.send(ch, new RoundState(4, 8, 40, state, new double[] {1, 2, 3, 4},
                            new double[] {8, 8, 8, 8}), s, () -> false, "test stage");
                }
                return reg.addresses();
            });
            // task 0's connection is the proxy's first (the one a tampering proxy alters)
            long until = System.nanoTime() + 20_000_000_000L;
            while (proxy.connections() == 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            Future<String[]> one = pool.submit(() -> Rendezvous.exchange(proxy.address(), secret, 1, 2,
                    "h1.example:4712", s, () -> false, "test stage"));
            assertArrayEquals(one.get(30, TimeUnit.SECONDS), zero.get(30, TimeUnit.SECONDS));
            rv.awaitEnd(20_000); // task 0 closed its connection: the driver has read all it will
            assertNull(rv.failure());
            return new HandoverRun(proxy.captured(), got, one.get(), rv.latest());
        }
    }

    @Test
    void theRendezvousAndTheStateHandoverAreEncrypted() throws Exception {
        // 1.2 MB: the state travels in two frames (at most 1 MiB each)
        float[] state = RingAllReduceTest.vectors(1, 300_000, 5)[0];
        Set<WireSearch.Window> runs = WireSearch.runsOfFour(state);
        byte[] address = "h0.example:4711".getBytes(StandardCharsets.UTF_8);

        HandoverRun plain = handover(PLAIN, state, -1);
        assertTrue(WireSearch.occurrences(plain.wire(), runs) > 100_000, "the search finds the state in clear");
        assertTrue(plain.wire().stream().anyMatch(x -> contains(x, address)), "and the address");

        HandoverRun sealed = handover(SEALED, state, -1);
        assertArrayEquals(new String[] {"h0.example:4711", "h1.example:4712"}, sealed.addresses());
        assertEquals(1, sealed.got().size());
        assertArrayEquals(bits(state), bits(sealed.got().get(0).state()), "the state arrives bit for bit");
        assertTrue(bytes(sealed.wire()) > 4L * state.length, "the state crossed the wire");
        assertEquals(0, WireSearch.occurrences(sealed.wire(), runs), "runs of the state's floats on the wire");
        assertFalse(sealed.wire().stream().anyMatch(x -> contains(x, address)), "the address on the wire");
    }

    @Test
    void theEncryptedRendezvousRefusesAWrongKeyAndServesTheTasks() throws Exception {
        byte[] secret = Handshake.newSecret();
        AllReduceSettings s = SEALED.withTimeouts(3_000, 3_000);
        try (Rendezvous rv = new Rendezvous("127.0.0.1", "127.0.0.1", s, 2, secret, "test stage")) {
            Future<String[]> stranger = pool.submit(() -> Rendezvous.exchange(rv.address(), Handshake.newSecret(), 0, 2,
                    "6.6.6.6:666", s, () -> false, "stranger"));
            ExecutionException e = assertThrows(ExecutionException.class, () -> stranger.get(30, TimeUnit.SECONDS));
            String m = e.getCause().getMessage();
            assertTrue(m.contains("stranger, task 0 -> driver rendezvous at " + rv.address()) && m.contains("refused"),
                    m);
            assertFalse(m.contains("executors must reach the driver"), "a refusal is not a network problem: " + m);
            List<Future<String[]>> f = new ArrayList<>();
            for (int i = 1; i >= 0; i--) {
                int rank = i;
                f.add(pool.submit(() -> Rendezvous.exchange(rv.address(), secret, rank, 2, "h" + rank + ":1" + rank, s,
                        () -> false, "test stage")));
            }
            for (Future<String[]> x : f) {
                assertArrayEquals(new String[] {"h0:10", "h1:11"}, x.get(30, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void aTamperedStateIsNotBelieved() throws Exception {
        float[] state = RingAllReduceTest.vectors(1, 3_000, 6)[0];
        // task 0's stream: the proof, the registration's frame (int32 length and the address: 19 bytes), then the
        // state's frame; flip a byte inside the state's ciphertext
        long inStateFrame = Handshake.PROOF_BYTES + (LinkCipher.HEADER + 19 + LinkCipher.TAG) + LinkCipher.HEADER + 100;
        HandoverRun run = handover(SEALED, state, inStateFrame);
        assertArrayEquals(new String[] {"h0.example:4711", "h1.example:4712"}, run.addresses(),
                "the address swap before it went through");
        assertTrue(run.got().isEmpty(), "an altered state reached the driver: " + run.got());
        assertNull(run.latest());
    }

    @Test
    void encryptionFollowsSparksUnlessForced() {
        assertFalse(AllReduceSettings.fromConf(new SparkConf(false)).encrypt(), "off by default, as Spark's");
        for (String k : new String[] {"spark.network.crypto.enabled", "spark.ssl.enabled", "spark.ssl.rpc.enabled"}) {
            assertTrue(AllReduceSettings.fromConf(new SparkConf(false).set(k, "true")).encrypt(), k);
            assertFalse(AllReduceSettings.fromConf(new SparkConf(false).set(k, "true")
                    .set(AllReduceSettings.ENCRYPT, "false")).encrypt(), k + ", forced off");
        }
        assertTrue(AllReduceSettings.fromConf(new SparkConf(false).set(AllReduceSettings.ENCRYPT, " TRUE"))
                .encrypt(), "forced on");
        assertTrue(AllReduceSettings.encryptionReason(new SparkConf(false).set("spark.network.crypto.enabled",
                "true")).startsWith("spark.network.crypto.enabled=true"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AllReduceSettings.fromConf(
                new SparkConf(false).set(AllReduceSettings.ENCRYPT, "yes")));
        assertEquals(AllReduceSettings.ENCRYPT + " must be auto, true or false, got 'yes'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AllReduceSettings.fromConf(
                new SparkConf(false).set("spark.network.crypto.enabled", "on")));
        assertTrue(e.getMessage().startsWith("spark.network.crypto.enabled must be true or false, got 'on'"),
                e.getMessage());
    }
}
