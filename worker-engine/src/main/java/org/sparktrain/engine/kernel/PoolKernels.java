package org.sparktrain.engine.kernel;

/**
 * Pooling kernels of the hot loop, chosen once per JVM by {@link Kernels}: the Vector API
 * version when the module is present, else plain Java ({@link ScalarPoolKernels}, also the test
 * reference).
 */
public interface PoolKernels {

    /**
     * 2×2, stride 2, unpadded max pooling of {@code planes} consecutive {@code inH × inW} planes of
     * {@code x} (row-major) into {@code outH × outW} planes of {@code y}, with {@code 2·outH ≤ inH} and
     * {@code 2·outW ≤ inW}. {@code code[o]} receives the winner's position in its window, 0..3 in
     * row-major order (0 = top left, 3 = bottom right); ties go to the first maximum in that order, and
     * a NaN in a window makes the output NaN.
     *
     * <p>{@code y} and {@code code} must have at least {@code planes·outH·outW + slack()} entries:
     * the vector version stores whole vectors and may write junk into up to {@code slack()} entries
     * past the last output. {@code x} is only read in {@code [0, planes·inH·inW)}.
     */
    void maxPool2x2(float[] x, int planes, int inH, int inW, int outH, int outW, float[] y, int[] code);

    /** Extra entries {@link #maxPool2x2} may write past the outputs. */
    int slack();

    /** The implementation for this JVM, chosen once by {@link Kernels}. */
    static PoolKernels fastest() {
        return Kernels.fastest(PoolKernels.class, "org.sparktrain.engine.kernel.VectorPoolKernels",
                ScalarPoolKernels::new);
    }
}
