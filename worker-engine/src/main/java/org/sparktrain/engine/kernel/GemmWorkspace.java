package org.sparktrain.engine.kernel;

/**
 * Per-thread scratch buffers of a GEMM implementation.
 *
 * <p>Buffers only grow: the first calls of a thread size them for the largest shape it sees, after
 * which every call reuses them, so the steady state allocates nothing. One instance per thread (via
 * {@link ThreadLocal}) keeps concurrent calls on distinct C independent without locking.
 */
final class GemmWorkspace {
    private float[] panel = new float[0];
    private float[] aux = new float[0];
    private final float[] tile;

    GemmWorkspace(int tileSize) {
        this.tile = new float[tileSize];
    }

    /** A thread-local workspace whose fixed tile holds {@code tileSize} floats. */
    static ThreadLocal<GemmWorkspace> perThread(int tileSize) {
        return ThreadLocal.withInitial(() -> new GemmWorkspace(tileSize));
    }

    /** A buffer of at least {@code size} floats, for a packed panel of B; contents unspecified. */
    float[] panel(int size) {
        if (panel.length < size) {
            panel = new float[size];
        }
        return panel;
    }

    /** A second, independent buffer of at least {@code size} floats; contents unspecified. */
    float[] aux(int size) {
        if (aux.length < size) {
            aux = new float[size];
        }
        return aux;
    }

    /** A small fixed buffer for spilling a register tile at a ragged edge. */
    float[] tile() {
        return tile;
    }
}
