package org.sparktrain.engine.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sparktrain.engine.layer.Activation;
import org.sparktrain.engine.layer.Dense;
import org.sparktrain.engine.layer.Dropout;
import org.sparktrain.engine.layer.Flatten;
import org.sparktrain.engine.layer.Gru;
import org.sparktrain.engine.layer.Init;
import org.sparktrain.engine.layer.LayerConfig;
import org.sparktrain.engine.layer.Lstm;
import org.sparktrain.engine.layer.SimpleRnn;
import org.sparktrain.engine.layer.TimeDistributedDense;

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
            case "lstm", "gru", "simple_rnn", "rnn" -> out.add(recurrent(type, m, where));
            case "time_distributed", "time_distributed_dense" -> {
                m.allowOnly("type", "units", "bias", "init", "activation");
                if (m.has("activation") && m.string("activation", null).equals("softmax")) {
                    throw new SpecException(where + ": a softmax here would normalise over all steps of a "
                            + "sequence at once; per-step softmax is not supported");
                }
                out.add(new TimeDistributedDense.Config(m.positive("units", null), m.bool("bias", true),
                        Init.parse(m.string("init", defaultInit(m)), where)));
                addActivation(m, out, where);
            }
            case "relu", "leaky_relu", "sigmoid", "tanh", "softmax" -> {
                m.allowOnly("type", "alpha");
                out.add(activation(type, m, where));
            }
            default -> {
                LayerConfig c = ConvLayerParser.parse(type, m, where, out);
                if (c == null) {
                    throw new SpecException(where + ": unknown layer type '" + type + "' (allowed: dense, conv2d, "
                            + "maxpool2d, avgpool2d, batchnorm, dropout, flatten, residual, lstm, gru, simple_rnn, "
                            + "time_distributed, relu, leaky_relu, sigmoid, tanh, softmax)");
                }
            }
        }
        return out;
    }

    /**
     * {@code {type: lstm|gru|simple_rnn, units: H, return_sequences: false, tbptt: 0, init: uniform|xavier,
     * recurrent_init: uniform|orthogonal}}, plus {@code forget_bias} (lstm, default 1),
     * {@code variant: seed|pytorch} and {@code update_bias} (gru, default 0: the initial bias of the
     * update gate z; in the seed form a negative value keeps the state longer, in the pytorch form a
     * positive one) and {@code activation: tanh|relu|sigmoid} (simple_rnn).
     */
    static LayerConfig recurrent(String type, SpecMap m, String where) {
        String[] extra = switch (type) {
            case "lstm" -> new String[] {"forget_bias"};
            case "gru" -> new String[] {"variant", "update_bias"};
            default -> new String[] {"activation"};
        };
        java.util.List<String> keys = new java.util.ArrayList<>(java.util.List.of("type", "units", "return_sequences",
                "tbptt", "init", "recurrent_init"));
        keys.addAll(java.util.List.of(extra));
        m.allowOnly(keys.toArray(new String[0]));
        int units = m.positive("units", null);
        boolean seq = m.bool("return_sequences", false);
        int tbptt = m.nonNegative("tbptt", 0);
        Init init = Init.parse(m.string("init", "uniform"), where);
        if (init == Init.HE) {
            throw new SpecException(where + ": 'init' must be uniform or xavier for a recurrent layer, got he");
        }
        String rec = m.string("recurrent_init", "uniform");
        if (!rec.equals("uniform") && !rec.equals("orthogonal")) {
            throw new SpecException(where + ": 'recurrent_init' must be uniform or orthogonal, got '" + rec + "'");
        }
        boolean orth = rec.equals("orthogonal");
        return switch (type) {
            case "lstm" -> new Lstm.Config(units, seq, tbptt, init, orth, (float) m.number("forget_bias", 1.0));
            case "gru" -> new Gru.Config(units, Gru.Variant.parse(m.string("variant", "seed"), where), seq, tbptt,
                    init, orth, (float) m.number("update_bias", 0.0));
            default -> new SimpleRnn.Config(units, SimpleRnn.Fn.parse(m.string("activation", "tanh"), where), seq,
                    tbptt, init, orth);
        };
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
