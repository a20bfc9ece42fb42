package org.sparktrain.engine.layer;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.sparktrain.engine.ParamRanges;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.kernel.Gemm;
import org.sparktrain.engine.kernel.Gemms;

/**
 * What {@link SimpleRnn}, {@link Lstm} and {@link Gru} share: sequence layout, the input projection of
 * all time steps in one GEMM, the time loop, masks, truncated BPTT, the output (every step or the last
 * one) and the input gradient. A subclass supplies one step of its cell, forward and backward, and the
 * gradients of its recurrent weights.
 *
 * <h2>Layout</h2>
 * An example is a sequence {@code [T, F]}: {@code x[b][t][f]} at {@code (b·T + t)·F + f} (Fashion-MNIST
 * rows are steps). Internally everything is <b>time-major</b>, so that the rows of one step form one
 * contiguous {@code B × ·} matrix: the input is transposed once into {@code xt (T·B × F)}, row
 * {@code t·B + b}. With G the number of stacked gates (1, 4 or 3) and H the units:
 * <ul>
 *   <li>{@code z (T·B × G·H)}: {@code z = xt·Wx + b} for every step in ONE GEMM before the recurrence,
 *       then per step the cell adds {@code h_{t−1}·Wh} (one GEMM per step over the whole minibatch)
 *       and applies its activations in place: after the forward pass z holds the gate values;</li>
 *   <li>{@code hs ((T+1)·B × H)}: hidden states, block 0 is the initial state (zeros);</li>
 *   <li>{@code dz (T·B × G·H)}: gradients of the pre-activations, so that after the time loop
 *       {@code dWx = xtᵀ·dz}, {@code db = 1ᵀ·dz}, {@code dWh = hs[0..T)ᵀ·dz} and
 *       {@code dxt = dz·Wxᵀ} are each ONE GEMM over all steps.</li>
 * </ul>
 * Parameters in the flat vector: {@code Wx (F × G·H)}, then the cell's recurrent block (for most
 * cells {@code Wh (H × G·H)}), then {@code b (G·H)}, then any cell extras. Weights are stored
 * input-major so every forward product is NN (the fast GEMM form); backward uses a transposed copy of
 * the recurrent weights made once per minibatch, so the per-step {@code dz·Whᵀ} is NN as well.
 *
 * <h2>Output</h2>
 * {@code return_sequences: true}: {@code [T, H]}, {@code y[b][t] = h_t} (zero at padded steps);
 * false: {@code [H]}, the state after the last step {@code h_T}.
 *
 * <h2>Masks (variable-length sequences)</h2>
 * {@link #setMask}: {@code mask[b·T + t]} is 1 for a real step and 0 for padding. A padded step
 * carries the state through unchanged ({@code h_t = h_{t−1}}, LSTM {@code c_t = c_{t−1}}), outputs 0
 * with return_sequences, and the gradient arriving at its output is ignored; so padded steps change
 * neither the outputs at real steps nor any gradient, and the last-step output of a sequence padded at
 * the end is the state after its last real step. Padding may sit anywhere (left, right, inside).
 *
 * <h2>Packed steps (sequences padded at the end)</h2>
 * When every row of the mask is a prefix ({@code 1…1 0…0}: a sequence of length {@code len_b} padded
 * at the end, what files of variable-length sequences give), padded steps are not computed at all, as
 * PyTorch's {@code pack_padded_sequence}: the rows are put in order of decreasing length (ties in row
 * order), so the {@code n_t} sequences still running at step t are the first {@code n_t} positions, and
 * every per-step buffer holds only them: step t's block starts at row {@code off_t = Σ_{s<t} n_s}
 * ({@link #zRow}) and has {@link #rowsAt n_t} rows; {@code hs} holds the initial state ({@code B} rows)
 * then the state after step t at row {@code B + off_t} ({@link #hIn}, {@link #hOut}). The input
 * projection and the weight gradients are single GEMMs over the {@code N = Σ len_b} real steps. The
 * results are the masked semantics above, and they depend only on the real steps: the same sequences
 * padded to any T give the same bits. An all-ones mask or no mask is the layout with {@code n_t = B}.
 *
 * <h2>Truncated BPTT</h2>
 * {@code tbptt: k} (k &gt; 0) cuts the time axis into segments {@code [0,k), [k,2k), …} counted from
 * step 0. The forward pass is the full one (the state is carried across segments); the backward pass
 * treats the state entering each segment ({@code h_{sk−1}}, and the LSTM cell {@code c_{sk−1}}) as a
 * constant: no gradient flows from a segment into the previous one. The parameter gradient is thus
 * the gradient of the whole minibatch loss with the state stopped at every boundary, i.e. the sum of
 * the per-segment gradients of TBPTT(k, k) (Williams and Peng), applied in ONE update per minibatch
 * rather than one per segment. With last-step output only the last segment receives a gradient. The
 * input gradient follows the same rule. {@code tbptt: 0} (default) is full BPTT. A sequence whose real
 * steps have all been seen (only padding after step t) is not cut at a boundary after t: its gradient
 * is the one it gets unpadded.
 */
public abstract class Recurrent extends Layer {
    protected final int steps;
    protected final int features;
    protected final int units;
    /** Columns of the stacked pre-activations: gates × units. */
    protected final int gh;
    protected final boolean returnSequences;
    protected final int tbptt;
    /** Offsets relative to pOff: recurrent block, stacked bias, cell extras. */
    protected final int whRel;
    protected final int bRel;
    protected final int extraRel;
    private final int paramCount;

    protected final Gemm gemm = Gemms.fastest();
    protected final RecurrentKernels fn = RecurrentKernels.get();

    protected float[] xt;
    protected float[] z;
    protected float[] hs;
    protected float[] dz;
    protected float[] dh;
    protected float[] dhPrev;
    protected float[] mask;
    private float[] y;
    private float[] dxt;
    private float[] dx;
    private float[] ones;
    /** Per-step row counts n_t and block offsets off_t (length T+1, off_T = N) of the current pass. */
    private int[] stepRows = new int[0];
    private int[] stepOff = new int[0];
    /** Position p → minibatch row b (identity unless packed); lengths and last real step by position. */
    private int[] order = new int[0];
    private int[] lengths = new int[0];
    private int[] lastReal = new int[0];
    /** True when the mask's rows are prefixes and padded steps are skipped (see "Packed steps"). */
    private boolean packed;
    /** Scratch of the counting sort (reused: no allocation per pass). */
    private int[] count = new int[0];
    private int[] sorted = new int[0];
    /** Real rows over all steps (N); T·B unless packed. */
    private int packedRows;
    private float[] statesIn;
    /** Batch of the last forward. */
    int lastBatch;
    /** Initial state for the next forward passes (tests, stateful use); null means zeros. */
    float[] initialH;

    /**
     * @param recurrentCount floats of the recurrent weight block
     * @param extraCount     floats after the stacked bias (GRU's PyTorch-form recurrent bias)
     */
    protected Recurrent(String name, Shape in, int gates, int units, boolean returnSequences, int tbptt,
                        int recurrentCount, int extraCount) {
        super(name, in, returnSequences ? Shape.of(sequenceLength(in, name), units) : Shape.of(units));
        if (tbptt < 0) {
            throw new IllegalArgumentException(name + ": tbptt must be >= 0 (0 = full BPTT), got " + tbptt);
        }
        this.steps = in.dim(0);
        this.features = in.dim(1);
        this.units = units;
        this.gh = gates * units;
        this.returnSequences = returnSequences;
        this.tbptt = tbptt;
        this.whRel = features * gh;
        this.bRel = whRel + recurrentCount;
        this.extraRel = bRel + gh;
        this.paramCount = extraRel + extraCount;
    }

    /** The number of steps of a sequence shape; refuses anything but {@code [time, features]}. */
    static int sequenceLength(Shape in, String name) {
        if (in.rank() != 2) {
            throw new ShapeException(name + ": a recurrent layer takes sequences of shape [time, features], got "
                    + in + " (write e.g. input: [28, 28] for images read row by row)");
        }
        return in.dim(0);
    }

    @Override
    public final int paramCount() {
        return paramCount;
    }

    @Override
    public void addPenalizedRanges(ParamRanges.Builder b) {
        b.add(pOff, bRel); // Wx and the recurrent weights; not the biases
    }

    /**
     * Per-step mask for the following forward/backward passes: {@code mask[b·T + t]}, 1 for a real
     * step, 0 for padding; null means every step is real. Kept by reference.
     */
    @Override
    public void setMask(float[] mask, int batch) {
        if (mask != null && mask.length < batch * steps) {
            throw new IllegalArgumentException(name + ": the mask holds " + mask.length + " values but a minibatch of "
                    + batch + " sequences of " + steps + " steps needs " + batch * steps + " (one per step)");
        }
        this.mask = mask;
    }

    /**
     * True when step t of the row at position b is padding and must be carried through by the cell;
     * never in packed mode (only real steps are computed there).
     */
    protected final boolean padded(int b, int t) {
        return !packed && mask != null && mask[b * steps + t] == 0f;
    }

    /** Rows computed at step t: n_t (B unless packed). */
    protected final int rowsAt(int t) {
        return stepRows[t];
    }

    /** First row of step t in the per-step buffers (xt, z, dz, and the cells' own): off_t (t·B unless packed). */
    protected final int zRow(int t) {
        return stepOff[t];
    }

    /** First row in {@link #hs} of the state entering step t (0 for the initial state). */
    protected final int hIn(int t) {
        return t == 0 ? 0 : lastBatch + stepOff[t - 1];
    }

    /** First row in {@link #hs} of the state leaving step t. */
    protected final int hOut(int t) {
        return lastBatch + stepOff[t];
    }

    /** Real rows over all steps: the row count of z, dz and the cells' per-step buffers. */
    protected final int stepRowsTotal() {
        return packedRows;
    }

    /**
     * The states entering each step, aligned with the rows of {@link #z} ({@code N × H}): {@link #hs}
     * itself unless packed, else a gathered copy (for the recurrent weight gradient, one GEMM).
     */
    protected final float[] statesIn() {
        if (!packed) {
            return hs;
        }
        int h = units;
        statesIn = ensure(statesIn, packedRows * h);
        for (int t = 0; t < steps; t++) {
            System.arraycopy(hs, hIn(t) * h, statesIn, zRow(t) * h, rowsAt(t) * h);
        }
        return statesIn;
    }

    /** Sets the step layout of a pass over {@code batch} rows from the mask (see "Packed steps"). */
    private void layout(int batch) {
        if (stepRows.length != steps) {
            stepRows = new int[steps];
            stepOff = new int[steps + 1];
        }
        if (order.length < batch) {
            order = new int[batch];
            lengths = new int[batch];
            lastReal = new int[batch];
        }
        packed = mask != null && prefixLengths(batch);
        if (!packed) {
            for (int b = 0; b < batch; b++) {
                order[b] = b;
                int last = steps - 1;
                if (mask != null) {
                    while (last >= 0 && mask[b * steps + last] == 0f) {
                        last--;
                    }
                }
                lastReal[b] = last;
            }
            for (int t = 0; t < steps; t++) {
                stepRows[t] = batch;
                stepOff[t] = t * batch;
            }
            stepOff[steps] = steps * batch;
            packedRows = steps * batch;
            return;
        }
        // stable order of decreasing length: counting sort on T − len
        if (count.length != steps + 2) {
            count = new int[steps + 2];
        }
        int[] count = this.count;
        Arrays.fill(count, 0);
        for (int b = 0; b < batch; b++) {
            count[steps - lengths[b] + 1]++;
        }
        for (int k = 1; k < count.length; k++) {
            count[k] += count[k - 1];
        }
        if (sorted.length < batch) {
            sorted = new int[batch];
        }
        int[] len = sorted;
        for (int b = 0; b < batch; b++) {
            int p = count[steps - lengths[b]]++;
            order[p] = b;
            len[p] = lengths[b];
        }
        int off = 0;
        int n = batch;
        for (int t = 0; t < steps; t++) {
            while (n > 0 && len[n - 1] <= t) {
                n--;
            }
            stepRows[t] = n;
            stepOff[t] = off;
            off += n;
        }
        stepOff[steps] = off;
        packedRows = off;
        for (int p = 0; p < batch; p++) {
            lengths[p] = len[p];
            lastReal[p] = len[p] - 1;
        }
    }

    /** Reads each row's length into {@link #lengths} (by row); false if some row is not 1…1 0…0. */
    private boolean prefixLengths(int batch) {
        for (int b = 0; b < batch; b++) {
            int o = b * steps;
            int len = 0;
            while (len < steps && mask[o + len] != 0f) {
                len++;
            }
            for (int t = len; t < steps; t++) {
                if (mask[o + t] != 0f) {
                    return false;
                }
            }
            lengths[b] = len;
        }
        return true;
    }

    // ---------------------------------------------------------------- cell hooks

    /** Resets the cell's own state (LSTM c) before step 0; {@link #hs} block 0 is already set. */
    protected void beginSequence(int batch) {
    }

    /** One step: z_t holds x_t·Wx + b on entry; writes the gate values into z_t and h_t into hs[t+1]. */
    protected abstract void forwardStep(int t, int batch);

    /** Once per backward pass before the time loop: transposed weight copies, carried gradients zeroed. */
    protected abstract void beginBackward(int batch);

    /** Zeroes the carried gradient of the cell's own state (LSTM dc) of the row at position p, at a tbptt boundary. */
    protected void cutCarry(int p) {
    }

    /**
     * One step backward: {@link #dh} holds dL/dh_t (from the output and from step t+1); writes dz_t,
     * and dL/dh_{t−1} into {@link #dhPrev}. A padded row gets dz = 0 and passes dh (and dc) through.
     */
    protected abstract void backwardStep(int t, int batch);

    /** After the time loop: the gradients of the recurrent block (and extras), overwriting them. */
    protected abstract void recurrentGradients(int batch);

    // ---------------------------------------------------------------- init helpers

    /** Fills the input weights: PyTorch's U(±1/sqrt(H)) ("uniform") or Xavier per gate ("xavier"). */
    protected void initInputWeights(Init init, SplittableRandom rnd) {
        if (init == Init.XAVIER) {
            Init.XAVIER.fill(params, pOff, whRel, features, units, rnd);
        } else {
            Init.UNIFORM.fill(params, pOff, whRel, units, units, rnd);
        }
    }

    /**
     * Fills an {@code H × cols} recurrent matrix at {@code off}: U(±1/sqrt(H)), or with
     * {@code orthogonal} each {@code H × H} column block an orthogonal matrix (Gram-Schmidt of a
     * Gaussian matrix, in double).
     */
    protected void initRecurrentWeights(boolean orthogonal, int off, int cols, SplittableRandom rnd) {
        if (!orthogonal) {
            Init.UNIFORM.fill(params, off, units * cols, units, units, rnd);
            return;
        }
        int h = units;
        double[][] q = new double[h][h];
        for (int g = 0; g < cols / h; g++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < h; j++) {
                    q[i][j] = Init.gaussian(rnd);
                }
                for (int p = 0; p < i; p++) { // modified Gram-Schmidt on the rows
                    double d = 0;
                    for (int j = 0; j < h; j++) {
                        d += q[i][j] * q[p][j];
                    }
                    for (int j = 0; j < h; j++) {
                        q[i][j] -= d * q[p][j];
                    }
                }
                double n = 0;
                for (int j = 0; j < h; j++) {
                    n += q[i][j] * q[i][j];
                }
                n = Math.sqrt(n);
                for (int j = 0; j < h; j++) {
                    q[i][j] /= n;
                }
            }
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < h; j++) {
                    params[off + i * cols + g * h + j] = (float) q[i][j];
                }
            }
        }
    }

    // ---------------------------------------------------------------- forward / backward

    @Override
    public final float[] forward(float[] x, int batch, boolean training) {
        lastBatch = batch;
        layout(batch);
        int n = packedRows;
        int sf = steps * features;
        xt = ensure(xt, n * features);
        for (int t = 0; t < steps; t++) {
            int r0 = zRow(t);
            for (int p = 0, rows = rowsAt(t); p < rows; p++) {
                System.arraycopy(x, order[p] * sf + t * features, xt, (r0 + p) * features, features);
            }
        }
        z = ensure(z, n * gh);
        for (int r = 0; r < n; r++) {
            System.arraycopy(params, pOff + bRel, z, r * gh, gh);
        }
        // every step's input projection in one GEMM: (N × F)·(F × G·H)
        gemm.gemm(false, false, n, gh, features, xt, 0, params, pOff, z, 0, true);
        int h = units;
        hs = ensure(hs, (batch + n) * h);
        if (initialH != null) {
            placeInitial(initialH, hs, batch);
        } else {
            Arrays.fill(hs, 0, batch * h, 0f);
        }
        beginSequence(batch);
        for (int t = 0; t < steps; t++) {
            forwardStep(t, batch);
        }
        if (returnSequences) {
            y = ensure(y, steps * batch * h);
            for (int p = 0; p < batch; p++) {
                int b = order[p];
                for (int t = 0; t < steps; t++) {
                    int yo = (b * steps + t) * h;
                    if (packed ? t >= lengths[p] : padded(p, t)) {
                        Arrays.fill(y, yo, yo + h, 0f);
                    } else {
                        System.arraycopy(hs, (hOut(t) + p) * h, y, yo, h);
                    }
                }
            }
        } else {
            y = ensure(y, batch * h);
            if (packed) {
                for (int p = 0; p < batch; p++) {
                    int len = lengths[p];
                    System.arraycopy(hs, ((len == 0 ? 0 : hOut(len - 1)) + p) * h, y, order[p] * h, h);
                }
            } else {
                System.arraycopy(hs, hOut(steps - 1) * h, y, 0, batch * h);
            }
        }
        return y;
    }

    @Override
    public final float[] backward(float[] dOut, int batch) {
        int n = packedRows;
        int h = units;
        int bh = batch * h;
        dz = ensure(dz, n * gh);
        dh = ensure(dh, bh);
        dhPrev = ensure(dhPrev, bh);
        if (returnSequences) {
            Arrays.fill(dh, 0, bh, 0f);
            Arrays.fill(dhPrev, 0, bh, 0f); // rows not yet started (packed) stay 0 in both
        } else {
            // the gradient at each sequence's last real step; a row waits in both buffers until its
            // last step is reached (positions are active from their last step down to step 0)
            for (int p = 0; p < batch; p++) {
                System.arraycopy(dOut, order[p] * h, dh, p * h, h);
            }
            System.arraycopy(dh, 0, dhPrev, 0, bh);
        }
        beginBackward(batch);
        for (int t = steps - 1; t >= 0; t--) {
            if (tbptt > 0 && t < steps - 1 && (t + 1) % tbptt == 0) {
                // segment boundary: the state leaving this segment is treated as a constant by the next
                // (for the sequences that have a real step after it)
                for (int p = 0; p < batch; p++) {
                    if (lastReal[p] > t) {
                        Arrays.fill(dh, p * h, p * h + h, 0f);
                        cutCarry(p);
                    }
                }
            }
            if (returnSequences) {
                for (int p = 0, rows = rowsAt(t); p < rows; p++) {
                    if (padded(p, t)) {
                        continue; // the output of a padded step is 0 whatever the state: no gradient
                    }
                    int o = (order[p] * steps + t) * h;
                    int d = p * h;
                    for (int j = 0; j < h; j++) {
                        dh[d + j] += dOut[o + j];
                    }
                }
            }
            backwardStep(t, batch);
            float[] s = dh;
            dh = dhPrev;
            dhPrev = s;
        }
        // weight gradients over all steps at once
        gemm.gemm(true, false, features, gh, n, xt, 0, dz, 0, grads, pOff, false);
        ones = ensure(ones, n);
        if (n > 0 && ones[n - 1] != 1f) {
            Arrays.fill(ones, 1f);
        }
        gemm.gemm(false, false, 1, gh, n, ones, 0, dz, 0, grads, pOff + bRel, false);
        recurrentGradients(batch);
        if (!needInputGrad) {
            return null;
        }
        dxt = ensure(dxt, n * features);
        gemm.gemm(false, true, n, features, gh, dz, 0, params, pOff, dxt, 0, false);
        int sf = steps * features;
        dx = ensure(dx, batch * sf);
        if (packed) {
            Arrays.fill(dx, 0, batch * sf, 0f);
        }
        for (int t = 0; t < steps; t++) {
            int r0 = zRow(t);
            for (int p = 0, rows = rowsAt(t); p < rows; p++) {
                System.arraycopy(dxt, (r0 + p) * features, dx, order[p] * sf + t * features, features);
            }
        }
        return dx;
    }

    /** {@code dst (cols × rows) = srcᵀ} for the {@code rows × cols} matrix at {@code src[off]}. */
    protected static void transpose(float[] src, int off, int rows, int cols, float[] dst) {
        for (int i = 0; i < rows; i++) {
            int so = off + i * cols;
            for (int j = 0; j < cols; j++) {
                dst[j * rows + i] = src[so + j];
            }
        }
    }

    /**
     * The hidden states after step t (t = −1: the initial state) of the last forward, {@code B × H} in
     * minibatch row order, copied; a row without step t (packed, shorter) gets its last state.
     */
    float[] hiddenAt(int t) {
        return stateAt(hs, t);
    }

    /** A state buffer laid out as {@link #hs} after step t, {@code B × H} in minibatch row order (see {@link #hiddenAt}). */
    final float[] stateAt(float[] states, int t) {
        int h = units;
        float[] out = new float[lastBatch * h];
        for (int p = 0; p < lastBatch; p++) {
            int last = packed ? Math.min(t, lengths[p] - 1) : t;
            System.arraycopy(states, ((last < 0 ? 0 : hOut(last)) + p) * h, out, order[p] * h, h);
        }
        return out;
    }

    /** Copies an initial state given in minibatch row order ({@code B × H}) to the first B rows of {@code states}, by position. */
    final void placeInitial(float[] initial, float[] states, int batch) {
        for (int p = 0; p < batch; p++) {
            System.arraycopy(initial, order[p] * units, states, p * units, units);
        }
    }

    /** Readable name of the layer for messages. */
    @Override
    public String toString() {
        return name + " " + inShape + " -> " + outShape + (tbptt > 0 ? " (tbptt " + tbptt + ")" : "");
    }
}
