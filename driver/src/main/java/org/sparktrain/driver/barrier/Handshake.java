package org.sparktrain.driver.barrier;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mutual authentication of one all-reduce connection with the stage's secret: a challenge-response with
 * HMAC-SHA256, so the secret never travels and a recorded handshake cannot be replayed. The direct
 * channel between a barrier stage's tasks is outside {@code spark.authenticate}; this is what keeps a
 * stranger from feeding floats into the training. With {@link AllReduceSettings#encrypt()} the connection is
 * then encrypted ({@link LinkCipher}: AES-GCM, keys derived from the secret and this handshake's nonces).
 *
 * <p>The secret is {@link #SECRET_BYTES} random bytes drawn on the driver for every stage attempt and
 * shipped in the task closure. Task {@code from} connects to its partner {@code to} (of a pair of tasks the
 * lower rank dials, {@link PeerLinks}; a task dials the driver's {@link Rendezvous} as {@code to} = −1); then,
 * byte by byte (integers little-endian):
 * <ol>
 * <li>server → client, {@value #HELLO_BYTES} bytes: magic {@code "STRH"}, the mode ({@code 1}: plain floats
 *     follow, {@code 2}: AES-GCM frames follow), 16-byte server nonce {@code Ns};</li>
 * <li>client → server, {@value #PROOF_BYTES} bytes: magic {@code "STRP"}, int32 {@code from}, int32
 *     {@code to}, 16-byte client nonce {@code Nc}, {@code HMAC(secret, "proof" | Ns | Nc | from | to)}, where
 *     the label is {@code "proof+aes-gcm"} in mode 2 (a client refuses a server of the other mode with a message
 *     saying so; a server refuses a client of the other mode as it refuses a wrong secret, so neither side can be
 *     talked into the plain mode);</li>
 * <li>the server checks magic, {@code from} = a partner not yet connected, {@code to} = itself and the MAC (compared
 *     in constant time); on any mismatch it closes the connection, logs the remote address, reads
 *     nothing more from it and waits for another connection. Otherwise server → client, 32 bytes:
 *     {@code HMAC(secret, "ack" | Nc | Ns | from | to)} ({@code "ack+aes-gcm"} in mode 2);</li>
 * <li>the client checks the acknowledgement (a server without the secret is not its peer: the stage
 *     fails with a message saying so).</li>
 * </ol>
 * After that the connection carries, between {@code from} and {@code to}, both ways, raw little-endian floats
 * (mode 1) or {@link LinkCipher}'s frames (mode 2).
 */
final class Handshake {
    static final int SECRET_BYTES = 32;
    static final int NONCE_BYTES = 16;
    static final int MAC_BYTES = 32;
    static final int HELLO_BYTES = 4 + 1 + NONCE_BYTES;
    static final int PROOF_BYTES = 4 + 4 + 4 + NONCE_BYTES + MAC_BYTES;
    private static final byte[] HELLO_MAGIC = {'S', 'T', 'R', 'H'};
    private static final byte[] PROOF_MAGIC = {'S', 'T', 'R', 'P'};
    /** The hello's mode byte: plain floats follow. */
    private static final byte PLAIN = 1;
    /** The hello's mode byte: AES-GCM frames follow. */
    private static final byte SEALED = 2;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Handshake() {
    }

    /** A fresh stage secret (driver side). */
    static byte[] newSecret() {
        byte[] s = new byte[SECRET_BYTES];
        RANDOM.nextBytes(s);
        return s;
    }

    /**
     * Server, step 1: sends the challenge (announcing the {@code sealed} mode or not); returns the server nonce to
     * verify the proof against.
     */
    static byte[] sendHello(SocketChannel ch, boolean sealed, long deadline, BooleanSupplier killed, int poll,
                            String what) throws IOException {
        byte[] ns = new byte[NONCE_BYTES];
        RANDOM.nextBytes(ns);
        ByteBuffer b = ByteBuffer.allocate(HELLO_BYTES);
        b.put(HELLO_MAGIC).put(sealed ? SEALED : PLAIN).put(ns).flip();
        Wire.writeFully(ch, b, deadline, killed, poll, what);
        return ns;
    }

    /** The peer refused this side's proof (it holds another key), or failed before acknowledging it. */
    static final class RefusedException extends IOException {
        RefusedException(String what, Throwable cause) {
            super(what, cause);
        }
    }

    /** What a client remembers between answering the challenge and checking the acknowledgement. */
    record Nonces(byte[] server, byte[] client) {
    }

    /** Client, steps 1-2: reads the challenge and answers it, in the {@code sealed} mode or not. */
    static Nonces answerHello(SocketChannel ch, byte[] secret, boolean sealed, int from, int to, long deadline,
                              BooleanSupplier killed, int poll, String what) throws IOException {
        ByteBuffer hello = ByteBuffer.allocate(HELLO_BYTES);
        Wire.readFully(ch, hello, deadline, killed, poll, what);
        hello.flip();
        byte[] magic = new byte[4];
        hello.get(magic);
        byte mode = hello.get();
        if (!MessageDigest.isEqual(magic, HELLO_MAGIC) || mode != PLAIN && mode != SEALED) {
            throw new IOException(what + ": the server is not a sparktrain all-reduce peer of this version");
        }
        if (mode != (sealed ? SEALED : PLAIN)) {
            throw new IOException(what + ": the server " + (mode == SEALED ? "encrypts" : "does not encrypt")
                    + " the barrier stage's traffic and this side " + (sealed ? "does" : "does not") + "; every task "
                    + "and the driver must run with the same " + AllReduceSettings.ENCRYPT + " (and Spark "
                    + "encryption settings)");
        }
        byte[] ns = new byte[NONCE_BYTES];
        hello.get(ns);
        byte[] nc = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nc);
        ByteBuffer proof = ByteBuffer.allocate(PROOF_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        proof.put(PROOF_MAGIC).putInt(from).putInt(to).put(nc)
                .put(mac(secret, label("proof", sealed), ns, nc, from, to)).flip();
        Wire.writeFully(ch, proof, deadline, killed, poll, what);
        return new Nonces(ns, nc);
    }

    /**
     * Server, steps 2-3: reads exactly {@value #PROOF_BYTES} bytes and checks them (in the {@code sealed} mode or
     * not). Returns null when the peer proved the secret and is a sender {@code expected} accepts ({@code whom}
     * describes them in the refusal), storing it in {@code fromOut[0]} and its nonce in {@code clientNonceOut}
     * (the acknowledgement is then sent), or the reason for refusing it (the caller closes the connection); never
     * reads past the proof.
     */
    static String verifyProof(SocketChannel ch, byte[] secret, boolean sealed, byte[] ns, IntPredicate expected,
                              String whom, int self, int[] fromOut, byte[] clientNonceOut, long deadline,
                              BooleanSupplier killed, int poll, String what) throws IOException {
        ByteBuffer proof = ByteBuffer.allocate(PROOF_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try {
            Wire.readFully(ch, proof, deadline, killed, poll, what);
        } catch (Wire.KilledException e) {
            throw e;
        } catch (IOException e) {
            return "no complete proof (" + e.getMessage() + ")";
        }
        proof.flip();
        byte[] magic = new byte[4];
        proof.get(magic);
        int from = proof.getInt();
        int to = proof.getInt();
        byte[] nc = new byte[NONCE_BYTES];
        proof.get(nc);
        byte[] got = new byte[MAC_BYTES];
        proof.get(got);
        boolean ok = MessageDigest.isEqual(got, mac(secret, label("proof", sealed), ns, nc, from, to));
        if (!MessageDigest.isEqual(magic, PROOF_MAGIC) || !ok) {
            return "it did not present the stage's secret" + (sealed ? " (or does not encrypt)" : "");
        }
        if (!expected.test(from) || to != self) {
            return "it claims to be task " + from + " connecting to " + to + ", expected " + whom + " connecting to "
                    + self;
        }
        fromOut[0] = from;
        System.arraycopy(nc, 0, clientNonceOut, 0, NONCE_BYTES);
        ByteBuffer ack = ByteBuffer.wrap(mac(secret, label("ack", sealed), nc, ns, from, to));
        Wire.writeFully(ch, ack, deadline, killed, poll, what);
        return null;
    }

    /** Client, step 4: checks the server's acknowledgement. */
    static void checkAck(SocketChannel ch, byte[] secret, boolean sealed, Nonces n, int from, int to, long deadline,
                         BooleanSupplier killed, int poll, String what) throws IOException {
        ByteBuffer ack = ByteBuffer.allocate(MAC_BYTES);
        try {
            Wire.readFully(ch, ack, deadline, killed, poll, what);
        } catch (Wire.KilledException e) {
            throw e;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("closed by the other side")) {
                throw new RefusedException(what + ": the peer closed the connection instead of acknowledging this "
                        + "side's proof: it refused it (it holds another key: the secret of another stage or attempt) "
                        + "or it failed; see its log", e);
            }
            throw e;
        }
        if (!MessageDigest.isEqual(ack.array(), mac(secret, label("ack", sealed), n.client(), n.server(), from, to))) {
            throw new IOException(what + ": the server did not prove the stage's secret; another process may hold "
                    + "its port");
        }
    }

    private static String label(String step, boolean sealed) {
        return sealed ? step + "+aes-gcm" : step;
    }

    static byte[] mac(byte[] secret, String label, byte[] n1, byte[] n2, int from, int to) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(secret, "HmacSHA256"));
            m.update(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            m.update(n1);
            m.update(n2);
            m.update(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(from).putInt(to).array());
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
