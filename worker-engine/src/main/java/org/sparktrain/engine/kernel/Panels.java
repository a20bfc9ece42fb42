package org.sparktrain.engine.kernel;

/**
 * Copies a column panel of op(B) into a contiguous, zero-padded buffer for the micro-kernels.
 *
 * <p>The element op(B)(p, j) is read at {@code bOff + p·bRs + j·bCs}: {@code (bRs, bCs) = (n, 1)}
 * for B stored k×n, {@code (1, k)} for B stored n×k (transB). The destination holds the k×width
 * panel starting at column {@code j0} in row-major order with row length {@code width}; columns
 * {@code w..width-1} are zeroed so the kernel never multiplies stale (possibly denormal) data.
 */
final class Panels {
    private Panels() {
    }

    static void pack(float[] b, int bOff, int bRs, int bCs, int k, int j0, int w, int width, float[] dst) {
        if (bCs == 1) {
            // Rows of B are contiguous: copy row by row.
            for (int p = 0; p < k; p++) {
                int src = bOff + p * bRs + j0;
                int d = p * width;
                System.arraycopy(b, src, dst, d, w);
                for (int q = w; q < width; q++) {
                    dst[d + q] = 0f;
                }
            }
        } else {
            // Columns of op(B) are rows of the stored B: read each contiguously, write with stride.
            for (int q = 0; q < w; q++) {
                int src = bOff + (j0 + q) * bCs;
                for (int p = 0, d = q; p < k; p++, d += width) {
                    dst[d] = b[src + p * bRs];
                }
            }
            for (int q = w; q < width; q++) {
                for (int p = 0, d = q; p < k; p++, d += width) {
                    dst[d] = 0f;
                }
            }
        }
    }
}
