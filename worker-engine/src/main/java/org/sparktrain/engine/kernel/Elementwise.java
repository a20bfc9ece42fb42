package org.sparktrain.engine.kernel;

/**
 * Element-wise kernels of the hot loop that the JIT does not vectorise on its own (a data-dependent
 * select per element costs a branch misprediction about half the time on activations).
 * Chosen once per JVM like {@link Gemms}: the Vector API version when the module is present.
 * Arrays are read and written in {@code [0, n)}; output may alias input.
 */
public interface Elementwise {

    /** {@code y = max(x, 0)}; a NaN stays NaN (so a diverging run shows a NaN loss). */
    void relu(float[] x, float[] y, int n);

    /** {@code dx = y > 0 ? dy : 0}, with y the ReLU output. */
    void reluBackward(float[] y, float[] dy, float[] dx, int n);

    /** The implementation for this JVM. */
    static Elementwise fastest() {
        return Holder.INSTANCE;
    }

    /** Lazy, class-loading-safe singleton: VectorElementwise is linked only when the module is there. */
    final class Holder {
        static final Elementwise INSTANCE = choose();

        private Holder() {
        }

        private static Elementwise choose() {
            if (Gemms.vectorApiAvailable() && !"naive".equals(System.getProperty(Gemms.PROPERTY))
                    && !"ejml".equals(System.getProperty(Gemms.PROPERTY))) {
                try {
                    return Class.forName("org.sparktrain.engine.kernel.VectorElementwise")
                            .asSubclass(Elementwise.class).getDeclaredConstructor().newInstance();
                } catch (ReflectiveOperationException | LinkageError e) {
                    return new ScalarElementwise();
                }
            }
            return new ScalarElementwise();
        }
    }
}
