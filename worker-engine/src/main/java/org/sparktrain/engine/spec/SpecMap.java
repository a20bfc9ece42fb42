package org.sparktrain.engine.spec;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Typed, checked reads from one mapping of a parsed spec: the one reader of spec maps, for the model spec
 * and for the optimizer, regularization and clipping sections alike. Every error names {@code where}
 * (e.g. {@code layer 3 (conv2d)} or {@code optimizer}) and the key, and says what was expected.
 *
 * <p>A {@link #section} (the maps the optim package receives) is read strictly: a number must be a
 * number, since text such as {@code "0.001"} usually means it was quoted by mistake, and a key written
 * without a value is refused rather than defaulted. Elsewhere a number may be written as text and a key
 * without a value counts as absent.
 */
public final class SpecMap {
    private final String where;
    private final Map<String, Object> map;
    private final boolean strict;

    public SpecMap(String where, Map<String, Object> map) {
        this(where, map, false);
    }

    private SpecMap(String where, Map<String, Object> map, boolean strict) {
        this.where = where;
        this.map = map == null ? Map.of() : map;
        this.strict = strict;
    }

    public static SpecMap of(String where, Object node) {
        if (node == null) {
            return new SpecMap(where, Map.of());
        }
        return new SpecMap(where, stringKeys(where, node), false);
    }

    /**
     * The section {@code name} (e.g. {@code optimizer}) of a spec, read strictly (see above).
     *
     * @throws SpecException if {@code map} is null
     */
    public static SpecMap section(String name, Map<String, ?> map) {
        if (map == null) {
            throw new SpecException(name + ": the spec is missing (got null); give a map such as "
                    + "{type: adam, lr: 0.001}");
        }
        return new SpecMap(name, stringKeys(name, map), true);
    }

    /** A copy with every key as text, so that a key YAML read as a number is refused by name, not by a cast. */
    private static Map<String, Object> stringKeys(String where, Object node) {
        if (!(node instanceof Map<?, ?> in)) {
            throw new SpecException(where + ": expected a mapping (key: value), got " + describe(node));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : in.entrySet()) {
            m.put(String.valueOf(e.getKey()), e.getValue());
        }
        return m;
    }

    public String where() {
        return where;
    }

    public Map<String, Object> raw() {
        return map;
    }

    public boolean has(String key) {
        return map.containsKey(key);
    }

    /** Whether {@code key} has a value to read; in a strict section a key written without one has. */
    private boolean given(String key) {
        return strict ? map.containsKey(key) : map.get(key) != null;
    }

    /**
     * Refuses keys outside {@code allowed}, so that a typo is an error rather than a silent default. The
     * message lists them in alphabetical order.
     */
    public void allowOnly(String... allowed) {
        allowOnly(new TreeSet<>(List.of(allowed)), "");
    }

    /** As {@link #allowOnly(String...)}, listing {@code allowed} in its order; {@code context} follows the key. */
    public void allowOnly(Collection<String> allowed, String context) {
        for (String k : map.keySet()) {
            if (!allowed.contains(k)) {
                throw new SpecException(where + ": unknown key '" + k + "'" + context + " (allowed: "
                        + String.join(", ", allowed) + ")");
            }
        }
    }

    /** A required lower-case name out of {@code allowed}, e.g. the optimizer type. */
    public String name(String key, List<String> allowed) {
        if (!map.containsKey(key)) {
            throw new SpecException(where + ": the key '" + key + "' is missing (allowed values: "
                    + String.join(", ", allowed) + ")");
        }
        Object v = map.get(key);
        String s = v instanceof String text ? text.trim().toLowerCase(java.util.Locale.ROOT) : null;
        if (s == null || !allowed.contains(s)) {
            throw new SpecException(where + ": unknown " + key + " '" + v + "' (allowed: "
                    + String.join(", ", allowed) + ")");
        }
        return s;
    }

    public String string(String key, String dflt) {
        Object v = map.get(key);
        if (v == null) {
            if (dflt == null) {
                throw new SpecException(where + ": '" + key + "' is required");
            }
            return dflt;
        }
        if (v instanceof Map || v instanceof List) {
            throw new SpecException(where + ": '" + key + "' must be a word, got " + describe(v));
        }
        return String.valueOf(v);
    }

    public double number(String key, Double dflt) {
        if (!given(key)) {
            if (dflt == null) {
                throw new SpecException(where + ": '" + key + "' is required");
            }
            return dflt;
        }
        Object v = map.get(key);
        double d;
        if (v instanceof Number n) {
            d = n.doubleValue();
        } else if (strict) {
            String shown = v instanceof String ? "the text '" + v + "' (remove the quotes?)" : "'" + v + "'";
            throw new SpecException(where + ": '" + key + "' must be a number, got " + shown);
        } else {
            try {
                d = Double.parseDouble(String.valueOf(v).trim());
            } catch (NumberFormatException e) {
                throw new SpecException(where + ": '" + key + "' must be a number, got " + describe(v));
            }
        }
        if (!Double.isFinite(d)) {
            Object shown = v instanceof Number ? d : v;
            throw new SpecException(where + ": '" + key + "' must be a finite number, got " + shown);
        }
        return d;
    }

    /** A finite number &gt;= 0, or {@code dflt} when the key is absent. */
    public double nonNegativeNumber(String key, double dflt) {
        double v = number(key, dflt);
        if (!(v >= 0)) {
            throw new SpecException(where + ": '" + key + "' must be a finite number >= 0, got " + v);
        }
        return v;
    }

    /** A finite number &gt; 0, or {@code dflt} when the key is absent. */
    public double positiveNumber(String key, double dflt) {
        double v = number(key, dflt);
        if (!(v > 0)) {
            throw new SpecException(where + ": '" + key + "' must be a finite number > 0, got " + v);
        }
        return v;
    }

    /** A number in [0, 1), or {@code dflt} when the key is absent. */
    public double fraction(String key, double dflt) {
        double v = number(key, dflt);
        if (!(v >= 0 && v < 1)) {
            throw new SpecException(where + ": '" + key + "' must be a number in [0, 1), got " + v);
        }
        return v;
    }

    public int integer(String key, Integer dflt) {
        double d = number(key, dflt == null ? null : dflt.doubleValue());
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new SpecException(where + ": '" + key + "' must be a whole number, got " + map.get(key));
        }
        return (int) d;
    }

    public int positive(String key, Integer dflt) {
        int v = integer(key, dflt);
        if (v <= 0) {
            throw new SpecException(where + ": '" + key + "' must be > 0, got " + v);
        }
        return v;
    }

    public int nonNegative(String key, Integer dflt) {
        int v = integer(key, dflt);
        if (v < 0) {
            throw new SpecException(where + ": '" + key + "' must be >= 0, got " + v);
        }
        return v;
    }

    public boolean bool(String key, boolean dflt) {
        if (!given(key)) {
            return dflt;
        }
        Object v = map.get(key);
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        throw new SpecException(where + ": '" + key + "' must be true or false, got " + describe(v));
    }

    /** A pair of sizes written as one number ({@code 5}) or a list ({@code [5, 3]}): height, width. */
    public int[] pair(String key, Integer dflt) {
        Object v = map.get(key);
        if (v instanceof List<?> list) {
            if (list.size() != 2) {
                throw new SpecException(where + ": '" + key + "' must be one number or [height, width], got " + v);
            }
            SpecMap tmp = new SpecMap(where, Map.of(key + "[0]", list.get(0), key + "[1]", list.get(1)));
            return new int[] {tmp.integer(key + "[0]", null), tmp.integer(key + "[1]", null)};
        }
        int s = integer(key, dflt);
        return new int[] {s, s};
    }

    public SpecMap child(String key) {
        return of(where + " > " + key, map.get(key));
    }

    static String describe(Object v) {
        if (v instanceof Map) {
            return "a mapping";
        }
        if (v instanceof List) {
            return "a list";
        }
        return "'" + v + "'";
    }
}
