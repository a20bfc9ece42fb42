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
 * stranger from feeding floats into the training. (It does not encrypt: use a trusted network, or a
 * tunnel, where the parameters themselves are secret.)
 *
 * <p>The secret is {@link #SECRET_BYTES} random bytes drawn on the driver for every stage attempt and
 * shipped in the task closure. Task {@code from} connects to its partner {@code to} (of a pair of tasks the
 * lower rank dials, {@link PeerLinks}; a task dials the driver's {@link Rendezvous} as {@code to} = −1); then,
 * byte by byte (integers little-endian):
 * <ol>
 * <li>server → client, {@value #HELLO_BYTES} bytes: magic {@code "STRH"}, version {@code 1}, 16-byte
 *     server nonce {@code Ns};</li>
 * <li>client → server, {@value #PROOF_BYTES} bytes: magic {@code "STRP"}, int32 {@code from}, int32
 *     {@code to}, 16-byte client nonce {@code Nc}, {@code HMAC(secret, "proof" | Ns | Nc | from | to)};</li>
 * <li>the server checks magic, {@code from} = a partner not yet connected, {@code to} = itself and the MAC (compared
 *     in constant time); on any mismatch it closes the connection, logs the remote address, reads
 *     nothing more from it and waits for another connection. Otherwise server → client, 32 bytes:
 *     {@code HMAC(secret, "ack" | Nc | Ns | from | to)};</li>
 * <li>the client checks the acknowledgement (a server without the secret is not its peer: the stage
 *     fails with a message saying so).</li>
 * </ol>
 * After that the connection carries raw little-endian floats between {@code from} and {@code to}, both ways.
 */
final class Handshake {
    static final int SECRET_BYTES = 32;
    static final int NONCE_BYTES = 16;
    static final int MAC_BYTES = 32;
    static final int HELLO_BYTES = 4 + 1 + NONCE_BYTES;
    static final int PROOF_BYTES = 4 + 4 + 4 + NONCE_BYTES + MAC_BYTES;
    private static final byte[] HELLO_MAGIC = {'S', 'T', 'R', 'H'};
    private static final byte[] PROOF_MAGIC = {'S', 'T', 'R', 'P'};
    private static final byte VERSION = 1;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Handshake() {
    }

    /** A fresh stage secret (driver side). */
    static byte[] newSecret() {
        byte[] s = new byte[SECRET_BYTES];
        RANDOM.nextBytes(s);
        return s;
    }

    /** Server, step 1: sends the challenge; returns the server nonce to verify the proof against. */
    static byte[] sendHello(SocketChannel ch, long deadline, BooleanSupplier killed, int poll, String what)
            throws IOException {
        byte[] ns = new byte[NONCE_BYTES];
        RANDOM.nextBytes(ns);
        ByteBuffer b = ByteBuffer.allocate(HELLO_BYTES);
        b.put(HELLO_MAGIC).put(VERSION).put(ns).flip();
        Wire.writeFully(ch, b, deadline, killed, poll, what);
        return ns;
    }

    /** What a client remembers between answering the challenge and checking the acknowledgement. */
    record Nonces(byte[] server, byte[] client) {
    }

    /** Client, steps 1-2: reads the challenge and answers it. */
    static Nonces answerHello(SocketChannel ch, byte[] secret, int from, int to, long deadline, BooleanSupplier killed,
                              int poll, String what) throws IOException {
        ByteBuffer hello = ByteBuffer.allocate(HELLO_BYTES);
        Wire.readFully(ch, hello, deadline, killed, poll, what);
        hello.flip();
        byte[] magic = new byte[4];
        hello.get(magic);
        byte version = hello.get();
        if (!MessageDigest.isEqual(magic, HELLO_MAGIC) || version != VERSION) {
            throw new IOException(what + ": the server is not a sparktrain all-reduce peer of this version");
        }
        byte[] ns = new byte[NONCE_BYTES];
        hello.get(ns);
        byte[] nc = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nc);
        ByteBuffer proof = ByteBuffer.allocate(PROOF_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        proof.put(PROOF_MAGIC).putInt(from).putInt(to).put(nc).put(mac(secret, "proof", ns, nc, from, to)).flip();
        Wire.writeFully(ch, proof, deadline, killed, poll, what);
        return new Nonces(ns, nc);
    }

    /**
     * Server, steps 2-3: reads exactly {@value #PROOF_BYTES} bytes and checks them. Returns null when the
     * peer proved the secret and is a sender {@code expected} accepts ({@code whom} describes them in the
     * refusal), storing it in {@code fromOut[0]} (the acknowledgement is then sent), or the reason for refusing
     * it (the caller closes the connection); never reads past the proof.
     */
    static String verifyProof(SocketChannel ch, byte[] secret, byte[] ns, IntPredicate expected, String whom, int self,
                              int[] fromOut, long deadline, BooleanSupplier killed, int poll, String what)
            throws IOException {
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
        boolean ok = MessageDigest.isEqual(got, mac(secret, "proof", ns, nc, from, to));
        if (!MessageDigest.isEqual(magic, PROOF_MAGIC) || !ok) {
            return "it did not present the stage's secret";
        }
        if (!expected.test(from) || to != self) {
            return "it claims to be task " + from + " connecting to " + to + ", expected " + whom + " connecting to "
                    + self;
        }
        fromOut[0] = from;
        ByteBuffer ack = ByteBuffer.wrap(mac(secret, "ack", nc, ns, from, to));
        Wire.writeFully(ch, ack, deadline, killed, poll, what);
        return null;
    }

    /** Client, step 4: checks the server's acknowledgement. */
    static void checkAck(SocketChannel ch, byte[] secret, Nonces n, int from, int to, long deadline,
                         BooleanSupplier killed, int poll, String what) throws IOException {
        ByteBuffer ack = ByteBuffer.allocate(MAC_BYTES);
        Wire.readFully(ch, ack, deadline, killed, poll, what);
        if (!MessageDigest.isEqual(ack.array(), mac(secret, "ack", n.client(), n.server(), from, to))) {
            throw new IOException(what + ": the server did not prove the stage's secret; another process may hold "
                    + "its port");
        }
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
