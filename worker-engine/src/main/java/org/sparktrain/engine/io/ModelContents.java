package org.sparktrain.engine.io;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a model file holds: the model spec text (YAML), the flat parameter vector, the flat state vector
 * (BatchNorm running statistics; may be empty), optionally the scaler fitted on the training data, and
 * provenance (sparktrain version, seed, data path, epochs, date, …) as string pairs.
 *
 * <p>Immutable: arrays are copied in and copied out, so holding one of these is safe; for large models
 * call the accessors once. Provenance is kept sorted by key, so equal contents write identical bytes.
 */
public final class ModelContents {
    private final String spec;
    private final float[] params;
    private final float[] state;
    private final FittedScaler scaler;
    private final FittedScaler targetScaler;
    private final SortedMap<String, String> provenance;

    /**
     * @param spec the model spec as YAML text
     * @param params the flat parameter vector (copied)
     * @param state the flat state vector (copied); {@code null} means empty
     * @param scaler the fitted scaler, or empty if the model takes unscaled features
     * @param provenance free-form facts about how the model was made (copied); {@code null} means none
     * @throws IllegalArgumentException if spec or params is null, or a provenance key or value is null
     */
    public ModelContents(String spec, float[] params, float[] state, Optional<FittedScaler> scaler,
            Map<String, String> provenance) {
        this(spec, params, state, scaler, Optional.empty(), provenance);
    }

    /**
     * As above, with the target scaler of a regression model ({@code targetScaler}: empty when the targets were
     * not scaled); predictions are inverted through it (docs/architecture.md, "Regression").
     */
    public ModelContents(String spec, float[] params, float[] state, Optional<FittedScaler> scaler,
            Optional<FittedScaler> targetScaler, Map<String, String> provenance) {
        if (spec == null) {
            throw new IllegalArgumentException("a model needs its spec text; got null");
        }
        if (params == null) {
            throw new IllegalArgumentException("a model needs its parameter vector; got null");
        }
        TreeMap<String, String> prov = new TreeMap<>();
        if (provenance != null) {
            for (Map.Entry<String, String> e : provenance.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("provenance entries need a key and a value; got "
                            + e.getKey() + " = " + e.getValue());
                }
                prov.put(e.getKey(), e.getValue());
            }
        }
        this.spec = spec;
        this.params = params.clone();
        this.state = state == null ? new float[0] : state.clone();
        this.scaler = scaler == null ? null : scaler.orElse(null);
        this.targetScaler = targetScaler == null ? null : targetScaler.orElse(null);
        this.provenance = Collections.unmodifiableSortedMap(prov);
    }

    /** The model spec (YAML text). */
    public String spec() {
        return spec;
    }

    /** A copy of the flat parameter vector. */
    public float[] params() {
        return params.clone();
    }

    /** Length of the parameter vector, without copying it. */
    public int paramCount() {
        return params.length;
    }

    /** A copy of the flat state vector (may be empty). */
    public float[] state() {
        return state.clone();
    }

    /** Length of the state vector, without copying it. */
    public int stateCount() {
        return state.length;
    }

    /** The scaler fitted on the training data, if the model was trained on scaled features. */
    public Optional<FittedScaler> scaler() {
        return Optional.ofNullable(scaler);
    }

    /** The regression target scaler the model's outputs are inverted through, if the targets were scaled. */
    public Optional<FittedScaler> targetScaler() {
        return Optional.ofNullable(targetScaler);
    }

    /** Provenance, sorted by key, unmodifiable. */
    public SortedMap<String, String> provenance() {
        return provenance;
    }

    /** Package-private views for the writer, which must not copy large arrays. */
    float[] paramsView() {
        return params;
    }

    float[] stateView() {
        return state;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ModelContents)) {
            return false;
        }
        ModelContents other = (ModelContents) o;
        return spec.equals(other.spec) && Arrays.equals(params, other.params)
                && Arrays.equals(state, other.state) && Objects.equals(scaler, other.scaler)
                && Objects.equals(targetScaler, other.targetScaler) && provenance.equals(other.provenance);
    }

    @Override
    public int hashCode() {
        return Objects.hash(spec, Arrays.hashCode(params), Arrays.hashCode(state), scaler, targetScaler, provenance);
    }

    @Override
    public String toString() {
        return "ModelContents[" + params.length + " params, " + state.length + " state, scaler "
                + (scaler == null ? "none" : scaler.kind())
                + (targetScaler == null ? "" : ", target scaler " + targetScaler.kind()) + ", provenance " + provenance.keySet() + "]";
    }
}
