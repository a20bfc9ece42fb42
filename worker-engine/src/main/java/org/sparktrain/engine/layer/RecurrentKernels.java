package org.sparktrain.engine.layer;

import org.sparktrain.engine.kernel.Kernels;

/**
 * The element-wise transcendental functions of the recurrent layers, over runs of a float array, in
 * place. They are the second hot spot of an LSTM/GRU step after the GEMM: a 64-example step of a
 * 128-unit LSTM evaluates 40,960 sigmoids/tanhs, and {@code Math.tanh} is not intrinsified in JDK 17
 * (~20 ns each), which alone would cost as much as the step's GEMM.
 *
 * <p>{@link #get()} returns the Vector API implementation ({@code VectorRecurrentKernels}) when the
 * module {@code jdk.incubator.vector} is present, else the scalar one below ({@code Math.exp} in double,
 * rounded to float, {@code tanh(x) = 1 − 2/(e^{2x} + 1)}). Both are DETERMINISTIC (docs/architecture.md, decision 5):
 * the scalar one because HotSpot's interpreter, C1 and C2 call the same {@code exp} stub; the vector one
 * because it is built from exact IEEE lane operations only (not the JDK's SVML-backed {@code EXP} lanes,
 * whose Java fallback before C2 compilation rounds differently). The two differ from each other in the
 * last bits. {@link Kernels} chooses between them, as for every kernel family
 * ({@code -D}{@value Kernels#PROPERTY}{@code =scalar|vector} forces a choice).
 */
public interface RecurrentKernels {
    /** {@code a[i] = 1 / (1 + e^{−a[i]})} for i in [off, off + len). */
    void sigmoid(float[] a, int off, int len);

    /** {@code a[i] = tanh(a[i])} for i in [off, off + len). */
    void tanh(float[] a, int off, int len);

    /** {@code dst[dOff + i] = tanh(src[sOff + i])} for i in [0, len). */
    void tanh(float[] src, int sOff, float[] dst, int dOff, int len);

    /** The implementation for this JVM, chosen once by {@link Kernels}. */
    static RecurrentKernels get() {
        return Kernels.fastest(RecurrentKernels.class, "org.sparktrain.engine.layer.VectorRecurrentKernels",
                Scalar::new);
    }

    /** Plain Java on {@code Math.exp} (an intrinsic stub, identical in every JIT tier), float-accurate. */
    final class Scalar implements RecurrentKernels {
        @Override
        public void sigmoid(float[] a, int off, int len) {
            for (int i = off; i < off + len; i++) {
                a[i] = (float) (1.0 / (1.0 + Math.exp(-a[i]))); // e^{+large} = inf gives 0, never NaN
            }
        }

        @Override
        public void tanh(float[] a, int off, int len) {
            tanh(a, off, a, off, len);
        }

        @Override
        public void tanh(float[] src, int sOff, float[] dst, int dOff, int len) {
            for (int i = 0; i < len; i++) {
                // Math.tanh is not intrinsified in JDK 17 (~20 ns); this is ~1e-16 absolute in double
                double e = Math.exp(2.0 * src[sOff + i]);
                dst[dOff + i] = (float) (1.0 - 2.0 / (e + 1.0));
            }
        }
    }
}
