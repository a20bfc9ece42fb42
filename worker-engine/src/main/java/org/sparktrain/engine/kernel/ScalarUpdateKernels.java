package org.sparktrain.engine.kernel;

/** Plain-Java optimizer updates: the fallback and the reference in tests. */
public final class ScalarUpdateKernels implements UpdateKernels {

    @Override
    public void adam(float[] w, float[] g, float[] s, int n, float b1, float omb1, float b2, float omb2,
                     float stepSize, float bc2Sqrt, float eps) {
        for (int i = 0; i < n; i++) {
            float gi = g[i];
            float m = b1 * s[i] + omb1 * gi;
            float v = b2 * s[n + i] + omb2 * gi * gi;
            s[i] = m;
            s[n + i] = v;
            w[i] -= stepSize * (m / ((float) Math.sqrt(v) / bc2Sqrt + eps));
        }
    }
}
