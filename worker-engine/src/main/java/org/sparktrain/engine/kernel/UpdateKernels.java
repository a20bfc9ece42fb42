package org.sparktrain.engine.kernel;

/**
 * Optimizer update kernels, chosen once per JVM by {@link Kernels}: the Vector API version when
 * the module is present, else plain Java ({@link ScalarUpdateKernels}, the test reference). Both do
 * the same float operations in the same order (no fused multiply-add), so their results are identical.
 */
public interface UpdateKernels {

    /**
     * The Adam step on {@code [0, n)}, state {@code s = [m_0 … m_{n-1}, v_0 … v_{n-1}]}:
     * <pre>
     *   m = b1·m + omb1·g;   v = b2·v + omb2·g·g;   w −= stepSize·(m / (sqrt(v)/bc2Sqrt + eps))
     * </pre>
     */
    void adam(float[] w, float[] g, float[] s, int n, float b1, float omb1, float b2, float omb2,
              float stepSize, float bc2Sqrt, float eps);

    /** The implementation for this JVM, chosen once by {@link Kernels}. */
    static UpdateKernels fastest() {
        return Kernels.fastest(UpdateKernels.class, "org.sparktrain.engine.kernel.VectorUpdateKernels",
                ScalarUpdateKernels::new);
    }
}
