package org.sparktrain.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector API element-wise kernels: branch-free selects, the preferred vector width. */
final class VectorElementwise implements Elementwise, ColdTwin<Elementwise> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    public Elementwise withTwin() {
        return new ColdElementwise(this, twin());
    }

    /** The plain-Java twin: the same bits. */
    static Elementwise twin() {
        return new TwinElementwise(S.length());
    }

    @Override
    public void relu(float[] x, float[] y, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector zero = FloatVector.zero(S);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            // lanewise MAX follows Math.max: NaN in, NaN out
            v.lanewise(VectorOperators.MAX, zero).intoArray(y, i);
        }
        for (; i < n; i++) {
            float v = x[i];
            y[i] = v < 0f ? 0f : v;
        }
    }

    @Override
    public void reluBackward(float[] y, float[] dy, float[] dx, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector zero = FloatVector.zero(S);
        for (; i < bound; i += S.length()) {
            FloatVector yv = FloatVector.fromArray(S, y, i);
            VectorMask<Float> pos = yv.compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(S, dy, i), pos).intoArray(dx, i);
        }
        for (; i < n; i++) {
            dx[i] = y[i] > 0f ? dy[i] : 0f;
        }
    }
}
