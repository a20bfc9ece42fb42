package org.sparktrain.driver.barrier;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticated encryption of one connection of a barrier stage (all-reduce partners, a task and the driver's
 * {@link Rendezvous}) after its {@link Handshake}, when {@link AllReduceSettings#encrypt()} is on
 * (docs/architecture.md, "The barrier transport on the network"). Only the JDK: {@code javax.crypto}'s AES-GCM and
 * HMAC-SHA256.
 *
 * <p><b>Keys</b>, one per direction of the connection, derived with HKDF (RFC 5869) over HMAC-SHA256 from the
 * stage attempt's secret and the handshake's two nonces, so every connection of every attempt has its own keys
 * and nothing but the secret is secret:
 * <pre>
 *   PRK       = HMAC-SHA256(key = Ns | Nc, secret)                                  (extract)
 *   key(dir)  = HMAC-SHA256(key = PRK, "sparktrain barrier aes-gcm v2 " | dir | from | to | 0x01)   (expand)
 * </pre>
 * {@code dir} is {@code "c>s"} for what the dialing side ({@code from}) sends, {@code "s>c"} for the other way;
 * {@code from} and {@code to} are the handshake's int32s (little-endian; the driver is −1). AES-256.
 *
 * <p><b>Frames</b>: int32 little-endian {@code n} (the plaintext's bytes, 1 ≤ n ≤ the receiver's limit), then n
 * bytes of ciphertext, then the 16-byte GCM tag; the four length bytes are the additional authenticated data. The
 * 12-byte nonce is four zero bytes and the frame's number in its direction (int64 big-endian, from 0): each side
 * counts the frames it sent and received, so a nonce is never used twice under a key, and a frame replayed,
 * dropped or reordered fails its tag like an altered one. A frame whose tag fails is an error ({@link
 * TamperedException}) and its connection is closed.
 */
final class LinkCipher {
    static final int HEADER = 4;
    static final int TAG = 16;
    /** The longest frame {@link Conn} sends (the rendezvous and the state hand-over; 1 MiB of plaintext). */
    static final int MAX_FRAME = 1 << 20;
    private static final int NONCE = 12;
    private static final String INFO = "sparktrain barrier aes-gcm v2 ";

    /** A frame that failed authentication: altered on the way, or sealed with another key. */
    static final class TamperedException extends IOException {
        TamperedException(String what) {
            super(what);
        }
    }

    private final SecretKeySpec sendKey;
    private final SecretKeySpec recvKey;
    private final Cipher enc;
    private final Cipher dec;
    private final byte[] nonce = new byte[NONCE];
    private final ByteBuffer aad = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private long sent;
    private long received;

    private LinkCipher(byte[] sendKey, byte[] recvKey) {
        this.sendKey = new SecretKeySpec(sendKey, "AES");
        this.recvKey = new SecretKeySpec(recvKey, "AES");
        try {
            enc = Cipher.getInstance("AES/GCM/NoPadding");
            dec = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding is not available in this JVM", e);
        }
    }

    /** The dialing side {@code from} of a connection to {@code to}, after its handshake's nonces. */
    static LinkCipher client(byte[] secret, byte[] serverNonce, byte[] clientNonce, int from, int to) {
        byte[] prk = extract(secret, serverNonce, clientNonce);
        return new LinkCipher(expand(prk, "c>s", from, to), expand(prk, "s>c", from, to));
    }

    /** The accepting side {@code to} of a connection from {@code from}. */
    static LinkCipher server(byte[] secret, byte[] serverNonce, byte[] clientNonce, int from, int to) {
        byte[] prk = extract(secret, serverNonce, clientNonce);
        return new LinkCipher(expand(prk, "s>c", from, to), expand(prk, "c>s", from, to));
    }

    /** Frames sent so far (tests). */
    long framesSent() {
        return sent;
    }

    /**
     * Seals {@code plain[position, limit)} (at least one byte) into {@code out} as one frame: length, ciphertext,
     * tag; consumes {@code plain}. {@code out} needs {@link #HEADER} + n + {@link #TAG} bytes of room.
     */
    void seal(ByteBuffer plain, ByteBuffer out) {
        int n = plain.remaining();
        out.order(ByteOrder.LITTLE_ENDIAN);
        int start = out.position();
        out.putInt(n);
        try {
            enc.init(Cipher.ENCRYPT_MODE, sendKey, new GCMParameterSpec(TAG * 8, nonce(sent)));
            enc.updateAAD(out.duplicate().position(start).limit(start + HEADER));
            enc.doFinal(plain, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM sealing failed", e);
        }
        sent++;
    }

    /**
     * Opens one frame whose length {@code n} was read, its ciphertext and tag in {@code body[position, limit)}
     * (n + {@link #TAG} bytes), into {@code out} (n bytes of room).
     *
     * @throws TamperedException when the tag fails ({@code what} begins the message)
     */
    void open(int n, ByteBuffer body, ByteBuffer out, String what) throws TamperedException {
        aad.clear();
        aad.putInt(n).flip();
        try {
            dec.init(Cipher.DECRYPT_MODE, recvKey, new GCMParameterSpec(TAG * 8, nonce(received)));
            dec.updateAAD(aad);
            dec.doFinal(body, out);
        } catch (AEADBadTagException e) {
            throw new TamperedException(what + " failed authentication (AES-GCM tag of frame " + received + " of "
                    + n + " bytes): it was altered on the way, or sealed with another stage's key; the connection "
                    + "is closed");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM opening failed", e);
        }
        received++;
    }

    /**
     * Seals and opens {@code bytes} of scratch data in 64 KiB frames with a throwaway key, so that the JIT compiles
     * the JDK's AES-GCM: measured on this project's machine (JDK 17), it seals and opens at 30-80 MB/s until about
     * 40 MB have gone through, then at 1-4 GB/s. Benches call it before timing; returns the frames done.
     */
    static int warmUp(long bytes) {
        byte[] secret = new byte[Handshake.SECRET_BYTES];
        byte[] nonces = new byte[Handshake.NONCE_BYTES];
        LinkCipher a = client(secret, nonces, nonces, 0, 1);
        LinkCipher b = server(secret, nonces, nonces, 0, 1);
        int piece = 4 * PeerLinks.PIECE_FLOATS;
        ByteBuffer plain = ByteBuffer.allocateDirect(piece);
        ByteBuffer frame = ByteBuffer.allocateDirect(HEADER + piece + TAG);
        ByteBuffer back = ByteBuffer.allocateDirect(piece);
        int frames = 0;
        for (long done = 0; done < bytes; done += piece) {
            plain.clear();
            frame.clear();
            a.seal(plain, frame);
            frame.flip().position(HEADER);
            back.clear();
            try {
                b.open(piece, frame, back, "warm-up");
            } catch (TamperedException e) {
                throw new IllegalStateException(e);
            }
            frames++;
        }
        return frames;
    }

    private byte[] nonce(long counter) {
        if (counter == Long.MAX_VALUE) {
            throw new IllegalStateException("a connection's frame counter ran out");
        }
        ByteBuffer.wrap(nonce).putInt(0).putLong(counter); // big-endian
        return nonce;
    }

    private static byte[] extract(byte[] secret, byte[] serverNonce, byte[] clientNonce) {
        byte[] salt = new byte[serverNonce.length + clientNonce.length];
        System.arraycopy(serverNonce, 0, salt, 0, serverNonce.length);
        System.arraycopy(clientNonce, 0, salt, serverNonce.length, clientNonce.length);
        return hmac(salt, secret);
    }

    private static byte[] expand(byte[] prk, String dir, int from, int to) {
        byte[] label = (INFO + dir).getBytes(StandardCharsets.US_ASCII);
        ByteBuffer info = ByteBuffer.allocate(label.length + 9).order(ByteOrder.LITTLE_ENDIAN);
        info.put(label).putInt(from).putInt(to).put((byte) 1);
        return hmac(prk, info.array()); // one block of HKDF-Expand: 32 bytes, an AES-256 key
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
