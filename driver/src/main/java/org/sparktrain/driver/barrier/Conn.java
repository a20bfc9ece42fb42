package org.sparktrain.driver.barrier;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.function.BooleanSupplier;

/**
 * A rendezvous connection after its {@link Handshake} (a task and the driver: the address swap, task 0's state
 * hand-over), read and written whole messages at a time with {@link Wire}'s deadlines: plain bytes, or, with a
 * {@link LinkCipher}, AES-GCM frames of at most {@link LinkCipher#MAX_FRAME} bytes (a message is cut into frames;
 * the reader reassembles them, so the messages' formats do not change).
 */
final class Conn implements Closeable {
    private final SocketChannel ch;
    private final LinkCipher cipher;
    private final String peer;
    private final ByteBuffer header = ByteBuffer.allocate(LinkCipher.HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer wire;
    /** Opened bytes not yet read (sealed only). */
    private ByteBuffer plain = ByteBuffer.allocate(0);

    /**
     * {@code cipher} null: plain; {@code peer} names the other side in messages ("the driver's rendezvous at ...",
     * "task 0 (/10.0.0.5:41234)").
     */
    Conn(SocketChannel ch, LinkCipher cipher, String peer) {
        this.ch = ch;
        this.cipher = cipher;
        this.peer = peer;
    }

    SocketChannel channel() {
        return ch;
    }

    boolean sealed() {
        return cipher != null;
    }

    /** Writes {@code b[position, limit)}: as it is, or sealed in frames. */
    void write(ByteBuffer b, long deadline, BooleanSupplier killed, int poll, String what) throws IOException {
        if (cipher == null) {
            Wire.writeFully(ch, b, deadline, killed, poll, what);
            return;
        }
        while (b.hasRemaining()) {
            int n = Math.min(b.remaining(), LinkCipher.MAX_FRAME);
            ByteBuffer piece = b.duplicate();
            piece.limit(piece.position() + n);
            b.position(b.position() + n);
            ByteBuffer out = wire(n);
            cipher.seal(piece, out);
            out.flip();
            Wire.writeFully(ch, out, deadline, killed, poll, what);
        }
    }

    /** Fills {@code b}. */
    void read(ByteBuffer b, long deadline, BooleanSupplier killed, int poll, String what) throws IOException {
        if (!readOrEnd(b, deadline, killed, poll, what)) {
            throw new IOException(what + ": the connection was closed by the other side");
        }
    }

    /**
     * Fills {@code b}, or returns false when the other side closed the connection cleanly before the first byte of
     * {@code b} (between messages).
     */
    boolean readOrEnd(ByteBuffer b, long deadline, BooleanSupplier killed, int poll, String what) throws IOException {
        if (cipher == null) {
            int start = b.position();
            int first = ch.read(b);
            if (first < 0) {
                return false;
            }
            try {
                Wire.readFully(ch, b, deadline, killed, poll, what);
            } catch (IOException e) {
                if (first == 0 && b.position() == start && e.getMessage() != null
                        && e.getMessage().contains("closed by the other side")) {
                    return false;
                }
                throw e;
            }
            return true;
        }
        boolean any = false;
        while (b.hasRemaining()) {
            if (!plain.hasRemaining()) {
                if (!nextFrame(deadline, killed, poll, what, !any)) {
                    return false;
                }
            }
            int k = Math.min(b.remaining(), plain.remaining());
            ByteBuffer part = plain.duplicate();
            part.limit(part.position() + k);
            b.put(part);
            plain.position(plain.position() + k);
            any = true;
        }
        return true;
    }

    /** Reads and opens the next frame into {@link #plain}; false at a clean end before it when {@code mayEnd}. */
    private boolean nextFrame(long deadline, BooleanSupplier killed, int poll, String what, boolean mayEnd)
            throws IOException {
        header.clear();
        int first = ch.read(header);
        if (first < 0 && mayEnd) {
            return false;
        }
        try {
            Wire.readFully(ch, header, deadline, killed, poll, what);
        } catch (IOException e) {
            if (mayEnd && first == 0 && header.position() == 0 && e.getMessage() != null
                    && e.getMessage().contains("closed by the other side")) {
                return false;
            }
            throw e;
        }
        int n = header.flip().getInt();
        if (n <= 0 || n > LinkCipher.MAX_FRAME) {
            close();
            throw new IOException(what + ": " + peer + " sent a frame of " + n + " bytes (at most "
                    + LinkCipher.MAX_FRAME + "): not an encrypted sparktrain connection, or damaged; closed it");
        }
        ByteBuffer body = wire(n);
        body.limit(n + LinkCipher.TAG);
        Wire.readFully(ch, body, deadline, killed, poll, what);
        body.flip();
        if (plain.capacity() < n) {
            plain = ByteBuffer.allocate(n);
        }
        plain.clear();
        try {
            cipher.open(n, body, plain, what + ": a frame from " + peer);
        } catch (LinkCipher.TamperedException e) {
            close();
            throw e;
        }
        plain.flip();
        return true;
    }

    /** A cleared buffer for one frame of {@code n} plaintext bytes. */
    private ByteBuffer wire(int n) {
        int need = LinkCipher.HEADER + n + LinkCipher.TAG;
        if (wire == null || wire.capacity() < need) {
            wire = ByteBuffer.allocate(need);
        }
        wire.clear();
        return wire;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
