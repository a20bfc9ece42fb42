package org.sparktrain.engine.optim;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads hyper-parameters from a parsed YAML/JSON map with errors a user can act on.
 *
 * <p>Numbers may arrive as any {@link Number} (a YAML/JSON parser gives Integer, Long, BigInteger or
 * Double); text such as {@code "0.001"} is refused rather than guessed at, because it usually means the
 * value was quoted by mistake. Every message starts with the section name (e.g. "optimizer:") and names
 * the key, so the user can find the line in the spec.
 */
final class SpecReader {
    private final String section;
    private final Map<String, Object> spec;

    SpecReader(String section, Map<String, Object> spec) {
        if (spec == null) {
            throw new IllegalArgumentException(section + ": the spec is missing (got null); give a map such as "
                    + "{type: adam, lr: 0.001}");
        }
        this.section = section;
        this.spec = spec;
    }

    /** Fails on the first key not in {@code allowed}, listing the allowed keys. */
    void checkKeys(List<String> allowed, String context) {
        for (Object key : spec.keySet()) {
            if (!(key instanceof String) || !allowed.contains(key)) {
                throw new IllegalArgumentException(section + ": unknown key '" + key + "'" + context
                        + " (allowed: " + String.join(", ", allowed) + ")");
            }
        }
    }

    boolean has(String key) {
        return spec.containsKey(key);
    }

    /** A required lower-case name, e.g. the optimizer type. */
    String name(String key, List<String> allowed) {
        if (!spec.containsKey(key)) {
            throw new IllegalArgumentException(section + ": the key '" + key + "' is missing (allowed values: "
                    + String.join(", ", allowed) + ")");
        }
        Object v = spec.get(key);
        String s = v instanceof String ? ((String) v).trim().toLowerCase(Locale.ROOT) : null;
        if (s == null || !allowed.contains(s)) {
            throw new IllegalArgumentException(section + ": unknown " + key + " '" + v + "' (allowed: "
                    + String.join(", ", allowed) + ")");
        }
        return s;
    }

    /** A finite number ≥ 0, or {@code dflt} when the key is absent. */
    double nonNegative(String key, double dflt) {
        double v = number(key, dflt);
        if (!(v >= 0)) {
            throw new IllegalArgumentException(section + ": '" + key + "' must be a finite number >= 0, got " + v);
        }
        return v;
    }

    /** A finite number &gt; 0, or {@code dflt} when the key is absent. */
    double positive(String key, double dflt) {
        double v = number(key, dflt);
        if (!(v > 0)) {
            throw new IllegalArgumentException(section + ": '" + key + "' must be a finite number > 0, got " + v);
        }
        return v;
    }

    /** A number in [0, 1), or {@code dflt} when the key is absent. */
    double fraction(String key, double dflt) {
        double v = number(key, dflt);
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException(section + ": '" + key + "' must be a number in [0, 1), got " + v);
        }
        return v;
    }

    boolean bool(String key, boolean dflt) {
        if (!spec.containsKey(key)) {
            return dflt;
        }
        Object v = spec.get(key);
        if (!(v instanceof Boolean)) {
            throw new IllegalArgumentException(section + ": '" + key + "' must be true or false, got '" + v + "'");
        }
        return (Boolean) v;
    }

    private double number(String key, double dflt) {
        if (!spec.containsKey(key)) {
            return dflt;
        }
        Object v = spec.get(key);
        if (!(v instanceof Number)) {
            String shown = v instanceof String ? "the text '" + v + "' (remove the quotes?)" : "'" + v + "'";
            throw new IllegalArgumentException(section + ": '" + key + "' must be a number, got " + shown);
        }
        double d = ((Number) v).doubleValue();
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException(section + ": '" + key + "' must be a finite number, got " + d);
        }
        return d;
    }

    /** Short, stable number text for {@code describe()}: 0.001, 0.9, 1e-08 → "1e-8". */
    static String fmt(double x) {
        String s = Float.toString((float) x);
        int e = s.indexOf('E');
        if (e < 0) {
            return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
        }
        String mant = s.substring(0, e);
        if (mant.endsWith(".0")) {
            mant = mant.substring(0, mant.length() - 2);
        }
        return mant + "e" + s.substring(e + 1);
    }
}
