package org.sparktrain.driver.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;
import org.sparktrain.driver.barrier.MessageDelay;

/**
 * The virtual-clock network of {@code scripts/bench --allreduce --clock virtual}: W peers run the real all-reduce
 * code over loopback TCP (the same connections, exchanges, sums and bits as a barrier stage), but each keeps its
 * own simulated time, so that a round measures what W machines with a core each and a link of latency α and
 * bandwidth 1/β would take, even when hundreds of peers share two cores (a wall clock there measures the cores'
 * queue, not the algorithm). The way SimGrid's SMPI runs real MPI code: computation is timed, communication is
 * modelled (docs/architecture.md, Measured facts, "With a virtual clock").
 *
 * <p>Each peer keeps two clocks (ns, from 0 at {@link Peer#startRound}), which differ only in how an exchange's own
 * CPU time meets its transfer:
 * <ul>
 * <li>computation: the thread's own CPU time between two exchanges is added to both: the bookkeeping, and the first
 *     exchange's wait for nothing; waiting in a {@code select} costs no CPU, so it is never counted (it is what the
 *     model replaces);</li>
 * <li>a message of b bytes sent by an exchange that starts at clock t occupies the sender's link from t for b·β
 *     and arrives α after its last byte: {@code arrival = t + b·β + α} (a blocking send: an exchange ends no earlier
 *     than its send, so a peer's link is always free when its next exchange starts); the arrival times travel
 *     beside the bytes (a queue per ordered pair of peers, in the messages' order, which TCP keeps);</li>
 * <li>an exchange's own CPU time w (copies into and out of the socket buffers, the additions, the system calls):
 *     <b>serial</b> (pessimistic): the exchange ends at the later of its send's end and its message's arrival, plus
 *     w; <b>overlapped</b> (what streaming gives: {@code PeerLinks} moves a message in pieces of
 *     {@link MessageDelay#PIECE_BYTES} and adds each as it arrives): it ends at the latest of its start plus w, its
 *     send's end, its message's arrival plus the last piece's share of w (w / pieces), and the arrival of the
 *     message's first byte plus w (receiving cannot start before that: when the CPU is slower than the link, it
 *     sets the end).</li>
 * </ul>
 * Neither clock moves a message's departure by the sender's own copying (it is charged after the send starts), so
 * neither is a strict bound; together they bracket how much of the exchanges' CPU a host would hide. With no CPU
 * time (a test's clock), both give exactly the α-β model's time for the ring and halving/doubling when the vector
 * cuts into equal blocks ({@code VirtualNetworkTest}): the CPU time is what a measurement adds to the model.
 */
final class VirtualNetwork {
    private final long alphaNanos;
    private final double nanosPerByte;
    private final LongSupplier cpuNanos;
    /** Per ordered pair (key from · 2³² + to): the arrival times [serial, overlapped] of the messages in flight. */
    private final ConcurrentHashMap<Long, ConcurrentLinkedQueue<long[]>> inFlight = new ConcurrentHashMap<>();

    /** α = {@code latencyMicros}, β = 8 / ({@code gbps}·10⁹) s per byte; computation timed by {@code cpuNanos}. */
    VirtualNetwork(double latencyMicros, double gbps, LongSupplier cpuNanos) {
        if (!(gbps > 0)) {
            throw new IllegalArgumentException("a virtual network needs a bandwidth (Gb/s > 0), got " + gbps);
        }
        this.alphaNanos = Math.round(latencyMicros * 1e3);
        this.nanosPerByte = 8 / gbps;
        this.cpuNanos = cpuNanos;
    }

    /** The calling thread's CPU time (ns), as {@link ThreadMXBean#getCurrentThreadCpuTime} gives it. */
    static LongSupplier threadCpuClock() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (!mx.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure a thread's CPU time: the virtual clock needs it "
                    + "(use --clock wall)");
        }
        mx.setThreadCpuTimeEnabled(true);
        return mx::getCurrentThreadCpuTime;
    }

    /** Peer {@code rank}'s side: its {@link MessageDelay} for {@code AllReduce.open}, and its clock. */
    Peer peer(int rank) {
        return new Peer(rank);
    }

    private ConcurrentLinkedQueue<long[]> pair(int from, int to) {
        return inFlight.computeIfAbsent(((long) from << 32) | to, k -> new ConcurrentLinkedQueue<>());
    }

    /** One peer's clocks. Used by its own thread only (the queues between peers are thread-safe). */
    final class Peer implements MessageDelay {
        private final int rank;
        /** [serial, overlapped]: the clock, and when the current exchange's send ends. */
        private final long[] now = new long[2];
        private final long[] sendEnd = new long[2];
        private long cpuMark;
        private long cpuInRound;

        private Peer(int rank) {
            this.rank = rank;
        }

        /** A round starts: the clocks at 0, the CPU counted from here. */
        void startRound() {
            java.util.Arrays.fill(now, 0);
            java.util.Arrays.fill(sendEnd, 0);
            cpuInRound = 0;
            cpuMark = cpuNanos.getAsLong();
        }

        /**
         * The round ended on this peer: its serial clock (ns; pessimistic), counting the CPU since its last
         * exchange.
         */
        long endRound() {
            long c = chargeCpu();
            now[0] += c;
            now[1] += c;
            return now[0];
        }

        /** After {@link #endRound}: the overlapped clock (ns). */
        long overlappedEnd() {
            return now[1];
        }

        /** The CPU time this peer used in the round (ns). */
        long cpuInRound() {
            return cpuInRound;
        }

        private long chargeCpu() {
            long c = cpuNanos.getAsLong();
            long used = c - cpuMark;
            cpuMark = c;
            cpuInRound += used;
            return used;
        }

        @Override
        public void beforeMessage(long bytes) {
            throw new UnsupportedOperationException("a virtual peer is driven by beforeExchange/afterExchange");
        }

        @Override
        public void beforeExchange(int to, long sendBytes, int from, long recvBytes) {
            long c = chargeCpu();
            now[0] += c;
            now[1] += c;
            if (to != NO_PEER && sendBytes > 0) {
                long wire = Math.round(sendBytes * nanosPerByte);
                long[] arrival = new long[2];
                for (int k = 0; k < 2; k++) {
                    sendEnd[k] = now[k] + wire;
                    arrival[k] = sendEnd[k] + alphaNanos;
                }
                pair(rank, to).add(arrival);
            }
        }

        @Override
        public void afterExchange(int to, long sendBytes, int from, long recvBytes) {
            long work = chargeCpu();
            boolean sends = to != NO_PEER && sendBytes > 0;
            long[] arrival = null;
            if (from != NO_PEER && recvBytes > 0) {
                arrival = pair(from, rank).poll();
                if (arrival == null) {
                    throw new IllegalStateException("peer " + rank + " received a message from peer " + from
                            + " that has no arrival time: the hooks ran out of order");
                }
            }
            long serial = sends ? Math.max(now[0], sendEnd[0]) : now[0];
            if (arrival != null) {
                serial = Math.max(serial, arrival[0]);
            }
            now[0] = serial + work;
            long pieces = Math.max(1, (Math.max(sendBytes, recvBytes) + PIECE_BYTES - 1) / PIECE_BYTES);
            long overlapped = now[1] + work;
            if (sends) {
                overlapped = Math.max(overlapped, sendEnd[1]);
            }
            if (arrival != null) {
                long firstByte = arrival[1] - Math.round(recvBytes * nanosPerByte);
                overlapped = Math.max(overlapped, Math.max(arrival[1] + work / pieces, firstByte + work));
            }
            now[1] = overlapped;
        }
    }
}
