package org.sparktrain.engine.kernel;

/**
 * Element-wise kernels of the hot loop that the JIT does not vectorise on its own (a data-dependent
 * select per element costs a branch misprediction about half the time on activations).
 * Chosen once per JVM by {@link Kernels}: the Vector API version when the module is present.
 * Arrays are read and written in {@code [0, n)}; output may alias input.
 */
public interface Elementwise {

    /** {@code y = max(x, 0)}; a NaN stays NaN (so a diverging run shows a NaN loss). */
    void relu(float[] x, float[] y, int n);

    /** {@code dx = y > 0 ? dy : 0}, with y the ReLU output. */
    void reluBackward(float[] y, float[] dy, float[] dx, int n);

    /** The implementation for this JVM, chosen once by {@link Kernels}. */
    static Elementwise fastest() {
        return Kernels.fastest(Elementwise.class, "org.sparktrain.engine.kernel.VectorElementwise",
                ScalarElementwise::new);
    }
}
