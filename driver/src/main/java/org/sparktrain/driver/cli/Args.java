package org.sparktrain.driver.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Command-line flags of the form {@code --name value} or {@code --switch}. Unknown flags, a missing
 * value or a value of the wrong kind give one {@link UsageException} that says what to do.
 */
public final class Args {
    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();

    /**
     * @param valued   flags that take a value
     * @param switches flags that take none
     */
    public Args(String command, String[] argv, int from, Set<String> valued, Set<String> switches) {
        this.command = command;
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) {
                throw new UsageException(command + ": unexpected argument '" + a + "' (flags start with --; see "
                        + command + " --help)");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (switches.contains(name)) {
                values.put(name, value == null ? "true" : value);
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= argv.length) {
                        throw new UsageException(command + ": --" + name + " needs a value");
                    }
                    value = argv[++i];
                }
                values.put(name, value);
            } else {
                Set<String> all = new TreeSet<>(valued);
                all.addAll(switches);
                throw new UsageException(command + ": unknown flag --" + name + " (known: --"
                        + String.join(", --", all) + ")");
            }
        }
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String get(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    public String require(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException(command + ": --" + name + " is required (see " + command + " --help)");
        }
        return v;
    }

    public int intValue(String name, int dflt, int min) {
        String v = values.get(name);
        if (v == null) {
            return dflt;
        }
        int x;
        try {
            x = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a whole number, got '" + v + "'");
        }
        if (x < min) {
            throw new UsageException(command + ": --" + name + " must be >= " + min + ", got " + x);
        }
        return x;
    }

    public long longValue(String name, long dflt) {
        String v = values.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a whole number, got '" + v + "'");
        }
    }

    public boolean flag(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    /** A wrong command line: printed as one line, exit status 2. */
    public static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }
}
