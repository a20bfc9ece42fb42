package org.sparktrain.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.layer.Activation;
import org.sparktrain.engine.layer.Layer;
import org.sparktrain.engine.layer.LayerConfig;
import org.sparktrain.engine.layer.ShapeException;
import org.sparktrain.engine.loss.Loss;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.SpecException;

/**
 * A network built from a spec: its layers in order, ONE flat parameter vector, ONE flat gradient
 * vector of the same length and ONE flat state vector (BatchNorm running statistics), each layer
 * owning a range of them (docs/architecture.md, decision 1). Shapes are inferred layer by layer when the network
 * is built; an impossible shape is rejected naming the layer and the sizes.
 *
 * <p>When the loss fuses an activation (softmax cross-entropy, sigmoid BCE) and the spec ends with that
 * activation, the layer is not built: the network outputs logits and {@link #predict} applies it.
 *
 * <p>Not thread-safe: one network per worker thread.
 */
public final class Network {
    private final ModelSpec spec;
    private final List<Layer> layers;
    private final Loss loss;
    private final Shape outShape;
    private final float[] params;
    private final float[] grads;
    private final float[] state;
    private final ParamRanges penalized;
    private float[] dOut;

    private Network(ModelSpec spec, List<Layer> layers, Loss loss) {
        this.spec = spec;
        this.layers = layers;
        this.loss = loss;
        this.outShape = layers.get(layers.size() - 1).outShape();
        int np = 0;
        int ns = 0;
        for (Layer l : layers) {
            np += l.paramCount();
            ns += l.stateCount();
        }
        params = new float[np];
        grads = new float[np];
        state = new float[ns];
        int po = 0;
        int so = 0;
        ParamRanges.Builder pb = new ParamRanges.Builder();
        for (Layer l : layers) {
            l.bind(params, grads, po, state, so);
            l.addPenalizedRanges(pb);
            po += l.paramCount();
            so += l.stateCount();
        }
        penalized = pb.build();
        layers.get(0).setNeedInputGrad(false);
    }

    /** Builds the network and initialises parameters and state from {@code seed}. */
    public static Network build(ModelSpec spec, long seed) {
        Loss loss = spec.lossFunction();
        List<LayerConfig> configs = new ArrayList<>(spec.layers());
        String fused = loss.fusedActivation();
        if (fused != null && configs.size() > 1
                && configs.get(configs.size() - 1) instanceof Activation.Config a
                && a.kind().specName().equals(fused)) {
            configs.remove(configs.size() - 1);
        }
        List<Layer> layers = new ArrayList<>();
        Shape shape = spec.input();
        for (int i = 0; i < configs.size(); i++) {
            LayerConfig c = configs.get(i);
            String name = spec.source() + ": layer " + (i + 1) + " (" + c.type() + ")";
            try {
                c.outputShape(shape, name);
                Layer l = c.create(shape, name);
                layers.add(l);
                shape = l.outShape();
            } catch (ShapeException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new ShapeException(name + " cannot take input of shape " + shape + ": " + e.getMessage());
            }
        }
        if (loss.classification() && spec.classes() > 0 && shape.size() != spec.classes()) {
            throw new SpecException(spec.source() + ": the last layer gives " + shape.size()
                    + " outputs but the spec declares " + spec.classes() + " classes");
        }
        if (spec.outputs() > 0 && shape.size() != spec.outputs()) {
            throw new SpecException(spec.source() + ": the last layer gives " + shape.size()
                    + " outputs but the spec declares outputs: " + spec.outputs());
        }
        if (spec.labels() > 0 && shape.size() != spec.labels()) {
            throw new SpecException(spec.source() + ": the last layer gives " + shape.size()
                    + " outputs but the spec declares labels: " + spec.labels() + " (one sigmoid output per label)");
        }
        Network net = new Network(spec, layers, loss);
        net.initialise(seed);
        return net;
    }

    /**
     * The network a model file describes: its spec built, its parameters and state copied in.
     *
     * @throws SpecException when the spec in the file no longer builds, or builds a network whose
     *                       parameter or state count differs from the arrays in the file
     */
    public static Network restore(org.sparktrain.engine.io.ModelContents model, String source) {
        ModelSpec spec = ModelSpec.parse(model.spec(), source + " (embedded spec)");
        Network net = build(spec, 0);
        if (model.paramCount() != net.params.length || model.stateCount() != net.state.length) {
            throw new SpecException(source + ": the model file holds " + model.paramCount() + " parameters and "
                    + model.stateCount() + " state values, but its spec builds a network with " + net.params.length
                    + " and " + net.state.length + "; the file was not written by this spec");
        }
        System.arraycopy(model.params(), 0, net.params, 0, net.params.length);
        System.arraycopy(model.state(), 0, net.state, 0, net.state.length);
        return net;
    }

    /** The model-file contents of this network (spec text, parameters, state) with a scaler and provenance. */
    public org.sparktrain.engine.io.ModelContents toModel(java.util.Optional<org.sparktrain.engine.io.FittedScaler> scaler,
                                                          java.util.Map<String, String> provenance) {
        return new org.sparktrain.engine.io.ModelContents(spec.text(), params, state, scaler, provenance);
    }

    /** As {@link #toModel(java.util.Optional, java.util.Map)}, with a regression model's target scaler. */
    public org.sparktrain.engine.io.ModelContents toModel(java.util.Optional<org.sparktrain.engine.io.FittedScaler> scaler,
            java.util.Optional<org.sparktrain.engine.io.FittedScaler> targetScaler, java.util.Map<String, String> provenance) {
        return new org.sparktrain.engine.io.ModelContents(spec.text(), params, state, scaler, targetScaler, provenance);
    }

    /** (Re)initialises parameters and state from {@code seed}: same seed, same values. */
    public void initialise(long seed) {
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).initParams(new SplittableRandom(SplitMix.derive(seed, 0x1A7E, i)));
            layers.get(i).initState();
        }
    }

    /** Seeds every layer's randomness (Dropout) for the next forward pass. */
    public void setStepSeed(long seed) {
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).setRandomSeed(SplitMix.derive(seed, i));
        }
    }

    /** Forward pass over {@code batch} examples; returns the raw output buffer (logits for fused losses). */
    public float[] forward(float[] x, int batch, boolean training) {
        float[] a = x;
        for (Layer l : layers) {
            a = l.forward(a, batch, training);
        }
        return a;
    }

    /**
     * One training pass: forward (training mode), loss, backward. Leaves the data-loss gradient in
     * {@link #grads()} (every layer overwrites its range) and returns the mean data loss. Penalties,
     * clipping and the optimizer step are the trainer's.
     */
    public double computeGradient(MiniBatch b) {
        int outSize = outShape.size();
        setMask(b.mask, b.size);
        try {
            float[] out = forward(b.features, b.size, true);
            dOut = ensure(dOut, b.size * outSize);
            double l = loss.forwardBackward(out, outSize, b, dOut);
            float[] g = dOut;
            for (int i = layers.size() - 1; i >= 0; i--) {
                g = layers.get(i).backward(g, b.size);
            }
            return l;
        } finally {
            setMask(null, 0);
        }
    }

    /** Mean data loss of a minibatch in inference mode (no gradient). */
    public double loss(MiniBatch b) {
        setMask(b.mask, b.size);
        try {
            float[] out = forward(b.features, b.size, false);
            return loss.forwardBackward(out, outShape.size(), b, null);
        } finally {
            setMask(null, 0);
        }
    }

    /** Inference: what a user reads (class probabilities, or values) for {@code rows} examples. */
    public void predict(float[] x, int rows, float[] predictions) {
        float[] out = forward(x, rows, false);
        loss.toPredictions(out, outShape.size(), rows, predictions);
    }

    /**
     * Inference on padded sequences: {@code mask[r·T + t]} is 1 for a real step, 0 for padding
     * (see {@link #setMask}).
     */
    public void predict(float[] x, float[] mask, int rows, float[] predictions) {
        setMask(mask, rows);
        try {
            predict(x, rows, predictions);
        } finally {
            setMask(null, 0);
        }
    }

    /**
     * Gives every layer the per-step mask of a minibatch of sequences ({@code mask[r·T + t]}, 1 = real
     * step, 0 = padding; null = none) for the following forward/backward passes; layers that do not read
     * sequences ignore it. {@link #computeGradient}, {@link #loss} and the masked {@link #predict} pass
     * {@code MiniBatch.mask} this way and clear it afterwards.
     */
    public void setMask(float[] mask, int batch) {
        for (Layer l : layers) {
            l.setMask(mask, batch);
        }
    }

    private static float[] ensure(float[] buf, int n) {
        return buf != null && buf.length >= n ? buf : new float[n];
    }

    public ModelSpec spec() {
        return spec;
    }

    public List<Layer> layers() {
        return layers;
    }

    public Loss lossFunction() {
        return loss;
    }

    public Shape inputShape() {
        return spec.input();
    }

    public Shape outputShape() {
        return outShape;
    }

    /** The flat parameter vector (live). */
    public float[] params() {
        return params;
    }

    /** The flat gradient vector (live), same layout as {@link #params()}. */
    public float[] grads() {
        return grads;
    }

    /** The flat state vector (live): BatchNorm running statistics. */
    public float[] state() {
        return state;
    }

    /** The weights L1/L2 and weight decay apply to. */
    public ParamRanges penalizedRanges() {
        return penalized;
    }

    /** One line per layer with shapes and parameter counts. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-44s %-16s %10s%n", "layer", "output", "params"));
        for (Layer l : layers) {
            String n = l.name();
            int c = n.lastIndexOf("layer ");
            sb.append(String.format("%-44s %-16s %10d%n", c >= 0 ? n.substring(c) : n, l.outShape(), l.paramCount()));
        }
        sb.append(String.format("total parameters: %d, state: %d%n", params.length, state.length));
        return sb.toString();
    }
}
