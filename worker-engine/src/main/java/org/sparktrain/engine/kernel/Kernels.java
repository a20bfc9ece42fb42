package org.sparktrain.engine.kernel;

import java.lang.System.Logger.Level;
import java.lang.reflect.Constructor;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The one place that chooses between the Vector API and the plain-Java version of every kernel family
 * (GEMM, im2col, element-wise, batch-norm, pooling, optimizer updates, recurrent activations), once per
 * JVM and by one rule:
 * <ul>
 * <li>{@code -D}{@value #PROPERTY}{@code =vector}: the Vector API versions; the module
 *     {@code jdk.incubator.vector} must be in the boot layer, else the first kernel refuses to load;</li>
 * <li>{@code -D}{@value #PROPERTY}{@code =scalar}: the plain-Java versions (EJML for the GEMM);</li>
 * <li>absent or blank: the Vector API versions when the module is present (conf/jvm.options adds it),
 *     else plain Java, with a warning.</li>
 * </ul>
 * The vector classes are loaded by name, so a JVM started without the module never links a class that
 * refers to it; when one cannot be loaded although the module is there, an automatic choice falls back
 * to plain Java with a warning and a forced one fails. A vector kernel with a bit-identical plain-Java twin
 * ({@link ColdTwin}) is handed out behind its {@link ColdPhase} switch ({@code sparktrain.kernels.cold}; off by
 * default). Design: docs/architecture.md, decision 2 and "Cold JVMs".
 */
public final class Kernels {
    /** System property choosing every kernel family: {@code vector} or {@code scalar} (default: automatic). */
    public static final String PROPERTY = "sparktrain.kernels";
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final System.Logger LOG = System.getLogger(Kernels.class.getName());

    /** One instance per kernel family (the interface or base class), made on first use. */
    private static final Map<Class<?>, Object> CHOSEN = new ConcurrentHashMap<>();
    private static volatile Choice choice;

    private Kernels() {
    }

    /** Whether the Vector API module was resolved into the boot layer of this JVM. */
    public static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /**
     * This JVM's implementation of {@code family}, made once: a new {@code vectorClass} (its no-argument
     * constructor) when the rule chooses the Vector API, else {@code scalar}'s.
     */
    public static <T> T fastest(Class<T> family, String vectorClass, Supplier<? extends T> scalar) {
        Object chosen = CHOSEN.get(family);
        if (chosen == null) {
            // not computeIfAbsent: making one kernel may ask for another, and the map forbids recursive updates
            synchronized (CHOSEN) {
                chosen = CHOSEN.get(family);
                if (chosen == null) {
                    Class<? extends T> v = vectorClass(family, vectorClass);
                    chosen = v == null ? scalar.get() : instantiate(family, v, scalar);
                    LOG.log(Level.DEBUG, "kernel " + family.getSimpleName() + ": " + chosen.getClass().getSimpleName());
                    CHOSEN.put(family, chosen);
                }
            }
        }
        return family.cast(chosen);
    }

    /**
     * The Vector API class {@code name} of {@code family}, or null when the rule chooses plain Java (or,
     * automatically chosen, the class cannot be linked). For families made per use, with arguments.
     */
    public static <T> Class<? extends T> vectorClass(Class<T> family, String name) {
        Choice c = choice();
        if (!c.vector()) {
            return null;
        }
        try {
            return Class.forName(name).asSubclass(family);
        } catch (ReflectiveOperationException | LinkageError e) {
            return unloadable(c, name, e);
        }
    }

    private static <T> T instantiate(Class<T> family, Class<? extends T> v, Supplier<? extends T> scalar) {
        try {
            Constructor<? extends T> c = v.getDeclaredConstructor();
            c.setAccessible(true); // the vector classes are package-private, next to their family
            T kernel = c.newInstance();
            // behind a cold phase on its bit-identical plain-Java twin (ColdPhase; a phase that starts warm
            // when -Dsparktrain.kernels.cold=vector)
            return kernel instanceof ColdTwin ? family.cast(((ColdTwin<?>) kernel).withTwin()) : kernel;
        } catch (ReflectiveOperationException | LinkageError e) {
            unloadable(choice(), v.getName(), e);
            return scalar.get();
        }
    }

    /** A vector class that will not load: an error when forced, a warning and plain Java (null) otherwise. */
    private static <T> Class<? extends T> unloadable(Choice c, String name, Throwable e) {
        if (c.forced()) {
            throw new IllegalStateException("-D" + PROPERTY + "=vector: cannot load " + name + " although module "
                    + VECTOR_MODULE + " is present", e);
        }
        LOG.log(Level.WARNING, "kernels: cannot load " + name + ", using its plain-Java version", e);
        return null;
    }

    /**
     * The rule, for a value of {@value #PROPERTY}: whether to use the Vector API kernels.
     *
     * @throws IllegalArgumentException if the value is neither {@code vector}, {@code scalar} nor blank
     * @throws IllegalStateException    if it is {@code vector} and the module is absent
     */
    static boolean useVector(String property) {
        String choice = property == null ? "" : property.trim().toLowerCase(Locale.ROOT);
        switch (choice) {
            case "scalar":
                return false;
            case "vector":
                if (!vectorApiAvailable()) {
                    throw new IllegalStateException("-D" + PROPERTY + "=vector but module " + VECTOR_MODULE
                            + " is not in the boot layer: start the JVM with --add-modules " + VECTOR_MODULE);
                }
                return true;
            case "":
                if (!vectorApiAvailable()) {
                    LOG.log(Level.WARNING, "kernels: plain Java; module " + VECTOR_MODULE + " is absent, add"
                            + " --add-modules " + VECTOR_MODULE + " to the JVM options for a ~10x faster GEMM");
                    return false;
                }
                return true;
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + property + ": expected vector or scalar");
        }
    }

    /** The property as read once per JVM, on first use of any kernel; not cached while it is invalid. */
    private static Choice choice() {
        Choice c = choice;
        if (c == null) {
            synchronized (CHOSEN) {
                c = choice;
                if (c == null) {
                    String property = System.getProperty(PROPERTY);
                    c = new Choice(useVector(property), property != null && !property.isBlank());
                    if (c.vector()) {
                        // a bad sparktrain.kernels.cold fails here, with its message, not in a class initialiser
                        ColdPhase.enabled(System.getProperty(ColdPhase.PROPERTY));
                    }
                    LOG.log(Level.INFO, "kernels: " + (c.vector() ? "Vector API" : "plain Java")
                            + (c.forced() ? " (forced by -D" + PROPERTY + "=" + property.trim() + ")" : ""));
                    choice = c;
                }
            }
        }
        return c;
    }

    private record Choice(boolean vector, boolean forced) {
    }
}
