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
 * <h2>Truncated BPTT</h2>
 * {@code tbptt: k} (k &gt; 0) cuts the time axis into segments {@code [0,k), [k,2k), …} counted from
 * step 0. The forward pass is the full one (the state is carried across segments); the backward pass
 * treats the state entering each segment ({@code h_{sk−1}}, and the LSTM cell {@code c_{sk−1}}) as a
 * constant: no gradient flows from a segment into the previous one. The parameter gradient is thus
 * the gradient of the whole minibatch loss with the state stopped at every boundary, i.e. the sum of
 * the per-segment gradients of TBPTT(k, k) (Williams and Peng), applied in ONE update per minibatch
 * rather than one per segment. With last-step output only the last segment receives a gradient. The
 * input gradient follows the same rule. {@code tbptt: 0} (default) is full BPTT.
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

    /** True when step t of example b is padding. */
    protected final boolean padded(int b, int t) {
        return mask != null && mask[b * steps + t] == 0f;
    }

    // ---------------------------------------------------------------- cell hooks

    /** Resets the cell's own state (LSTM c) before step 0; {@link #hs} block 0 is already set. */
    protected void beginSequence(int batch) {
    }

    /** One step: z_t holds x_t·Wx + b on entry; writes the gate values into z_t and h_t into hs[t+1]. */
    protected abstract void forwardStep(int t, int batch);

    /** Once per backward pass before the time loop: transposed weight copies, carried gradients zeroed. */
    protected abstract void beginBackward(int batch);

    /** Zeroes the carried gradient of the cell's own state (LSTM dc) at a tbptt boundary. */
    protected void cutCarry(int batch) {
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
        int tb = steps * batch;
        int sf = steps * features;
        xt = ensure(xt, tb * features);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                System.arraycopy(x, b * sf + t * features, xt, (t * batch + b) * features, features);
            }
        }
        z = ensure(z, tb * gh);
        for (int r = 0; r < tb; r++) {
            System.arraycopy(params, pOff + bRel, z, r * gh, gh);
        }
        // every step's input projection in one GEMM: (T·B × F)·(F × G·H)
        gemm.gemm(false, false, tb, gh, features, xt, 0, params, pOff, z, 0, true);
        hs = ensure(hs, (steps + 1) * batch * units);
        if (initialH != null) {
            System.arraycopy(initialH, 0, hs, 0, batch * units);
        } else {
            Arrays.fill(hs, 0, batch * units, 0f);
        }
        beginSequence(batch);
        for (int t = 0; t < steps; t++) {
            forwardStep(t, batch);
        }
        int h = units;
        if (returnSequences) {
            y = ensure(y, tb * h);
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < steps; t++) {
                    int yo = (b * steps + t) * h;
                    if (padded(b, t)) {
                        Arrays.fill(y, yo, yo + h, 0f);
                    } else {
                        System.arraycopy(hs, ((t + 1) * batch + b) * h, y, yo, h);
                    }
                }
            }
        } else {
            y = ensure(y, batch * h);
            System.arraycopy(hs, steps * batch * h, y, 0, batch * h);
        }
        return y;
    }

    @Override
    public final float[] backward(float[] dOut, int batch) {
        int tb = steps * batch;
        int h = units;
        int bh = batch * h;
        dz = ensure(dz, tb * gh);
        dh = ensure(dh, bh);
        dhPrev = ensure(dhPrev, bh);
        Arrays.fill(dh, 0, bh, 0f);
        beginBackward(batch);
        for (int t = steps - 1; t >= 0; t--) {
            if (tbptt > 0 && t < steps - 1 && (t + 1) % tbptt == 0) {
                // segment boundary: the state leaving this segment is treated as a constant by the next
                Arrays.fill(dh, 0, bh, 0f);
                cutCarry(batch);
            }
            if (returnSequences) {
                for (int b = 0; b < batch; b++) {
                    if (padded(b, t)) {
                        continue; // the output of a padded step is 0 whatever the state: no gradient
                    }
                    int o = (b * steps + t) * h;
                    int d = b * h;
                    for (int j = 0; j < h; j++) {
                        dh[d + j] += dOut[o + j];
                    }
                }
            } else if (t == steps - 1) {
                System.arraycopy(dOut, 0, dh, 0, bh);
            }
            backwardStep(t, batch);
            float[] s = dh;
            dh = dhPrev;
            dhPrev = s;
        }
        // weight gradients over all steps at once
        gemm.gemm(true, false, features, gh, tb, xt, 0, dz, 0, grads, pOff, false);
        ones = ensure(ones, tb);
        if (ones[tb - 1] != 1f) {
            Arrays.fill(ones, 1f);
        }
        gemm.gemm(false, false, 1, gh, tb, ones, 0, dz, 0, grads, pOff + bRel, false);
        recurrentGradients(batch);
        if (!needInputGrad) {
            return null;
        }
        dxt = ensure(dxt, tb * features);
        gemm.gemm(false, true, tb, features, gh, dz, 0, params, pOff, dxt, 0, false);
        dx = ensure(dx, tb * features);
        int sf = steps * features;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                System.arraycopy(dxt, (t * batch + b) * features, dx, b * sf + t * features, features);
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

    /** The hidden states after step t (t = −1: the initial state) of the last forward, {@code B × H}, copied. */
    float[] hiddenAt(int t) {
        int bh = lastBatch * units;
        return Arrays.copyOfRange(hs, (t + 1) * bh, (t + 2) * bh);
    }

    /** Readable name of the layer for messages. */
    @Override
    public String toString() {
        return name + " " + inShape + " -> " + outShape + (tbptt > 0 ? " (tbptt " + tbptt + ")" : "");
    }
}
