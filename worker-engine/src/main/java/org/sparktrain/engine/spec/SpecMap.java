package org.sparktrain.engine.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, checked reads from one mapping of a parsed spec. Every error names {@code where}
 * (e.g. {@code layer 3 (conv2d)}) and the key, and says what was expected.
 */
public final class SpecMap {
    private final String where;
    private final Map<String, Object> map;

    public SpecMap(String where, Map<String, Object> map) {
        this.where = where;
        this.map = map == null ? Map.of() : map;
    }

    @SuppressWarnings("unchecked")
    public static SpecMap of(String where, Object node) {
        if (node == null) {
            return new SpecMap(where, Map.of());
        }
        if (!(node instanceof Map)) {
            throw new SpecException(where + ": expected a mapping (key: value), got " + describe(node));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) node).entrySet()) {
            m.put(String.valueOf(e.getKey()), e.getValue());
        }
        return new SpecMap(where, m);
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

    /** Refuses keys outside {@code allowed}, so that a typo is an error rather than a silent default. */
    public void allowOnly(String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (String k : map.keySet()) {
            if (!ok.contains(k)) {
                throw new SpecException(where + ": unknown key '" + k + "' (allowed: "
                        + String.join(", ", new TreeSet<>(ok)) + ")");
            }
        }
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
        Object v = map.get(key);
        if (v == null) {
            if (dflt == null) {
                throw new SpecException(where + ": '" + key + "' is required");
            }
            return dflt;
        }
        double d;
        if (v instanceof Number) {
            d = ((Number) v).doubleValue();
        } else {
            try {
                d = Double.parseDouble(String.valueOf(v).trim());
            } catch (NumberFormatException e) {
                throw new SpecException(where + ": '" + key + "' must be a number, got " + describe(v));
            }
        }
        if (!Double.isFinite(d)) {
            throw new SpecException(where + ": '" + key + "' must be a finite number, got " + v);
        }
        return d;
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
        Object v = map.get(key);
        if (v == null) {
            return dflt;
        }
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
