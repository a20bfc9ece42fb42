package org.sparktrain.driver.barrier;

/**
 * Makes one task of one stage attempt fail in a chosen round, in this JVM (local mode): {@link #HOOK} is the
 * {@link TaskHook} a test hands to the master ({@code ParameterAveragingMaster.setTaskHook}); it does nothing until
 * {@link #arm armed}. The hook travels in the task closure, the armed state stays in this class's statics, which
 * local-mode tasks share with the test.
 */
final class FaultInjection {
    /** What the chosen task does. */
    enum Kind {
        /** throws, closing its sockets on the way out: its peers see the closed connection at once */
        THROW,
        /** goes silent with its sockets open until Spark kills it: its peers must time out */
        HANG,
        /**
         * stalls like a paused JVM: sleeps {@link #STALL_MILLIS} without looking at its kill flag (an interrupt ends
         * it early, as Spark's kill of the task would), then goes on as if nothing happened
         */
        STALL
    }

    /** As {@link #arm}'s attempt: every attempt. */
    static final int ANY = -1;

    /** How long a {@link Kind#STALL} lasts at most. */
    static final long STALL_MILLIS = 15_000; // 15x the test's 1 s stall timeout: detection has room on a busy machine

    /** The hook to install: checks the armed fault at the start of every round. */
    static final TaskHook HOOK = FaultInjection::check;

    private static volatile Kind kind;
    private static volatile int attempt;
    private static volatile int round;
    private static volatile int partition;
    private static volatile int fired;
    private static volatile boolean killedWhileHung;
    /** Every hook call since the last {@link #arm}/{@link #disarm}: {attempt, round, worker}. */
    private static final java.util.Queue<int[]> CALLS = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private FaultInjection() {
    }

    static void arm(Kind k, int attemptNo, int roundNo, int partitionNo) {
        attempt = attemptNo;
        round = roundNo;
        partition = partitionNo;
        fired = 0;
        killedWhileHung = false;
        CALLS.clear();
        kind = k;
    }

    static void disarm() {
        kind = null;
        CALLS.clear();
    }

    /** The rounds worker {@code w} started in stage attempt {@code a} (of any epoch), in order. */
    static int[] roundsStarted(int a, int w) {
        return CALLS.stream().filter(c -> c[0] == a && c[2] == w).mapToInt(c -> c[1]).toArray();
    }

    static int fired() {
        return fired;
    }

    /** Whether a hung task ended because Spark killed it (and not by the hook's own 120 s limit). */
    static boolean killedWhileHung() {
        return killedWhileHung;
    }

    /** Called by every task at the start of every round. */
    static void check(int attemptNo, int roundNo, int partitionNo, java.util.function.BooleanSupplier killed) {
        CALLS.add(new int[] {attemptNo, roundNo, partitionNo});
        Kind k = kind;
        if (k == null || attempt != ANY && attemptNo != attempt || roundNo != round || partitionNo != partition) {
            return;
        }
        fired++;
        if (k == Kind.STALL) {
            try {
                Thread.sleep(STALL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        if (k == Kind.THROW) {
            throw new IllegalStateException("fault injected in attempt " + attemptNo + ", round " + roundNo
                    + ", task " + partitionNo);
        }
        long until = System.nanoTime() + 120_000_000_000L;
        while (!killed.getAsBoolean() && System.nanoTime() < until) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        killedWhileHung = killed.getAsBoolean();
        throw new IllegalStateException("hung task " + partitionNo + " was killed, as injected");
    }
}
