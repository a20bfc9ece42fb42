package org.sparktrain.engine.layer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.sparktrain.engine.kernel.ColdTwin;

/**
 * {@link RecurrentKernels} on {@code jdk.incubator.vector}, deterministic.
 *
 * <p>The JDK's own {@code EXP}/{@code TANH} lanes are not used: they map to SVML once C2 has compiled
 * the loop but run Java fallbacks before, with different last bits, so a run would depend on JIT timing.
 * Instead e^x is written out (in {@link #sigmoid} and {@link #tanh}) with lane operations that are exact IEEE
 * operations in every tier (add, mul, fma, min/max, float↔int conversion, shifts): Cody-Waite reduction {@code x = n·ln2 + r},
 * {@code |r| ≤ ln2/2}, n rounded with the 1.5·2²³ trick (whose bits also give 2^n), {@code e^r} by Cephes' degree-6 expf
 * polynomial (≤ 2 ulp on [−87, 88]), and {@code 2^n} built in the exponent bits. Then
 * {@code σ(x) = 1/(1 + e^{−x})} and {@code tanh(x) = 1 − 2/(e^{2x} + 1)} (absolute error ~1e-7 near 0).
 * The tail shorter than a vector uses {@link RecurrentKernels.Scalar}.
 */
final class VectorRecurrentKernels implements RecurrentKernels, ColdTwin<RecurrentKernels> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> SI = IntVector.SPECIES_PREFERRED;
    private static final RecurrentKernels SCALAR = new RecurrentKernels.Scalar();
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float MAGIC = 12582912f; // 1.5·2^23: adding it rounds to an integer
    private static final int MAGIC_BITS = 0x4B400000;

    static {
        if (S.length() != SI.length()) {
            throw new IllegalStateException("float and int vector species differ in length");
        }
    }

    @Override
    public RecurrentKernels withTwin() {
        return new ColdRecurrentKernels(this, twin());
    }

    /** The plain-Java twin: the same bits. */
    static RecurrentKernels twin() {
        return new TwinRecurrentKernels(S.length());
    }

    @Override
    public void sigmoid(float[] a, int off, int len) {
        int i = 0;
        int up = S.loopBound(len);
        for (; i < up; i += S.length()) {
            // exp(−a), written out: a helper returning a vector is not always inlined (C2 does not inline a callee
            // whose own compiled code is already large), and a vector passed to or from a call is boxed
            FloatVector x = FloatVector.fromArray(S, a, off + i).neg();
            x = x.max(-87.3f).min(88.7f);
            // t = n + 1.5·2^23 holds the integer n in its low mantissa bits (round to nearest)
            FloatVector t = x.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, MAGIC));
            FloatVector n = t.sub(MAGIC);
            FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
            r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
            FloatVector p = FloatVector.broadcast(S, 1.9875691500e-4f);
            p = p.fma(r, FloatVector.broadcast(S, 1.3981999507e-3f));
            p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
            p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
            p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
            p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
            FloatVector r2 = r.mul(r);
            FloatVector er = p.fma(r2, r.add(1f));
            // 2^n from the bits of t (a reinterpretation, not a conversion: F2I is not intrinsified on every
            // species and would allocate): (bits(t) − bits(1.5·2^23) + 127) << 23
            IntVector bits = ((IntVector) t.reinterpretAsInts()).sub(MAGIC_BITS - 127).lanewise(VectorOperators.LSHL, 23);
            FloatVector e = er.mul(bits.reinterpretAsFloats());
            FloatVector.broadcast(S, 1f).div(e.add(1f)).intoArray(a, off + i);
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
        FloatVector two = FloatVector.broadcast(S, 2f);
        for (; i < up; i += S.length()) {
            // exp(2x), written out (see sigmoid)
            FloatVector x = FloatVector.fromArray(S, src, sOff + i).mul(2f);
            x = x.max(-87.3f).min(88.7f);
            // t = n + 1.5·2^23 holds the integer n in its low mantissa bits (round to nearest)
            FloatVector t = x.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, MAGIC));
            FloatVector n = t.sub(MAGIC);
            FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
            r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
            FloatVector p = FloatVector.broadcast(S, 1.9875691500e-4f);
            p = p.fma(r, FloatVector.broadcast(S, 1.3981999507e-3f));
            p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
            p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
            p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
            p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
            FloatVector r2 = r.mul(r);
            FloatVector er = p.fma(r2, r.add(1f));
            // 2^n from the bits of t (a reinterpretation, not a conversion: F2I is not intrinsified on every
            // species and would allocate): (bits(t) − bits(1.5·2^23) + 127) << 23
            IntVector bits = ((IntVector) t.reinterpretAsInts()).sub(MAGIC_BITS - 127).lanewise(VectorOperators.LSHL, 23);
            FloatVector e = er.mul(bits.reinterpretAsFloats());
            FloatVector.broadcast(S, 1f).sub(two.div(e.add(1f))).intoArray(dst, dOff + i);
        }
        SCALAR.tanh(src, sOff + i, dst, dOff + i, len - i);
    }
}
