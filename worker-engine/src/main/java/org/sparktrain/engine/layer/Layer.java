package org.sparktrain.engine.layer;

import java.util.SplittableRandom;
import org.sparktrain.engine.ParamRanges;
import org.sparktrain.engine.Shape;

/**
 * A computing layer: forward and backward over a whole minibatch, row-major, one example after the
 * other ({@code batch × inShape.size()} floats in, {@code batch × outShape.size()} out).
 *
 * <p>Ownership (EJML style): a layer owns its output and input-gradient buffers and its workspaces;
 * they are allocated at the first call with the largest batch and reused after that, so a steady
 * minibatch loop allocates nothing. A returned buffer stays valid until the next call of the same
 * method and may be longer than {@code batch × size}. Parameters, gradients and state are views:
 * the layer owns {@code [pOff, pOff + paramCount())} of the network's flat vectors (docs/architecture.md,
 * decision 1). {@link #backward} overwrites (does not add to) the layer's gradient range.
 *
 * <p>Configuration lives elsewhere ({@link LayerConfig}); this object holds the maths and buffers.
 */
public abstract class Layer {
    /** Names the layer in messages, e.g. {@code layer 3 (conv2d)}. */
    protected final String name;
    protected final Shape inShape;
    protected final Shape outShape;

    protected float[] params;
    protected float[] grads;
    protected int pOff;
    protected float[] state;
    protected int sOff;
    /** False for the first layer: nobody needs the gradient with respect to the data. */
    protected boolean needInputGrad = true;

    protected Layer(String name, Shape inShape, Shape outShape) {
        this.name = name;
        this.inShape = inShape;
        this.outShape = outShape;
    }

    public final String name() {
        return name;
    }

    public final Shape inShape() {
        return inShape;
    }

    public final Shape outShape() {
        return outShape;
    }

    /** Trainable parameters this layer owns in the flat vector. */
    public int paramCount() {
        return 0;
    }

    /** Non-trainable state (BatchNorm running statistics) this layer owns in the flat state vector. */
    public int stateCount() {
        return 0;
    }

    public void bind(float[] params, float[] grads, int pOff, float[] state, int sOff) {
        this.params = params;
        this.grads = grads;
        this.pOff = pOff;
        this.state = state;
        this.sOff = sOff;
    }

    /** The layers this one runs inside it, in forward order (a residual block's body and projection); none by default. */
    public java.util.List<Layer> sublayers() {
        return java.util.List.of();
    }

    public void setNeedInputGrad(boolean need) {
        this.needInputGrad = need;
    }

    /** Writes initial parameters into the bound range (seeded: same seed, same values). */
    public void initParams(SplittableRandom rnd) {
    }

    /** Writes the initial state (e.g. running variance 1) into the bound state range. */
    public void initState() {
    }

    /** Adds the ranges that L1/L2 and weight decay apply to (weights; not biases or BN gamma/beta). */
    public void addPenalizedRanges(ParamRanges.Builder b) {
    }

    /** Seeds this layer's randomness for the next forward pass (Dropout); derived from (seed, step). */
    public void setRandomSeed(long seed) {
    }

    /**
     * Per-step mask for the following forward/backward passes of sequence layers ({@code mask[b·T + t]},
     * 1 = real step, 0 = padding; null = no padding). Layers that do not read sequences ignore it.
     */
    public void setMask(float[] mask, int batch) {
    }

    /**
     * Forward pass. {@code x} is not modified and must stay unchanged until {@link #backward} (layers
     * keep a reference to it). Returns the output buffer.
     */
    public abstract float[] forward(float[] x, int batch, boolean training);

    /**
     * Backward pass for the last {@link #forward} (with {@code training} true): writes the parameter
     * gradients of this layer and returns dL/dx, or null when {@code needInputGrad} is false.
     * {@code dOut} is not modified... unless the layer documents that it reuses it.
     */
    public abstract float[] backward(float[] dOut, int batch);

    /** A buffer of at least {@code n} floats: {@code buf} itself when large enough. */
    protected static float[] ensure(float[] buf, int n) {
        return buf != null && buf.length >= n ? buf : new float[n];
    }

    @Override
    public String toString() {
        return name + " " + inShape + " -> " + outShape;
    }
}
