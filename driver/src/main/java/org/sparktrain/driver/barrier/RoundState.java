package org.sparktrain.driver.barrier;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.BooleanSupplier;

/**
 * The averaged state of a barrier stage after some of its epoch's rounds, as task 0 hands it to the driver
 * (docs/architecture.md, "Failing cleanly": recovery in rounds): everything a rerun needs to continue from there
 * bit for bit. After the all-reduce every replica holds the same bits, so one task's copy is the stage's.
 * <ul>
 * <li>{@code state}: {@code [params | optimizer state | network state]} ({@code RoundVector.packState(Trainer)}),
 *     BatchNorm statistics included, followed by SlowMo's outer momentum u (one float per parameter) when the run
 *     has one;</li>
 * <li>{@code roundsDone}: the rounds of the epoch's plan completed (the rerun starts with round {@code roundsDone},
 *     from 0); {@code step}: the minibatches each worker has taken (it skips them: the epoch's order is a function
 *     of (seed, epoch), every random stream of (seed, epoch, worker, step)); {@code stepCount}: the optimizer's;</li>
 * <li>{@code lossSums} and {@code examples} of the completed rounds (the epoch's loss, the divergence guard).</li>
 * </ul>
 * The learning rate and the plan are the epoch's, which the driver keeps.
 *
 * <p>On the wire (after the rendezvous's address reply, on task 0's authenticated connection, in {@link LinkCipher}
 * frames when it is encrypted), little-endian:
 * int32 {@link #MAGIC}, int32 roundsDone, int32 step, int64 stepCount, int32 n, n float32 state, roundsDone float64
 * loss sums, roundsDone float64 example counts, int64 {@link TaskReport#hash} of the state.
 */
public final class RoundState {
    static final int MAGIC = 0x53545431; // "STT1"
    private static final int HEADER = 4 + 4 + 4 + 8 + 4;

    private final int roundsDone;
    private final int step;
    private final long stepCount;
    private final float[] state;
    private final double[] lossSums;
    private final double[] examples;

    public RoundState(int roundsDone, int step, long stepCount, float[] state, double[] lossSums, double[] examples) {
        if (lossSums.length != roundsDone || examples.length != roundsDone) {
            throw new IllegalArgumentException("a state after " + roundsDone + " rounds needs their losses");
        }
        this.roundsDone = roundsDone;
        this.step = step;
        this.stepCount = stepCount;
        this.state = state;
        this.lossSums = lossSums;
        this.examples = examples;
    }

    /** Rounds of the epoch completed; the next attempt starts with this round (from 0). */
    public int roundsDone() {
        return roundsDone;
    }

    /** Minibatches every worker has taken in the epoch. */
    public int step() {
        return step;
    }

    public long stepCount() {
        return stepCount;
    }

    /** {@code [params | optimizer state | network state]}, then u with SlowMo; not copied. */
    public float[] state() {
        return state;
    }

    public double[] lossSums() {
        return lossSums;
    }

    public double[] examples() {
        return examples;
    }

    /** The message as sent. */
    ByteBuffer encode() {
        int m = roundsDone;
        ByteBuffer b = ByteBuffer.allocate(HEADER + 4 * state.length + 16 * m + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(roundsDone).putInt(step).putLong(stepCount).putInt(state.length);
        b.asFloatBuffer().put(state);
        b.position(b.position() + 4 * state.length);
        for (double d : lossSums) {
            b.putDouble(d);
        }
        for (double d : examples) {
            b.putDouble(d);
        }
        b.putLong(TaskReport.hash(state));
        return b.flip();
    }

    /**
     * Reads one message from {@code ch}, checking it against what the driver expects: a state of
     * {@code stateLength} floats after fewer than {@code rounds} rounds, intact (its hash).
     *
     * @return the state, or null when the task closed the connection before a new message began
     */
    static RoundState read(Conn ch, int stateLength, int rounds, BooleanSupplier stop, int pollMillis,
                           String what) throws IOException {
        long forever = System.nanoTime() + Long.MAX_VALUE / 2; // a stage runs as long as its epoch: no deadline
        ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        if (!ch.readOrEnd(h, forever, stop, pollMillis, what)) {
            return null; // the task closed the connection between messages: its stage ended
        }
        h.flip();
        int magic = h.getInt();
        int done = h.getInt();
        int step = h.getInt();
        long stepCount = h.getLong();
        int n = h.getInt();
        if (magic != MAGIC || n != stateLength || done < 1 || done >= rounds || step < done) {
            throw new IOException(what + ": not a state message of this stage (magic " + Integer.toHexString(magic)
                    + ", " + n + " floats for " + stateLength + ", round " + done + " of " + rounds + ")");
        }
        ByteBuffer body = ByteBuffer.allocate(4 * n + 16 * done + 8).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(body, forever, stop, pollMillis, what);
        body.flip();
        float[] state = new float[n];
        body.asFloatBuffer().get(state);
        body.position(4 * n);
        double[] loss = new double[done];
        double[] ex = new double[done];
        for (int i = 0; i < done; i++) {
            loss[i] = body.getDouble();
        }
        for (int i = 0; i < done; i++) {
            ex[i] = body.getDouble();
        }
        if (body.getLong() != TaskReport.hash(state)) {
            throw new IOException(what + ": the state after round " + done + " arrived damaged (hash differs)");
        }
        return new RoundState(done, step, stepCount, state, loss, ex);
    }
}
