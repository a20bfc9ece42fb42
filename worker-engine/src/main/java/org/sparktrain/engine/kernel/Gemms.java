package org.sparktrain.engine.kernel;

import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * Chooses the GEMM implementation once per JVM.
 *
 * <p>{@link VectorGemm} when the module {@code jdk.incubator.vector} is in the boot layer (the JVM was
 * started with {@code --add-modules jdk.incubator.vector}), else {@link EjmlGemm}. VectorGemm is
 * loaded reflectively, so a JVM without the module never links a class that refers to it. The system
 * property {@value #PROPERTY} = {@code naive|ejml|vector} forces a choice. The choice is logged once.
 */
public final class Gemms {
    /** System property forcing the implementation: {@code naive}, {@code ejml} or {@code vector}. */
    public static final String PROPERTY = "sparktrain.gemm";
    /** System property forcing the vector width of {@link VectorGemm}: 128, 256 or 512 bits. */
    public static final String BITS_PROPERTY = "sparktrain.gemm.bits";
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String VECTOR_CLASS = "org.sparktrain.engine.kernel.VectorGemm";
    private static final System.Logger LOG = System.getLogger(Gemms.class.getName());

    private static volatile Gemm fastest;

    private Gemms() {
    }

    /**
     * The fastest implementation available in this JVM (or the one forced by {@value #PROPERTY}).
     *
     * @throws IllegalArgumentException if the property names no implementation
     * @throws IllegalStateException    if the property forces {@code vector} and the module is absent
     */
    public static Gemm fastest() {
        Gemm g = fastest;
        if (g == null) {
            synchronized (Gemms.class) {
                g = fastest;
                if (g == null) {
                    g = select(System.getProperty(PROPERTY));
                    fastest = g;
                }
            }
        }
        return g;
    }

    /** Whether the Vector API module was resolved into the boot layer of this JVM. */
    public static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /** The implementation for a value of {@value #PROPERTY} ({@code null} or blank: automatic), logged. */
    static Gemm select(String forced) {
        String choice = forced == null ? "" : forced.trim().toLowerCase(Locale.ROOT);
        switch (choice) {
            case "naive":
                return logged(new NaiveGemm(), " (forced by -D" + PROPERTY + "=naive)");
            case "ejml":
                return logged(new EjmlGemm(), " (forced by -D" + PROPERTY + "=ejml)");
            case "vector":
                if (!vectorApiAvailable()) {
                    throw new IllegalStateException("-D" + PROPERTY + "=vector but module " + VECTOR_MODULE
                            + " is not in the boot layer: start the JVM with --add-modules " + VECTOR_MODULE);
                }
                return logged(loadVector(), " (forced by -D" + PROPERTY + "=vector)");
            case "":
                break;
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + forced
                        + ": expected naive, ejml or vector");
        }
        if (!vectorApiAvailable()) {
            Gemm g = new EjmlGemm();
            LOG.log(Level.WARNING, "GEMM kernel: " + g + "; module " + VECTOR_MODULE + " is absent, add"
                    + " --add-modules " + VECTOR_MODULE + " to the JVM options for a ~10x faster kernel");
            return g;
        }
        try {
            return logged(loadVector(), "");
        } catch (IllegalStateException e) {
            Gemm g = new EjmlGemm();
            LOG.log(Level.WARNING, "GEMM kernel: " + g + "; " + e.getMessage(), e);
            return g;
        }
    }

    private static Gemm logged(Gemm g, String why) {
        LOG.log(Level.INFO, "GEMM kernel: " + g + why);
        return g;
    }

    private static Gemm loadVector() {
        try {
            return Class.forName(VECTOR_CLASS).asSubclass(Gemm.class).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cannot load " + VECTOR_CLASS + " although module "
                    + VECTOR_MODULE + " is present", e);
        }
    }
}
