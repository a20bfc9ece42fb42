package org.sparktrain.engine.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparktrain.engine.layer.LayerConfig;

/**
 * Reads the {@code layers:} list of a spec into layer configurations. Each entry is a mapping with a
 * {@code type} and that type's keys, or just the name of an activation ({@code - relu}). The types, their
 * keys and readers are registered in {@link LayerTypes}; dense, conv2d and time_distributed accept
 * {@code activation: NAME}, a shorthand for a following activation layer.
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
        SpecMap m = entry instanceof String s ? new SpecMap(at, Map.of("type", s)) : SpecMap.of(at, entry);
        String type = m.string("type", null).toLowerCase(Locale.ROOT);
        String where = at + " (" + type + ")";
        LayerTypes.LayerType t = LayerTypes.find(type).orElseThrow(() -> new SpecException(where
                + ": unknown layer type '" + type + "' (allowed: " + LayerTypes.names() + ")"));
        m = new SpecMap(where, m.raw());
        List<String> keys = new ArrayList<>(t.keys());
        keys.add("type");
        m.allowOnly(keys.toArray(new String[0]));
        List<LayerConfig> out = new ArrayList<>(2);
        out.add(t.reader().read(m));
        if (t.activationShorthand()) {
            LayerTypes.activationShorthand(m).ifPresent(out::add);
        }
        return out;
    }
}
