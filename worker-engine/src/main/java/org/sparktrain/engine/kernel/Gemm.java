package org.sparktrain.engine.kernel;

/**
 * A single-precision matrix product on row-major arrays: the engine's hot loop.
 *
 * <p>{@code C = op(A)·op(B)} (or {@code C += op(A)·op(B)} when {@code accumulate}), where C is
 * {@code m×n}, op(A) is {@code m×k} and op(B) is {@code k×n}. Stored shapes: A is {@code m×k}
 * ({@code k×m} when {@code transA}), B is {@code k×n} ({@code n×k} when {@code transB}); every matrix
 * is dense and contiguous, starting at its offset (leading dimension = stored column count).
 *
 * <p>Arguments: {@code a}, {@code b} not modified; {@code c} modified in
 * {@code [cOff, cOff + m·n)} only. C must not overlap A or B (not checked in the hot path).
 * Implementations allocate nothing per call once warmed up and are safe to call from several
 * threads at once as long as the threads write different C.
 */
public interface Gemm {

    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float[] a, int aOff, float[] b, int bOff,
              float[] c, int cOff, boolean accumulate);

    /** A short name for logs and benchmark lines, e.g. "vector-api" or "ejml". */
    String name();
}
