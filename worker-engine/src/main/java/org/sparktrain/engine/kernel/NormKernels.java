package org.sparktrain.engine.kernel;

/**
 * The reductions of batch normalisation, chosen once per JVM by {@link Kernels}: the Vector API
 * version when the module is present, else plain Java ({@link ScalarNormKernels}, all in double).
 *
 * <p>Accuracy: the vector version sums in float within blocks of at most {@value #BLOCK} elements
 * (a few float roundings per element) and adds the block sums in double, so the error is of order
 * {@code 10·u·Σ|terms|} (u = 2⁻²⁴) whatever the length, where the scalar version's is a few
 * {@code 1e-16·Σ|terms|}.
 */
public interface NormKernels {
    /** Elements per float partial sum in the vector version. */
    int BLOCK = 256;

    /** {@code Σ v[i]} over {@code [from, to)}. */
    double sum(float[] v, int from, int to);

    /** {@code Σ (v[i] − mu)²} over {@code [from, to)}. */
    double sumSquaredDeviation(float[] v, int from, int to, float mu);

    /**
     * Adds {@code Σ dy[i]} to {@code acc1[g]} and {@code Σ dy[i]·(x[i] − mu)} to {@code acc2[g]}, over
     * {@code [from, to)}, in one pass.
     */
    void gradientSums(float[] dy, float[] x, int from, int to, float mu, double[] acc1, double[] acc2, int g);

    /** The implementation for this JVM, chosen once by {@link Kernels}. */
    static NormKernels fastest() {
        return Kernels.fastest(NormKernels.class, "org.sparktrain.engine.kernel.VectorNormKernels",
                ScalarNormKernels::new);
    }
}
