package org.sparktrain.engine.optim;

import java.util.List;
import java.util.Map;
import org.sparktrain.engine.spec.SpecMap;

/**
 * Builds an {@link Optimizer} from the {@code optimizer} section of a parsed YAML/JSON spec.
 *
 * <p>Keys by {@code type} (defaults in brackets; they are PyTorch's):
 * <ul>
 *   <li>{@code sgd}: {@code lr} [0.001], {@code momentum} μ in [0, 1) [0], {@code nesterov} true/false
 *       [false; needs momentum &gt; 0] — {@link Sgd}</li>
 *   <li>{@code adagrad}: {@code lr} [0.01], {@code eps} [1e-10] — {@link Adagrad}</li>
 *   <li>{@code rmsprop}: {@code lr} [0.01], {@code alpha} in [0, 1) [0.99], {@code eps} [1e-8] —
 *       {@link RmsProp}</li>
 *   <li>{@code adam}: {@code lr} [0.001], {@code beta1} in [0, 1) [0.9], {@code beta2} in [0, 1) [0.999],
 *       {@code eps} [1e-8], {@code weight_decay} [0; only 0 is accepted, see below] — {@link Adam}</li>
 *   <li>{@code adamw}: as {@code adam}, with decoupled {@code weight_decay} ≥ 0 [0.01] — {@link Adam}</li>
 * </ul>
 * Numbers may be integers or decimals ({@code lr: 1} is fine). {@code lr}, {@code weight_decay} must be
 * ≥ 0 and {@code eps} &gt; 0; NaN, infinities, quoted numbers, unknown types and unknown keys are
 * refused with an {@link IllegalArgumentException} naming the key and what is allowed.
 *
 * <p>{@code type: adam} with a non-zero {@code weight_decay} is refused on purpose: in PyTorch that
 * means an L2 term in the gradient, in AdamW a decoupled decay, and a spec copied from either would
 * silently change meaning. Use {@code type: adamw} for decoupled decay, or the regularization
 * {@code l2} for an L2 penalty.
 */
public final class Optimizers {
    static final String SECTION = "optimizer";
    /** The accepted values of {@code type}. */
    public static final List<String> TYPES = List.of("sgd", "adagrad", "rmsprop", "adam", "adamw");

    private static final List<String> SGD_KEYS = List.of("type", "lr", "momentum", "nesterov");
    private static final List<String> ADAGRAD_KEYS = List.of("type", "lr", "eps");
    private static final List<String> RMSPROP_KEYS = List.of("type", "lr", "alpha", "eps");
    private static final List<String> ADAM_KEYS = List.of("type", "lr", "beta1", "beta2", "eps", "weight_decay");

    private Optimizers() {
    }

    public static Optimizer fromSpec(Map<String, Object> spec) {
        SpecMap r = SpecMap.section(SECTION, spec);
        String type = r.name("type", TYPES);
        String forType = " for type " + type;
        try {
            switch (type) {
                case "sgd":
                    r.allowOnly(SGD_KEYS, forType);
                    return new Sgd(r.nonNegativeNumber("lr", 1e-3), r.fraction("momentum", 0), r.bool("nesterov", false));
                case "adagrad":
                    r.allowOnly(ADAGRAD_KEYS, forType);
                    return new Adagrad(r.nonNegativeNumber("lr", Adagrad.DEFAULT_LR), r.positiveNumber("eps", Adagrad.DEFAULT_EPS));
                case "rmsprop":
                    r.allowOnly(RMSPROP_KEYS, forType);
                    return new RmsProp(r.nonNegativeNumber("lr", RmsProp.DEFAULT_LR), r.fraction("alpha", RmsProp.DEFAULT_ALPHA),
                            r.positiveNumber("eps", RmsProp.DEFAULT_EPS));
                case "adam":
                case "adamw": {
                    r.allowOnly(ADAM_KEYS, forType);
                    boolean w = type.equals("adamw");
                    double wd = r.nonNegativeNumber("weight_decay", w ? Adam.DEFAULT_ADAMW_WEIGHT_DECAY : 0);
                    if (!w && wd != 0) {
                        throw new IllegalArgumentException(SECTION + ": 'weight_decay' " + wd + " with type adam is "
                                + "ambiguous (PyTorch's Adam adds it to the gradient as L2, AdamW decays the weights "
                                + "directly); use type adamw for decoupled weight decay, or regularization l2 for an "
                                + "L2 penalty");
                    }
                    return new Adam(r.nonNegativeNumber("lr", Adam.DEFAULT_LR), r.fraction("beta1", Adam.DEFAULT_BETA1),
                            r.fraction("beta2", Adam.DEFAULT_BETA2), r.positiveNumber("eps", Adam.DEFAULT_EPS), wd);
                }
                default:
                    throw new AssertionError(type);
            }
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw m.startsWith(SECTION + ":") ? e : new IllegalArgumentException(SECTION + ": " + m, e);
        }
    }
}
