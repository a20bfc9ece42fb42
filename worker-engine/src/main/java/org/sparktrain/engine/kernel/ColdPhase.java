package org.sparktrain.engine.kernel;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The cold phase of one vector kernel (one entry point of a family: the GEMM's broadcast path, its dot path,
 * ReLU, ...): while its Vector API code has not been compiled by C2 (in the interpreter and C1 the JDK 17 Vector
 * API boxes every vector), calls go to the kernel's plain-Java <em>twin</em>, which computes the same bits (the
 * same operations in the same order, {@code Math.fma} where the vector code fuses); afterwards they go to the
 * vector kernel. Because twin and vector kernel agree bit for bit, when the switch happens changes no result
 * (docs/architecture.md, "Cold JVMs").
 *
 * <p>Who ends a phase: {@link ColdWarmer}, a background thread that repeats the phase's warm round (its vector
 * kernel on small arrays of its own) until three rounds allocate nothing, i.e. C2 has compiled it; while it works,
 * every call of the run goes to the twin. A phase without a warm round, or one the warmer gave up on (after
 * {@value ColdWarmer#MAX_SECONDS} s, or with {@code -D}{@value #WARMER_PROPERTY}{@code =false}), follows the
 * in-thread rule: every call is timed; a call goes to the vector kernel when the vector calls so far took less than
 * {@value #BUDGET_PERCENT}% of the phase's time (so the boxed vector code gets called, and compiled, at a bounded
 * cost), else to the twin; the phase ends, for good, at the second vector call in a row whose time per unit of work
 * (flops, elements) is at most the twin calls' recent average. A thread marked by {@link #vectorOnThisThread} (the
 * background {@code Warmup}) always calls the vector kernels. The counters are racy on purpose: a lost update only
 * moves the switch, never a result.
 *
 * <p>{@code -D}{@value #PROPERTY}{@code =twin} turns the twin phase on; {@code vector}, the default, turns it off
 * (every phase starts warm: every call goes to the vector kernel from the first, at the cost of one volatile read).
 * Measured, the twin phase helped only where the warmer had a head start (docs/architecture.md, "Cold JVMs").
 * Only read when {@link Kernels} chose the Vector API. Tests force one side with {@link #force}.
 */
public final class ColdPhase {
    /** System property: {@code twin} (a cold phase on the twins) or {@code vector} (none). */
    public static final String PROPERTY = "sparktrain.kernels.cold";
    /** System property: {@code false} turns the background warmer of the cold phases off. */
    public static final String WARMER_PROPERTY = "sparktrain.kernels.cold.warmer";
    /** The default of {@value #PROPERTY} (see docs/architecture.md, "Cold JVMs", for the measurements). */
    static final String DEFAULT = "vector";
    static final int BUDGET_PERCENT = 20;
    private static final double BUDGET = BUDGET_PERCENT / 100.0;
    private static final System.Logger LOG = System.getLogger(ColdPhase.class.getName());

    /** What tests force: every call to the twins, or to the vector kernels; null for the rule. */
    public enum Side { TWIN, VECTOR }

    private static final boolean ENABLED = enabled(System.getProperty(PROPERTY));
    /**
     * Whether phases with a warm round are compiled by the background warmer (else by the in-thread rule); a holder,
     * so that a JVM without cold phases never asks for the management beans.
     */
    private static final class Warmer {
        static final boolean ON = !"false".equalsIgnoreCase(System.getProperty(WARMER_PROPERTY, "true"))
                && ColdWarmer.supported();
    }
    private static volatile Side forced;
    private static final ThreadLocal<Boolean> VECTOR_THREAD = new ThreadLocal<>();
    private static final List<ColdPhase> ALL = new ArrayList<>();

    private final String name;
    private volatile boolean warm;
    /** Whether the background warmer is compiling this phase's vector kernel (then the twin takes every call). */
    private volatile boolean warming;
    private String how = "";
    private long warmAt;
    private long calls;
    private long twinCalls;
    private long forcedTwinCalls;
    private long vectorCalls;
    private long twinNanos;
    private long vectorNanos;
    private double twinRate = Double.NaN;
    private int fastInARow;
    private final long born = System.nanoTime();

    /** A phase without a warm round: its vector kernel gets compiled by the calls the in-thread rule sends it. */
    public ColdPhase(String name) {
        this(name, null);
    }

    /**
     * A phase whose vector kernel the background warmer ({@link ColdWarmer}) compiles by repeating
     * {@code warmRound}: the vector kernel's code paths on small arrays of its own (never the run's).
     */
    public ColdPhase(String name, Runnable warmRound) {
        this(name, warmRound, ENABLED);
    }

    /** A phase that starts cold ({@code cold}) or warm whatever {@value #PROPERTY} says (tests). */
    ColdPhase(String name, Runnable warmRound, boolean cold) {
        this.name = name;
        this.warm = !cold;
        synchronized (ALL) {
            ALL.add(this);
        }
        if (!warm && warmRound != null && Warmer.ON) {
            warming = true;
            ColdWarmer.add(this, warmRound);
        }
    }

    /** Ends the cold phase: every later call goes to the vector kernel. */
    void warmUp(String how) {
        this.how = how;
        warmAt = System.nanoTime();
        warm = true;
        LOG.log(Level.DEBUG, this::toString);
    }

    /** The warmer stopped before this phase was warm: the in-thread rule takes over. */
    void warmerGaveUp() {
        warming = false;
    }

    static boolean enabled(String property) {
        String p = property == null || property.isBlank() ? DEFAULT : property.trim().toLowerCase(Locale.ROOT);
        switch (p) {
            case "twin":
                return true;
            case "vector":
                return false;
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + property + ": expected twin or vector");
        }
    }

    /** Whether this JVM starts its vector kernels with a twin phase ({@value #PROPERTY}). */
    public static boolean enabled() {
        return ENABLED;
    }

    /** Tests: every call of every phase to {@code side}'s kernels, or (null) the rule again. */
    public static void force(Side side) {
        forced = side;
    }

    /** Marks (or unmarks) the calling thread as one whose kernel calls always go to the vector kernels. */
    public static void vectorOnThisThread(boolean on) {
        if (on) {
            VECTOR_THREAD.set(Boolean.TRUE);
        } else {
            VECTOR_THREAD.remove();
        }
    }

    /** Whether this call goes to the vector kernel untimed (the phase is over, forced, or a warm-up thread). */
    public boolean vector() {
        Side f = forced;
        if (f != null) {
            return f == Side.VECTOR;
        }
        return warm || VECTOR_THREAD.get() != null;
    }

    /** Whether this call is timed: false only when the twins are forced (then every call goes to the twin). */
    public boolean timed() {
        if (forced == null) {
            return true;
        }
        forcedTwinCalls++; // only while a test forces the twins
        return false;
    }

    /** For a timed call: whether it goes to the vector kernel (within the budget). */
    public boolean tryVector() {
        calls++;
        return !warming && vectorNanos < BUDGET * (vectorNanos + twinNanos);
    }

    /** A timed twin call started at {@code t0} (System.nanoTime) did {@code work} units. */
    public void twinTook(long t0, long work) {
        long dt = System.nanoTime() - t0;
        twinNanos += dt;
        twinCalls++;
        double rate = (double) dt / Math.max(1, work);
        double r = twinRate;
        twinRate = Double.isNaN(r) ? rate : 0.75 * r + 0.25 * rate;
    }

    /** A timed vector call started at {@code t0} did {@code work} units: ends the phase when it ran as fast. */
    public void vectorTook(long t0, long work) {
        long dt = System.nanoTime() - t0;
        vectorNanos += dt;
        vectorCalls++;
        double rate = (double) dt / Math.max(1, work);
        if (!Double.isNaN(twinRate) && rate <= twinRate) {
            if (++fastInARow >= 2) {
                warmUp("in-thread rule");
            }
        } else {
            fastInARow = 0;
        }
    }

    /** Nanoseconds the run's timed calls spent in the twin so far. */
    long twinNanos() {
        return twinNanos;
    }

    /** Whether a run's thread has called this phase's kernel during its cold phase. */
    boolean called() {
        return calls > 0;
    }

    /** Whether the phase is over (the vector kernel took over). */
    public boolean isWarm() {
        return warm;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: %s%s at %.0f ms, after %d timed calls (%d twin %.1f ms, %d vector %.1f ms)",
                name, warm ? "vector" : "twin", how.isEmpty() ? "" : " (" + how + ")",
                ((warm && warmAt != 0 ? warmAt : System.nanoTime()) - born) / 1e6,
                calls, twinCalls, twinNanos / 1e6, vectorCalls, vectorNanos / 1e6);
    }

    /** Calls of the phase {@code name} that went to its twin (timed or forced); 0 for an unknown name. */
    public static long twinCalls(String name) {
        long n = 0;
        synchronized (ALL) {
            for (ColdPhase p : ALL) {
                if (p.name.equals(name)) {
                    n += p.twinCalls + p.forcedTwinCalls;
                }
            }
        }
        return n;
    }

    /** Every phase of this JVM, one line each (benchmarks print it). */
    public static String summary() {
        StringBuilder s = new StringBuilder();
        synchronized (ALL) {
            for (ColdPhase p : ALL) {
                s.append(p).append('\n');
            }
        }
        return s.toString();
    }
}
