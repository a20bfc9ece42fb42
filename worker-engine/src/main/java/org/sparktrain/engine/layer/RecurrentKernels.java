package org.sparktrain.engine.layer;

import java.lang.System.Logger.Level;
import org.sparktrain.engine.kernel.Gemms;

/**
 * The element-wise transcendental functions of the recurrent layers, over runs of a float array, in
 * place. They are the second hot spot of an LSTM/GRU step after the GEMM: a 64-example step of a
 * 128-unit LSTM evaluates 40,960 sigmoids/tanhs, and {@code Math.tanh} is not intrinsified in JDK 17
 * (~20 ns each), which alone would cost as much as the step's GEMM.
 *
 * <p>{@link #get()} returns the Vector API implementation ({@code VectorRecurrentKernels}, SVML-backed
 * {@code EXP}/{@code TANH} lanes, ~1 ulp) when the module {@code jdk.incubator.vector} is present, else
 * the scalar one below (double-precision {@code Math.exp}/{@code Math.tanh} rounded to float). Same
 * selection rule as {@link Gemms}: the vector class is loaded reflectively, so a JVM without the module
 * never links it.
 */
public interface RecurrentKernels {

    /** {@code a[i] = 1 / (1 + e^{−a[i]})} for i in [off, off + len). */
    void sigmoid(float[] a, int off, int len);

    /** {@code a[i] = tanh(a[i])} for i in [off, off + len). */
    void tanh(float[] a, int off, int len);

    /** {@code dst[dOff + i] = tanh(src[sOff + i])} for i in [0, len). */
    void tanh(float[] src, int sOff, float[] dst, int dOff, int len);

    /** The implementation for this JVM, chosen once. */
    static RecurrentKernels get() {
        return Holder.INSTANCE;
    }

    /** Plain Java, accurate to float rounding. */
    final class Scalar implements RecurrentKernels {
        @Override
        public void sigmoid(float[] a, int off, int len) {
            for (int i = off; i < off + len; i++) {
                a[i] = Activation.sigmoid(a[i]);
            }
        }

        @Override
        public void tanh(float[] a, int off, int len) {
            tanh(a, off, a, off, len);
        }

        @Override
        public void tanh(float[] src, int sOff, float[] dst, int dOff, int len) {
            for (int i = 0; i < len; i++) {
                dst[dOff + i] = (float) Math.tanh(src[sOff + i]);
            }
        }
    }

    /** Lazy, once-per-JVM choice (an interface cannot hold a private static field). */
    final class Holder {
        static final RecurrentKernels INSTANCE = choose();

        private Holder() {
        }

        private static RecurrentKernels choose() {
            System.Logger log = System.getLogger(RecurrentKernels.class.getName());
            if ("naive".equals(System.getProperty(Gemms.PROPERTY)) || !Gemms.vectorApiAvailable()) {
                return new Scalar();
            }
            try {
                return Class.forName("org.sparktrain.engine.layer.VectorRecurrentKernels")
                        .asSubclass(RecurrentKernels.class).getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                log.log(Level.WARNING, "recurrent kernels: cannot load the Vector API version, using scalar", e);
                return new Scalar();
            }
        }
    }
}
