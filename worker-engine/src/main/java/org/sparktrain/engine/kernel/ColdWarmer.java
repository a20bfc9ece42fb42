package org.sparktrain.engine.kernel;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The background thread that gets the vector kernels compiled while the run's threads use their twins
 * ({@link ColdPhase}; docs/architecture.md, "Cold JVMs"): it repeats each phase's warm round (the phase's vector
 * kernel on small arrays of its own, over the kernel's code paths) and ends the phase when three rounds in a row
 * allocate nothing (in the interpreter and C1 the JDK 17 Vector API boxes every vector; C2-compiled, the kernels
 * allocate nothing), which is the sign that C2 has compiled them. It starts with the first phase that needs it
 * and ends when none is left, or after {@value #MAX_SECONDS} s, handing the phases left to the in-thread rule.
 * Phases the run has called come first: a phase not called yet gets one pass in four, and a phase gets more rounds
 * per pass the larger its share of the run's time on the twins.
 * What it computes is thrown away; it touches no array of the run.
 */
final class ColdWarmer implements Runnable {
    static final int MAX_SECONDS = 60;
    private static final int CLEAN_ROUNDS = 3;
    private static final System.Logger LOG = System.getLogger(ColdWarmer.class.getName());
    private static final List<Task> PENDING = new ArrayList<>();
    private static Thread thread;

    private static final class Task {
        final ColdPhase phase;
        final Runnable round;
        int clean;
        long rounds;

        Task(ColdPhase phase, Runnable round) {
            this.phase = phase;
            this.round = round;
        }
    }

    private ColdWarmer() {
    }

    /** Whether this JVM can tell compiled code by its allocations (HotSpot's per-thread counter). */
    static boolean supported() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        return mx instanceof com.sun.management.ThreadMXBean
                && ((com.sun.management.ThreadMXBean) mx).isThreadAllocatedMemorySupported()
                && ((com.sun.management.ThreadMXBean) mx).isThreadAllocatedMemoryEnabled();
    }

    /** Warms {@code phase} with {@code round} in the background; starts the thread if none runs. */
    static synchronized void add(ColdPhase phase, Runnable round) {
        PENDING.add(new Task(phase, round));
        if (thread == null) {
            thread = new Thread(new ColdWarmer(), "sparktrain-kernel-warmer");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private static synchronized List<Task> snapshot() {
        if (PENDING.isEmpty()) {
            thread = null;
            return null;
        }
        return new ArrayList<>(PENDING);
    }

    private static synchronized void done(Task t) {
        PENDING.remove(t);
    }

    @Override
    public void run() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long overhead = mx.getThreadAllocatedBytes(id);
        overhead = mx.getThreadAllocatedBytes(id) - overhead;
        long deadline = System.nanoTime() + MAX_SECONDS * 1_000_000_000L;
        try {
            long pass = 0;
            for (List<Task> tasks = snapshot(); tasks != null; tasks = snapshot()) {
                pass++;
                long total = 1;
                for (Task t : tasks) {
                    total += t.phase.twinNanos();
                }
                for (Task t : tasks) {
                    if (!t.phase.called() && pass % 4 != 0) {
                        continue; // the run has not called this kernel (yet): one pass in four
                    }
                    // the phases the run spends most time in on the twins get more rounds per pass (up to 9)
                    int repeat = 1 + (int) (8 * t.phase.twinNanos() / total);
                    for (int i = 0; i < repeat && !t.phase.isWarm(); i++) {
                        long before = mx.getThreadAllocatedBytes(id);
                        t.round.run();
                        t.rounds++;
                        long bytes = mx.getThreadAllocatedBytes(id) - before - overhead;
                        if (bytes > 0) {
                            t.clean = 0;
                        } else if (++t.clean >= CLEAN_ROUNDS) {
                            t.phase.warmUp("warmer, " + t.rounds + " rounds");
                        }
                    }
                    if (t.phase.isWarm()) {
                        done(t);
                    }
                }
                if (System.nanoTime() > deadline) {
                    giveUp("after " + MAX_SECONDS + " s");
                    return;
                }
            }
        } catch (RuntimeException | Error e) {
            giveUp(e.toString());
        }
    }

    /** Hands every phase left to the in-thread rule. */
    private static synchronized void giveUp(String why) {
        LOG.log(Level.DEBUG, "kernel warmer stops " + why + "; " + PENDING.size() + " phases left to the in-thread rule");
        for (Task t : PENDING) {
            t.phase.warmerGaveUp();
        }
        PENDING.clear();
        thread = null;
    }
}
