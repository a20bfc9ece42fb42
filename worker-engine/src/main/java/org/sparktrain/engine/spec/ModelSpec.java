package org.sparktrain.engine.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.layer.LayerConfig;
import org.sparktrain.engine.loss.Loss;

/**
 * A model spec: the network (input shape, layers), its loss, and how to train it (optimizer,
 * regularization, clipping, minibatch and epochs). Written in YAML; JSON is accepted since YAML 1.2
 * contains it. The text is kept verbatim: it goes into the model file. Immutable.
 *
 * <pre>
 * name: mlp
 * input: [784]
 * layers:
 *   - {type: dense, units: 256, activation: relu}
 *   - {type: dense, units: 10, activation: softmax}
 * loss: softmax_cross_entropy
 * optimizer: {type: adam, lr: 0.001}
 * regularization: {l2: 0.0001}
 * training: {batch_size: 64, epochs: 10, seed: 42}
 * </pre>
 */
public final class ModelSpec {
    private static final String[] TOP_KEYS = {
        "name", "input", "classes", "outputs", "labels", "layers", "loss", "optimizer", "regularization", "clipping", "training"};

    private final String text;
    private final String source;
    private final String name;
    private final Shape input;
    private final int classes;
    private final int outputs;
    private final int labels;
    private final List<LayerConfig> layers;
    private final String loss;
    private final double lossDelta;
    private final SpecMap optimizer;
    private final SpecMap regularization;
    private final SpecMap clipping;
    private final TrainingConfig training;

    private ModelSpec(String text, String source, SpecMap top) {
        this.text = text;
        this.source = source;
        top.allowOnly(TOP_KEYS);
        this.name = top.string("name", "model");
        this.input = parseShape(top.raw().get("input"), source);
        this.classes = top.has("classes") ? top.positive("classes", null) : 0;
        this.outputs = top.has("outputs") ? top.positive("outputs", null) : 0;
        this.labels = top.has("labels") ? top.positive("labels", null) : 0;
        if (labels > 0 && (classes > 0 || outputs > 0)) {
            throw new SpecException(source + ": the spec gives 'labels' (multi-label: K yes/no labels) and '"
                    + (classes > 0 ? "classes" : "outputs") + "'; keep the one this model is for");
        }
        if (classes > 0 && outputs > 0) {
            throw new SpecException(source + ": the spec gives both 'classes' (classification) and 'outputs'"
                    + " (regression); keep the one this model is for");
        }
        this.layers = List.copyOf(LayerParser.parseList(top.raw().get("layers"), source));
        // loss: NAME, or {type: NAME, delta: D} (Huber's threshold); regression defaults to mse
        // (docs/architecture.md, "Regression")
        String dflt = outputs > 0 ? "mse" : labels > 0 ? "sigmoid_binary_cross_entropy" : "softmax_cross_entropy";
        if (top.raw().get("loss") instanceof java.util.Map) {
            SpecMap l = top.child("loss");
            l.allowOnly("type", "delta");
            this.loss = l.string("type", dflt);
            this.lossDelta = l.has("delta") ? l.number("delta", null) : Loss.HUBER_DELTA;
            if (l.has("delta") && !loss.equals("huber")) {
                throw new SpecException(source + " > loss: 'delta' is Huber's threshold; the loss here is " + loss);
            }
        } else {
            this.loss = top.string("loss", dflt);
            this.lossDelta = Loss.HUBER_DELTA;
        }
        Loss parsed;
        try {
            parsed = Loss.parse(loss, lossDelta);
        } catch (IllegalArgumentException e) {
            throw new SpecException(source + ": " + e.getMessage());
        }
        if (outputs > 0 && !Loss.REGRESSION.contains(parsed.name())) {
            throw new SpecException(source + ": 'outputs: " + outputs + "' is a regression spec, but its loss "
                    + loss + " is for classification; use mse, mae or huber (or 'classes:' for a classifier)");
        }
        if (labels > 0) { // docs/architecture.md, "Multi-label"
            if (!parsed.name().equals("sigmoid_binary_cross_entropy")) {
                throw new SpecException(source + ": 'labels: " + labels + "' is a multi-label spec (independent yes/no"
                        + " labels), but its loss is " + loss + "; use loss: sigmoid_binary_cross_entropy");
            }
            if (!layers.isEmpty() && layers.get(layers.size() - 1) instanceof org.sparktrain.engine.layer.Activation.Config a
                    && !a.kind().specName().equals("sigmoid")) {
                throw new SpecException(source + ": 'labels: " + labels + "' is a multi-label spec, but the last layer's"
                        + " activation is " + a.kind().specName() + "; a multi-label output is one sigmoid per label"
                        + " (end with {type: dense, units: " + labels + ", activation: sigmoid})");
            }
        }
        this.optimizer = top.child("optimizer");
        this.regularization = top.child("regularization");
        this.clipping = top.has("clipping") ? top.child("clipping") : defaultClipping(layers, source);
        this.training = TrainingConfig.parse(top.child("training"));
        if (labels > 0 && training.metric().equals("accuracy")) {
            throw new SpecException(source + " > training > early_stopping: metric accuracy is for single-label"
                    + " classifiers; a multi-label spec (labels:) stops on metric: loss");
        }
        if (outputs > 0 && training.metric().equals("accuracy")) {
            throw new SpecException(source + " > training > early_stopping: metric accuracy is for classifiers;"
                    + " a regression spec (outputs:) stops on metric: loss");
        }
    }

    /**
     * Recurrent networks clip by global norm (5.0) unless the spec has a {@code clipping} section
     * ({@code clipping: {}} turns it off): BPTT gradients can explode.
     */
    static SpecMap defaultClipping(List<LayerConfig> layers, String source) {
        for (LayerConfig c : layers) {
            if (c instanceof org.sparktrain.engine.layer.Lstm.Config || c instanceof org.sparktrain.engine.layer.Gru.Config
                    || c instanceof org.sparktrain.engine.layer.SimpleRnn.Config) {
                return new SpecMap(source + " > clipping (default for recurrent layers)", Map.of("clip_norm", 5.0));
            }
        }
        return new SpecMap(source + " > clipping", Map.of());
    }

    /** Parses YAML or JSON text; {@code source} names it in messages (a file name). */
    public static ModelSpec parse(String text, String source) {
        Object root;
        try {
            root = new Load(LoadSettings.builder().setLabel(source).build()).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new SpecException(source + ": not valid YAML/JSON: " + e.getMessage(), e);
        }
        return new ModelSpec(text, source, SpecMap.of(source, root));
    }

    public static ModelSpec load(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    static Shape parseShape(Object node, String where) {
        if (!(node instanceof List<?> list) || list.isEmpty()) {
            throw new SpecException(where + ": 'input' must be the shape of one example, e.g. [784] or [1, 28, 28]");
        }
        int[] dims = new int[list.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = new SpecMap(where + " > input", Map.of("d", list.get(i))).positive("d", null);
        }
        return Shape.of(dims);
    }

    public String text() {
        return text;
    }

    public String source() {
        return source;
    }

    public String name() {
        return name;
    }

    public Shape input() {
        return input;
    }

    /** Declared number of classes, or 0 when the spec does not say (then the output size decides). */
    public int classes() {
        return classes;
    }

    /** Declared number of regression outputs ({@code outputs:}), or 0 for a classification spec. */
    public int outputs() {
        return outputs;
    }

    /** Declared number of yes/no labels of a multi-label spec ({@code labels:}), or 0. */
    public int labels() {
        return labels;
    }

    /** Whether this is a multi-label spec ({@code labels: K}: K independent sigmoid outputs). */
    public boolean multiLabel() {
        return labels > 0;
    }

    /** The float target values a row carries after its features: regression's outputs or the labels (0: none). */
    public int targetCount() {
        return outputs > 0 ? outputs : labels;
    }

    /** Whether this is a regression spec ({@code outputs:} instead of {@code classes:}). */
    public boolean regression() {
        return outputs > 0;
    }

    /** Huber's threshold δ ({@code loss: {type: huber, delta: D}}; 1 by default). */
    public double lossDelta() {
        return lossDelta;
    }

    /** A fresh instance of the spec's loss (with its δ for Huber). */
    public Loss lossFunction() {
        return Loss.parse(loss, lossDelta);
    }

    public List<LayerConfig> layers() {
        return layers;
    }

    public String loss() {
        return loss;
    }

    public Map<String, Object> optimizer() {
        return optimizer.raw();
    }

    public Map<String, Object> regularization() {
        return regularization.raw();
    }

    public Map<String, Object> clipping() {
        return clipping.raw();
    }

    public TrainingConfig training() {
        return training;
    }
}
