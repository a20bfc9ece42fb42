package org.sparktrain.driver.barrier;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What an eavesdropper could read: runs of four consecutive floats of known vectors, searched for at every byte
 * offset of captured streams ({@link RecordingProxy}). Public for the end-to-end tests (module {@code tests}).
 */
public final class WireSearch {
    private WireSearch() {
    }

    /** 16 bytes: four consecutive floats of a vector, as two longs. */
    public record Window(long a, long b) {
    }

    /** Every run of four consecutive floats of {@code vectors}, little- and big-endian. */
    public static Set<Window> runsOfFour(float[]... vectors) {
        Set<Window> s = new HashSet<>();
        for (float[] v : vectors) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
                b.asFloatBuffer().put(v);
                b.order(ByteOrder.BIG_ENDIAN); // how a window is read, as in the capture
                for (int i = 0; i + 4 <= v.length; i++) {
                    s.add(new Window(b.getLong(4 * i), b.getLong(4 * i + 8)));
                }
            }
        }
        return s;
    }

    /** How many byte offsets of the captured streams begin one of {@code runs}. */
    public static int occurrences(List<byte[]> streams, Set<Window> runs) {
        int found = 0;
        for (byte[] x : streams) {
            ByteBuffer b = ByteBuffer.wrap(x).order(ByteOrder.BIG_ENDIAN);
            for (int off = 0; off + 16 <= x.length; off++) {
                if (runs.contains(new Window(b.getLong(off), b.getLong(off + 8)))) {
                    found++;
                }
            }
        }
        return found;
    }
}
