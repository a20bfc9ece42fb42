package org.sparktrain.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.layer.Activation;
import org.sparktrain.engine.layer.BatchNorm;
import org.sparktrain.engine.layer.BatchStatsSync;
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
        // a sequence output [T, K] is K values per step (many-to-many): the spec's counts are per step
        int k = shape.rank() == 2 ? shape.dim(1) : shape.size();
        String per = shape.rank() == 2 ? " per step (output " + shape + ")" : "";
        if (loss.classification() && spec.classes() > 0 && k != spec.classes()) {
            throw new SpecException(spec.source() + ": the last layer gives " + k
                    + " outputs" + per + " but the spec declares " + spec.classes() + " classes");
        }
        if (spec.outputs() > 0 && k != spec.outputs()) {
            throw new SpecException(spec.source() + ": the last layer gives " + k
                    + " outputs" + per + " but the spec declares outputs: " + spec.outputs());
        }
        if (spec.labels() > 0 && k != spec.labels()) {
            throw new SpecException(spec.source() + ": the last layer gives " + k
                    + " outputs" + per + " but the spec declares labels: " + spec.labels() + " (one sigmoid output per label)");
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
            double l = perStep() ? stepLoss(out, b, dOut) : loss.forwardBackward(out, outSize, b, dOut);
            float[] g = dOut;
            for (int i = layers.size() - 1; i >= 0; i--) {
                g = layers.get(i).backward(g, b.size);
            }
            return l;
        } finally {
            setMask(null, 0);
        }
    }

    /**
     * Sums every BatchNorm layer's batch statistics over the workers of each training step through {@code s}
     * (synchronised BatchNorm, docs/architecture.md "The global minibatch"), those inside residual blocks included;
     * null turns it off.
     */
    public void synchroniseBatchNorm(BatchStatsSync s) {
        for (BatchNorm bn : batchNormLayers()) {
            bn.synchronise(s);
        }
    }

    /**
     * Every BatchNorm layer, nested ones included, in the order a training forward pass calls their batch
     * statistics' sums (a backward pass calls them in the reverse order).
     */
    public List<BatchNorm> batchNormLayers() {
        List<BatchNorm> out = new ArrayList<>();
        collectBatchNorm(layers, out);
        return out;
    }

    private static void collectBatchNorm(List<Layer> ls, List<BatchNorm> out) {
        for (Layer l : ls) {
            if (l instanceof BatchNorm bn) {
                out.add(bn);
            }
            collectBatchNorm(l.sublayers(), out);
        }
    }

    /**
     * A training step of a worker that has no rows in it while the others may have, with synchronised BatchNorm:
     * takes part in every BatchNorm layer's sums, in the order {@link #computeGradient} calls them, with nothing;
     * computes no gradient. Nothing to do when no sum is installed or there is no BatchNorm layer.
     */
    public void idleTrainingStep() {
        List<BatchNorm> bns = batchNormLayers();
        for (BatchNorm bn : bns) {
            bn.idleForward();
        }
        for (int i = bns.size() - 1; i >= 0; i--) {
            bns.get(i).idleBackward();
        }
    }

    /** Mean data loss of a minibatch in inference mode (no gradient). */
    public double loss(MiniBatch b) {
        setMask(b.mask, b.size);
        try {
            float[] out = forward(b.features, b.size, false);
            return perStep() ? stepLoss(out, b, null) : loss.forwardBackward(out, outShape.size(), b, null);
        } finally {
            setMask(null, 0);
        }
    }

    /** Inference: what a user reads (class probabilities, or values) for {@code rows} examples. */
    public void predict(float[] x, int rows, float[] predictions) {
        float[] out = forward(x, rows, false);
        if (perStep()) {
            // one prediction per step ({@code rows × T × K}); those of padded steps mean nothing
            loss.toPredictions(out, outShape.dim(1), rows * outShape.dim(0), predictions);
        } else {
            loss.toPredictions(out, outShape.size(), rows, predictions);
        }
    }

    /**
     * True when the output is one vector per time step ({@code [T, K]}, e.g. a recurrent layer with
     * {@code return_sequences: true} and a {@code time_distributed} layer): many-to-many. The loss is then
     * taken per real step ({@link #stepLoss}) and the minibatch holds a label (or K targets) per step.
     */
    public boolean perStep() {
        return outShape.rank() == 2;
    }

    private MiniBatch steps;
    private float[] stepOut;
    private float[] stepGrad;
    private int[] stepLabels;
    private float[] stepTargets;
    private float[] stepWeights;

    /**
     * The loss of a per-step output (docs/architecture.md, "Variable-length sequences"): every real step is
     * an example of K outputs with its own label ({@code labels[b·T + t]}) or targets
     * ({@code targets[(b·T + t)·K ..]}), and the loss is the MEAN over the real steps of the minibatch
     * (padded steps take no part and get a zero gradient): {@code Σ_real L_bt / N_real}; with row weights every
     * step weighs its sequence's weight, {@code Σ_real w_b L_bt / N_real}.
     */
    private double stepLoss(float[] out, MiniBatch b, float[] dOut) {
        int t = outShape.dim(0);
        int k = outShape.dim(1);
        int rows = b.size * t;
        if (b.labels != null && b.targets == null && b.labels.length < rows) {
            throw new IllegalArgumentException("the network gives one output per step (" + outShape + "): a minibatch of "
                    + b.size + " sequences needs " + rows + " step labels (label[b·T + t]), got " + b.labels.length);
        }
        if (b.targets != null && b.targets.length < rows * k) {
            throw new IllegalArgumentException("the network gives one output per step (" + outShape + "): a minibatch of "
                    + b.size + " sequences needs " + rows * k + " step targets, got " + b.targets.length);
        }
        if (steps == null) {
            steps = new MiniBatch(null, null, null, 0);
        }
        float[] m = b.mask;
        // row weights: every step of a sequence weighs its row's weight (docs/architecture.md, Conventions, "Row weights")
        stepWeights = b.weights == null ? stepWeights : ensure(stepWeights, rows);
        steps.weights = b.weights == null ? null : stepWeights;
        if (m == null) {
            steps.labels = b.labels;
            steps.targets = b.targets;
            steps.size = rows;
            if (b.weights != null) {
                for (int r = 0; r < rows; r++) {
                    stepWeights[r] = b.weights[r / t];
                }
            }
            return loss.forwardBackward(out, k, steps, dOut);
        }
        int real = 0;
        for (int r = 0; r < rows; r++) {
            real += m[r] != 0f ? 1 : 0;
        }
        stepOut = ensure(stepOut, real * k);
        // own scratch arrays: the unmasked case above lends the caller's arrays to `steps`
        stepLabels = b.labels == null ? stepLabels : ensureInts(stepLabels, real);
        stepTargets = b.targets == null ? stepTargets : ensure(stepTargets, real * k);
        steps.labels = b.labels == null ? null : stepLabels;
        steps.targets = b.targets == null ? null : stepTargets;
        int n = 0;
        for (int r = 0; r < rows; r++) {
            if (m[r] == 0f) {
                continue;
            }
            System.arraycopy(out, r * k, stepOut, n * k, k);
            if (b.labels != null) {
                steps.labels[n] = b.labels[r];
            }
            if (b.targets != null) {
                System.arraycopy(b.targets, r * k, steps.targets, n * k, k);
            }
            if (b.weights != null) {
                stepWeights[n] = b.weights[r / t];
            }
            n++;
        }
        steps.size = real;
        if (real == 0) {
            if (dOut != null) {
                java.util.Arrays.fill(dOut, 0, rows * k, 0f);
            }
            return 0;
        }
        float[] g = null;
        if (dOut != null) {
            stepGrad = ensure(stepGrad, real * k);
            g = stepGrad;
        }
        double l = loss.forwardBackward(stepOut, k, steps, g);
        if (dOut != null) {
            n = 0;
            for (int r = 0; r < rows; r++) {
                if (m[r] == 0f) {
                    java.util.Arrays.fill(dOut, r * k, (r + 1) * k, 0f);
                } else {
                    System.arraycopy(g, (n++) * k, dOut, r * k, k);
                }
            }
        }
        return l;
    }

    private static int[] ensureInts(int[] buf, int n) {
        return buf != null && buf.length >= n ? buf : new int[n];
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
