package org.sparktrain.driver.barrier;

import java.io.IOException;

/**
 * What the all-reduce algorithms share: their {@link PeerLinks}, the check of a vector's length, and the cut of
 * the vector into equal blocks; an algorithm names its partners and schedules its exchanges.
 */
abstract class LinkedAllReduce implements AllReduce {
    final int rank;
    final int size;
    final String label;
    final PeerLinks links;
    /** bounds[b] = b·n/blocks: block b is [bounds[b], bounds[b + 1]). */
    final int[] bounds;
    private int boundsFor = -1;
    private int maxFloats;

    LinkedAllReduce(int rank, int size, String label, PeerLinks links, int blocks) {
        this.rank = rank;
        this.size = size;
        this.label = label;
        this.links = links;
        this.bounds = new int[blocks + 1];
    }

    /** The tasks this one exchanges with. */
    abstract int[] partners();

    /** The longest message of an all-reduce of {@code maxFloats} floats. */
    abstract int longestMessage(int maxFloats);

    /** One all-reduce of {@code v[0 .. n)}, {@link #bounds} cut for n, more than one task. */
    abstract void reduce(float[] v, int n) throws IOException;

    @Override
    public final String address() {
        return links.address();
    }

    @Override
    public final int refusedConnections() {
        return links.refusedConnections();
    }

    @Override
    public final void connect(String[] addresses, byte[] secret, int maxFloats) throws IOException {
        if (size > 1) {
            links.connect(addresses, secret, partners(), longestMessage(maxFloats));
        }
        this.maxFloats = maxFloats;
    }

    @Override
    public final void allReduce(float[] v, int n) throws IOException {
        if (size == 1) {
            return;
        }
        if (n > maxFloats) {
            throw new IllegalArgumentException(label + ": a vector of " + n + " floats is longer than the "
                    + "all-reduce was sized for (" + maxFloats + ")");
        }
        if (boundsFor != n) {
            int blocks = bounds.length - 1;
            for (int b = 0; b <= blocks; b++) {
                bounds[b] = (int) ((long) n * b / blocks);
            }
            boundsFor = n;
        }
        reduce(v, n);
    }

    @Override
    public final void close() {
        links.close();
    }

    @Override
    public void setTimeoutMillis(long ms) {
        links.setTimeoutMillis(ms);
    }
}
