package org.sparktrain.engine.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sparktrain.engine.layer.Activation;
import org.sparktrain.engine.layer.Dense;
import org.sparktrain.engine.layer.Dropout;
import org.sparktrain.engine.layer.Flatten;
import org.sparktrain.engine.layer.Init;
import org.sparktrain.engine.layer.LayerConfig;

/**
 * Reads the {@code layers:} list of a spec into layer configurations. Each entry is a mapping with a
 * {@code type} and that type's keys, or just the name of an activation ({@code - relu}). Dense and
 * conv2d accept {@code activation: NAME}, a shorthand for a following activation layer.
 */
public final class LayerParser {
    private LayerParser() {
    }

    public static List<LayerConfig> parseList(Object node, String where) {
        if (!(node instanceof List<?> list) || list.isEmpty()) {
            throw new SpecException(where + ": 'layers' must be a non-empty list of layers");
        }
        List<LayerConfig> out = new ArrayList<>();
        int i = 1;
        for (Object entry : list) {
            out.addAll(parse(entry, where + " layer " + i));
            i++;
        }
        return out;
    }

    static List<LayerConfig> parse(Object entry, String at) {
        SpecMap m;
        if (entry instanceof String s) {
            m = new SpecMap(at, Map.of("type", s));
        } else {
            m = SpecMap.of(at, entry);
        }
        String type = m.string("type", null).toLowerCase(java.util.Locale.ROOT);
        String where = at + " (" + type + ")";
        m = new SpecMap(where, m.raw());
        List<LayerConfig> out = new ArrayList<>(2);
        switch (type) {
            case "dense", "linear" -> {
                m.allowOnly("type", "units", "bias", "init", "activation");
                out.add(new Dense.Config(m.positive("units", null), m.bool("bias", true),
                        Init.parse(m.string("init", defaultInit(m)), where)));
                addActivation(m, out, where);
            }
            case "dropout" -> {
                m.allowOnly("type", "rate");
                double rate = m.number("rate", null);
                if (!(rate >= 0 && rate < 1)) {
                    throw new SpecException(where + ": 'rate' (probability of dropping a unit) must be in [0, 1), got "
                            + rate);
                }
                out.add(new Dropout.Config((float) rate));
            }
            case "flatten" -> {
                m.allowOnly("type");
                out.add(new Flatten.Config());
            }
            case "relu", "leaky_relu", "sigmoid", "tanh", "softmax" -> {
                m.allowOnly("type", "alpha");
                out.add(activation(type, m, where));
            }
            default -> {
                LayerConfig c = ConvLayerParser.parse(type, m, where, out);
                if (c == null) {
                    throw new SpecException(where + ": unknown layer type '" + type + "' (allowed: dense, conv2d, "
                            + "maxpool2d, avgpool2d, batchnorm, dropout, flatten, residual, relu, leaky_relu, "
                            + "sigmoid, tanh, softmax)");
                }
            }
        }
        return out;
    }

    /** He initialisation before ReLU-like activations, Xavier otherwise. */
    static String defaultInit(SpecMap m) {
        String act = m.has("activation") ? m.string("activation", null) : "";
        return act.equals("relu") || act.equals("leaky_relu") ? "he" : "xavier";
    }

    static void addActivation(SpecMap m, List<LayerConfig> out, String where) {
        if (m.has("activation")) {
            String a = m.string("activation", null);
            if (!a.equals("linear") && !a.equals("none")) {
                out.add(activation(a, new SpecMap(where, Map.of()), where));
            }
        }
    }

    static Activation.Config activation(String name, SpecMap m, String where) {
        Activation.Kind kind = Activation.Kind.parse(name, where);
        float alpha = (float) m.number("alpha", 0.01);
        return new Activation.Config(kind, alpha);
    }
}
