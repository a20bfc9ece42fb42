package org.sparktrain.driver.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Progress lines people can follow (docs/architecture.md, "Progress"): on a console one line redrawn in place
 * ({@code \r}) a few times a second and cleared when the phase ends; anywhere else (a pipe, a file, a test's
 * stream) a plain line at most every {@value #PLAIN_SECONDS} s, the first only once a phase has run that long, so
 * short phases add nothing; under CI nothing unless asked. Which is decided once, from the output and the
 * environment: {@link #forOutput}; tests pass the choice, and a clock, to the constructor.
 */
final class Progress {
    static final int PLAIN_SECONDS = 10;
    private static final long REDRAW_MILLIS = 250;
    /** A redrawn line longer than the terminal wraps, and {@code \r} then redraws only its last part. */
    private static final int WIDTH = 79;

    private final PrintStream out;
    private final boolean console;
    private final LongSupplier clock;
    private final boolean off;
    private int shown;
    private long phaseStart;
    private long lastPlain;

    Progress(PrintStream out, boolean console, LongSupplier nanoClock) {
        this(out, console, nanoClock, false);
    }

    private Progress(PrintStream out, boolean console, LongSupplier nanoClock, boolean off) {
        this.out = out;
        this.console = console;
        this.clock = nanoClock;
        this.off = off;
    }

    /**
     * The progress of a command printing to {@code out}: redrawn when {@code out} is this process's standard output
     * and that is a console (JDK 17: stdin and stdout both terminals), plain lines otherwise, except under CI
     * ({@code CI} set, as CI services and .ci/run set it), whose logs stay as they were;
     * {@code SPARKTRAIN_PROGRESS=0} turns both off, {@code SPARKTRAIN_PROGRESS=1} plain lines on under CI too.
     */
    static Progress forOutput(PrintStream out) {
        return forOutput(out, out == System.out && System.console() != null, System.getenv());
    }

    static Progress forOutput(PrintStream out, boolean console, java.util.Map<String, String> env) {
        String setting = env.get("SPARKTRAIN_PROGRESS");
        String ci = env.get("CI");
        boolean underCi = ci != null && !ci.isEmpty() && !ci.equalsIgnoreCase("false") && !ci.equals("0");
        boolean off = "0".equals(setting) || setting == null && !console && underCi;
        return new Progress(out, console, System::nanoTime, off);
    }

    boolean off() {
        return off;
    }

    boolean console() {
        return console;
    }

    /** A phase whose line is {@code text}, shown until {@link Phase#close}; a daemon thread asks for it. */
    Phase start(Supplier<String> text) {
        begin();
        if (off) {
            return new Phase(null);
        }
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(console ? REDRAW_MILLIS : 1000);
                    tick(text.get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sparktrain-progress");
        t.setDaemon(true);
        t.start();
        return new Phase(t);
    }

    /** A phase's end: its ticks stop and a redrawn line is cleared, so the next line starts clean. */
    final class Phase implements AutoCloseable {
        private final Thread thread;

        private Phase(Thread thread) {
            this.thread = thread;
        }

        @Override
        public void close() {
            if (thread != null) {
                thread.interrupt();
                try {
                    thread.join(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            clear();
        }
    }

    synchronized void begin() {
        phaseStart = clock.getAsLong();
        lastPlain = phaseStart;
    }

    /** Shows {@code text}: redrawn on a console; a plain line when {@value #PLAIN_SECONDS} s passed since the last. */
    synchronized void tick(String text) {
        if (off || text == null) {
            return;
        }
        if (console) {
            String t = text.length() > WIDTH ? text.substring(0, WIDTH) : text;
            out.print("\r" + t + " ".repeat(Math.max(0, shown - t.length())));
            out.flush();
            shown = t.length();
        } else {
            long now = clock.getAsLong();
            if (now - lastPlain >= PLAIN_SECONDS * 1_000_000_000L) {
                out.println(text);
                lastPlain = now;
            }
        }
    }

    /** Clears a redrawn line (nothing to do for plain lines). */
    synchronized void clear() {
        if (console && shown > 0) {
            out.print("\r" + " ".repeat(shown) + "\r");
            out.flush();
            shown = 0;
        }
    }

    /**
     * The line while data is read, {@code seconds} after the read began: {@code rows} and {@code bytes} read as
     * counted {@code countSeconds} after it began (counts arrive in steps; 0 rows when Spark does not count this
     * input) at {@code rowRate} and {@code byteRate} per second, and with the input's size ({@code totalBytes}, -1
     * when unknown) the share read and an ETA at that rate, from the count's time.
     */
    static String preparation(String what, long rows, long bytes, long totalBytes, double seconds,
                              double countSeconds, double rowRate, double byteRate) {
        if (rows <= 0 || !(rowRate > 0)) {
            return String.format(Locale.ROOT, "%s: %.0f s", what, seconds);
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s: %,d rows in %.0f s (%,.0f rows/s)", what,
                rows, seconds, rowRate));
        if (bytes > 0 && totalBytes > 0) {
            double share = Math.min(1, (double) bytes / totalBytes);
            b.append(String.format(Locale.ROOT, ", %.0f%% of %s", 100 * share, size(totalBytes)));
            if (share < 1 && byteRate > 0) {
                double left = (totalBytes - bytes) / byteRate - (seconds - countSeconds);
                b.append(String.format(Locale.ROOT, ", ETA %.0f s", Math.max(0, left)));
            }
        }
        return b.toString();
    }

    /**
     * The line inside an epoch: {@code seconds} so far of an epoch of {@code steps} steps per worker; with the
     * previous epoch's time ({@code expected}, NaN for the first epoch of a run) the share done and an ETA, both
     * estimates from that time (marked ~).
     */
    static String epoch(int epoch, int epochs, double seconds, int steps, double expected) {
        String head = String.format(Locale.ROOT, "epoch %d/%d: ", epoch, epochs);
        if (!(expected > 0)) {
            return head + String.format(Locale.ROOT, "%.0f s, %,d steps per worker (no earlier epoch to time it by)",
                    seconds, steps);
        }
        if (seconds >= expected) {
            return head + String.format(Locale.ROOT, "%.0f s, longer than the last epoch's %.0f s", seconds, expected);
        }
        double share = seconds / expected;
        return head + String.format(Locale.ROOT, "~%.0f%% (%.0f s of ~%.0f s), ETA ~%.0f s", Math.min(99, 100 * share),
                seconds, expected, expected - seconds);
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f kB", bytes / 1024.0);
    }
}
