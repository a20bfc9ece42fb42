package org.sparktrain.engine.layer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RecurrentKernels} on {@code jdk.incubator.vector}: the JDK maps the {@code EXP} and
 * {@code TANH} lane operations to its SVML stubs (libjsvml) on x86, ~1 ulp in float. The tail shorter
 * than a vector goes through the scalar formulas. Loaded only through {@link RecurrentKernels#get()}.
 */
final class VectorRecurrentKernels implements RecurrentKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final RecurrentKernels SCALAR = new RecurrentKernels.Scalar();

    @Override
    public void sigmoid(float[] a, int off, int len) {
        int i = 0;
        int up = S.loopBound(len);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (; i < up; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, a, off + i);
            // 1/(1+e^{-x}): e^{-x} = +inf for x < -88 gives 0, never NaN
            one.div(v.neg().lanewise(VectorOperators.EXP).add(one)).intoArray(a, off + i);
        }
        SCALAR.sigmoid(a, off + i, len - i);
    }

    @Override
    public void tanh(float[] a, int off, int len) {
        tanh(a, off, a, off, len);
    }

    @Override
    public void tanh(float[] src, int sOff, float[] dst, int dOff, int len) {
        int i = 0;
        int up = S.loopBound(len);
        for (; i < up; i += S.length()) {
            FloatVector.fromArray(S, src, sOff + i).lanewise(VectorOperators.TANH).intoArray(dst, dOff + i);
        }
        SCALAR.tanh(src, sOff + i, dst, dOff + i, len - i);
    }
}
