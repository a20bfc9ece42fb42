package org.sparktrain.engine.kernel;

/**
 * The GEMM of this JVM, chosen once by {@link Kernels}' rule: {@link VectorGemm} (register-blocked FMA
 * micro-kernels on the Vector API) or {@link EjmlGemm}. {@link NaiveGemm} is only the reference of tests
 * and benchmarks, which make it themselves.
 */
public final class Gemms {
    /** System property forcing the vector width of {@link VectorGemm}: 128, 256 or 512 bits. */
    public static final String BITS_PROPERTY = "sparktrain.gemm.bits";
    private static final String VECTOR_CLASS = "org.sparktrain.engine.kernel.VectorGemm";

    private Gemms() {
    }

    /**
     * The fastest implementation available in this JVM (or the one {@value Kernels#PROPERTY} forces).
     *
     * @throws IllegalArgumentException if the property names no choice
     * @throws IllegalStateException    if the property forces {@code vector} and the module is absent
     */
    public static Gemm fastest() {
        return Kernels.fastest(Gemm.class, VECTOR_CLASS, EjmlGemm::new);
    }
}
