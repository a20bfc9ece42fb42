package org.sparktrain.engine.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sparktrain.engine.layer.Activation;
import org.sparktrain.engine.layer.AvgPool2D;
import org.sparktrain.engine.layer.BatchNorm;
import org.sparktrain.engine.layer.Conv2D;
import org.sparktrain.engine.layer.Dense;
import org.sparktrain.engine.layer.Dropout;
import org.sparktrain.engine.layer.Flatten;
import org.sparktrain.engine.layer.Gru;
import org.sparktrain.engine.layer.Init;
import org.sparktrain.engine.layer.LayerConfig;
import org.sparktrain.engine.layer.Lstm;
import org.sparktrain.engine.layer.MaxPool2D;
import org.sparktrain.engine.layer.Residual;
import org.sparktrain.engine.layer.SimpleRnn;
import org.sparktrain.engine.layer.TimeDistributedDense;

/**
 * The registry of layer types: each spec type name with its aliases, the keys it accepts and the reader
 * that turns its entry into a layer configuration. A new layer is one {@link #TYPES} line here (its reader
 * inline or as a method below) next to its class in {@code engine.layer}; the "allowed" list of an unknown
 * type's message comes from this table (docs/architecture.md, Recipes).
 *
 * <p>Sizes ({@code kernel}, {@code stride}, {@code padding}, {@code size}) are one number or
 * {@code [height, width]}. Types whose {@code activation: NAME} is a shorthand for a following activation
 * layer (dense, conv2d, time_distributed) are registered {@link #withActivation}.
 */
final class LayerTypes {

    /** Reads one entry, whose keys are already checked, into its layer configuration. */
    @FunctionalInterface
    interface Reader {
        LayerConfig read(SpecMap m);
    }

    /**
     * One layer type. {@code name} is listed in messages, {@code aliases} are accepted silently, and
     * {@code keys} are the entry's keys besides {@code type}.
     */
    record LayerType(String name, List<String> aliases, List<String> keys, boolean activationShorthand,
                     Reader reader) {
        boolean answersTo(String type) {
            return name.equals(type) || aliases.contains(type);
        }
    }

    private static final List<String> RECURRENT_KEYS = List.of("units", "return_sequences", "tbptt", "init",
            "recurrent_init");
    private static final List<String> POOL_KEYS = List.of("size", "stride", "padding", "ceil_mode");

    /** In the order the "allowed" list of an unknown type's message gives them. */
    private static final List<LayerType> TYPES = List.of(
            withActivation("dense", List.of("linear"), List.of("units", "bias", "init"), LayerTypes::dense),
            withActivation("conv2d", List.of("conv"), List.of("filters", "kernel", "stride", "padding", "bias", "init"),
                    LayerTypes::conv2d),
            type("maxpool2d", List.of("maxpool"), POOL_KEYS, m -> pool(m, true)),
            type("avgpool2d", List.of("avgpool"), POOL_KEYS, m -> pool(m, false)),
            type("batchnorm", List.of("batch_norm"), List.of("momentum", "eps"), LayerTypes::batchNorm),
            type("dropout", List.of(), List.of("rate"), LayerTypes::dropout),
            type("flatten", List.of(), List.of(), m -> new Flatten.Config()),
            type("residual", List.of(), List.of("layers"),
                    m -> new Residual.Config(LayerParser.parseList(m.raw().get("layers"), m.where()))),
            type("lstm", List.of(), recurrentKeys("forget_bias"), LayerTypes::lstm),
            type("gru", List.of(), recurrentKeys("variant", "update_bias"), LayerTypes::gru),
            type("simple_rnn", List.of("rnn"), recurrentKeys("activation"), LayerTypes::simpleRnn),
            withActivation("time_distributed", List.of("time_distributed_dense"), List.of("units", "bias", "init"),
                    LayerTypes::timeDistributed),
            activation("relu"),
            activation("leaky_relu"),
            activation("sigmoid"),
            activation("tanh"),
            activation("softmax"));

    private LayerTypes() {
    }

    /** The type registered under {@code type} (a name or an alias, lower case). */
    static Optional<LayerType> find(String type) {
        return TYPES.stream().filter(t -> t.answersTo(type)).findFirst();
    }

    /** The listed names, for messages: "dense, conv2d, …". */
    static String names() {
        return String.join(", ", TYPES.stream().map(LayerType::name).toList());
    }

    private static LayerType type(String name, List<String> aliases, List<String> keys, Reader reader) {
        return new LayerType(name, aliases, keys, false, reader);
    }

    private static LayerType withActivation(String name, List<String> aliases, List<String> keys, Reader reader) {
        List<String> all = new ArrayList<>(keys);
        all.add("activation");
        return new LayerType(name, aliases, List.copyOf(all), true, reader);
    }

    private static LayerType activation(String name) {
        return type(name, List.of(), List.of("alpha"), m -> activation(name, m));
    }

    private static List<String> recurrentKeys(String... extra) {
        List<String> keys = new ArrayList<>(RECURRENT_KEYS);
        keys.addAll(List.of(extra));
        return List.copyOf(keys);
    }

    // ------------------------------------------------------------------------------------------ readers

    private static LayerConfig dense(SpecMap m) {
        return new Dense.Config(m.positive("units", null), m.bool("bias", true),
                Init.parse(m.string("init", defaultInit(m)), m.where()));
    }

    private static LayerConfig timeDistributed(SpecMap m) {
        if (m.has("activation") && m.string("activation", null).equals("softmax")) {
            throw new SpecException(m.where() + ": a softmax here would normalise over all steps of a "
                    + "sequence at once; per-step softmax is not supported");
        }
        return new TimeDistributedDense.Config(m.positive("units", null), m.bool("bias", true),
                Init.parse(m.string("init", defaultInit(m)), m.where()));
    }

    private static LayerConfig dropout(SpecMap m) {
        double rate = m.number("rate", null);
        if (!(rate >= 0 && rate < 1)) {
            throw new SpecException(m.where() + ": 'rate' (probability of dropping a unit) must be in [0, 1), got "
                    + rate);
        }
        return new Dropout.Config((float) rate);
    }

    private static LayerConfig conv2d(SpecMap m) {
        int[] k = m.pair("kernel", null);
        int[] s = m.pair("stride", 1);
        int[] p = m.pair("padding", 0);
        checkSizes(m, k, s, p);
        return new Conv2D.Config(m.positive("filters", null), k[0], k[1], s[0], s[1], p[0], p[1],
                m.bool("bias", true), Init.parse(m.string("init", defaultInit(m)), m.where()));
    }

    /** {@code maxpool2d} / {@code avgpool2d}: size, stride (= size), padding (0), ceil_mode (false). */
    private static LayerConfig pool(SpecMap m, boolean max) {
        int[] k = m.pair("size", null);
        int[] s = m.has("stride") ? m.pair("stride", null) : k;
        int[] p = m.pair("padding", 0);
        checkSizes(m, k, s, p);
        boolean ceil = m.bool("ceil_mode", false);
        return max
                ? new MaxPool2D.Config(k[0], k[1], s[0], s[1], p[0], p[1], ceil)
                : new AvgPool2D.Config(k[0], k[1], s[0], s[1], p[0], p[1], ceil);
    }

    /** {@code batchnorm}: momentum (0.1), eps (1e-5) — dense or conv from the input's rank. */
    private static LayerConfig batchNorm(SpecMap m) {
        double mom = m.number("momentum", 0.1);
        double eps = m.number("eps", 1e-5);
        if (!(mom > 0 && mom <= 1) || !(eps > 0)) {
            throw new SpecException(m.where() + ": momentum must be in (0, 1] and eps > 0");
        }
        return new BatchNorm.Config((float) mom, (float) eps);
    }

    private static void checkSizes(SpecMap m, int[] k, int[] s, int[] p) {
        for (int i = 0; i < 2; i++) {
            if (k[i] <= 0 || s[i] <= 0 || p[i] < 0) {
                throw new SpecException(m.where() + ": kernel/size and stride must be > 0 and padding >= 0, got kernel "
                        + k[0] + "×" + k[1] + ", stride " + s[0] + "×" + s[1] + ", padding " + p[0] + "×" + p[1]);
            }
        }
    }

    /** {@code lstm}: the recurrent keys and {@code forget_bias} (default 1). */
    private static LayerConfig lstm(SpecMap m) {
        return recurrent(m, (units, seq, tbptt, init, orth) ->
                new Lstm.Config(units, seq, tbptt, init, orth, (float) m.number("forget_bias", 1.0)));
    }

    /**
     * {@code gru}: the recurrent keys, {@code variant: seed|pytorch} and {@code update_bias} (default 0: the
     * initial bias of the update gate z; in the seed form a negative value keeps the state longer, in the
     * pytorch form a positive one).
     */
    private static LayerConfig gru(SpecMap m) {
        return recurrent(m, (units, seq, tbptt, init, orth) -> new Gru.Config(units,
                Gru.Variant.parse(m.string("variant", "seed"), m.where()), seq, tbptt, init, orth,
                (float) m.number("update_bias", 0.0)));
    }

    /** {@code simple_rnn}: the recurrent keys and {@code activation: tanh|relu|sigmoid} (the cell's function). */
    private static LayerConfig simpleRnn(SpecMap m) {
        return recurrent(m, (units, seq, tbptt, init, orth) -> new SimpleRnn.Config(units,
                SimpleRnn.Fn.parse(m.string("activation", "tanh"), m.where()), seq, tbptt, init, orth));
    }

    /** The keys every recurrent layer shares, read before the type's own. */
    private interface RecurrentConfig {
        LayerConfig make(int units, boolean returnSequences, int tbptt, Init init, boolean orthogonal);
    }

    /**
     * {@code units: H, return_sequences: false, tbptt: 0, init: uniform|xavier,
     * recurrent_init: uniform|orthogonal}.
     */
    private static LayerConfig recurrent(SpecMap m, RecurrentConfig config) {
        int units = m.positive("units", null);
        boolean seq = m.bool("return_sequences", false);
        int tbptt = m.nonNegative("tbptt", 0);
        Init init = Init.parse(m.string("init", "uniform"), m.where());
        if (init == Init.HE) {
            throw new SpecException(m.where() + ": 'init' must be uniform or xavier for a recurrent layer, got he");
        }
        String rec = m.string("recurrent_init", "uniform");
        if (!rec.equals("uniform") && !rec.equals("orthogonal")) {
            throw new SpecException(m.where() + ": 'recurrent_init' must be uniform or orthogonal, got '" + rec + "'");
        }
        return config.make(units, seq, tbptt, init, rec.equals("orthogonal"));
    }

    /** He initialisation before ReLU-like activations, Xavier otherwise. */
    private static String defaultInit(SpecMap m) {
        String act = m.has("activation") ? m.string("activation", null) : "";
        return act.equals("relu") || act.equals("leaky_relu") ? "he" : "xavier";
    }

    /** The activation layer {@code name}, with {@code alpha} (leaky_relu's slope, default 0.01) from {@code m}. */
    static Activation.Config activation(String name, SpecMap m) {
        Activation.Kind kind = Activation.Kind.parse(name, m.where());
        float alpha = (float) m.number("alpha", 0.01);
        return new Activation.Config(kind, alpha);
    }

    /** The layer that {@code activation: NAME} after a dense, conv2d or time_distributed entry stands for. */
    static Optional<LayerConfig> activationShorthand(SpecMap m) {
        if (!m.has("activation")) {
            return Optional.empty();
        }
        String a = m.string("activation", null);
        if (a.equals("linear") || a.equals("none")) {
            return Optional.empty();
        }
        return Optional.of(activation(a, new SpecMap(m.where(), Map.of())));
    }
}
