package org.sparktrain.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Vector API optimizer updates: the scalar operations lane by lane, in the same order. */
final class VectorUpdateKernels implements UpdateKernels, ColdTwin<UpdateKernels> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Override
    public UpdateKernels withTwin() {
        return new ColdUpdateKernels(this, new ScalarUpdateKernels());
    }

    @Override
    public void adam(float[] w, float[] g, float[] s, int n, float b1, float omb1, float b2, float omb2,
                     float stepSize, float bc2Sqrt, float eps) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector gi = FloatVector.fromArray(S, g, i);
            FloatVector m = FloatVector.fromArray(S, s, i).mul(b1).add(gi.mul(omb1));
            FloatVector v = FloatVector.fromArray(S, s, n + i).mul(b2).add(gi.mul(omb2).mul(gi));
            m.intoArray(s, i);
            v.intoArray(s, n + i);
            // float sqrt is correctly rounded, as (float) Math.sqrt of a float is
            FloatVector den = v.sqrt().div(bc2Sqrt).add(eps);
            FloatVector wi = FloatVector.fromArray(S, w, i);
            wi.sub(m.div(den).mul(stepSize)).intoArray(w, i);
        }
        for (; i < n; i++) {
            float gv = g[i];
            float m = b1 * s[i] + omb1 * gv;
            float v = b2 * s[n + i] + omb2 * gv * gv;
            s[i] = m;
            s[n + i] = v;
            w[i] -= stepSize * (m / ((float) Math.sqrt(v) / bc2Sqrt + eps));
        }
    }
}
