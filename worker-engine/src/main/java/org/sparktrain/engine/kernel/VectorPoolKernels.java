package org.sparktrain.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API pooling kernels.
 *
 * <p>2×2 max pooling, L/2 outputs at a time: one load of each window row (L floats = L/2 windows),
 * split into even and odd columns by two constant shuffles, then the pairwise maxima within each row
 * and between the rows. The winner's window position is assembled by blends of the constants 0..3
 * (as int bit patterns in float lanes, reinterpreted as ints to store), in the same order as the
 * scalar code, so ties and NaNs come out identical. The whole vector is stored: its upper half is
 * junk that the next chunk overwrites ({@link #slack()} entries past the end). Rows whose loads would
 * leave {@code x} are finished in scalar code.
 */
final class VectorPoolKernels implements PoolKernels, ColdTwin<PoolKernels> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Override
    public PoolKernels withTwin() {
        return new ColdPoolKernels(this, twin());
    }

    /** The plain-Java twin: the same outputs. */
    static PoolKernels twin() {
        return new TwinPoolKernels(L);
    }
    private static final int H = L / 2;
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> (2 * i) % L);
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, i -> (2 * i + 1) % L);
    private static final FloatVector K0 = FloatVector.broadcast(S, Float.intBitsToFloat(0));
    private static final FloatVector K1 = FloatVector.broadcast(S, Float.intBitsToFloat(1));
    private static final FloatVector K2 = FloatVector.broadcast(S, Float.intBitsToFloat(2));
    private static final FloatVector K3 = FloatVector.broadcast(S, Float.intBitsToFloat(3));

    @Override
    public void maxPool2x2(float[] x, int planes, int inH, int inW, int outH, int outW, float[] y, int[] code) {
        for (int pl = 0; pl < planes; pl++) {
            for (int oy = 0; oy < outH; oy++) {
                int r0 = pl * inH * inW + 2 * oy * inW;
                int o = (pl * outH + oy) * outW;
                int ox0 = 0;
                for (; ox0 < outW; ox0 += H) {
                    int s = r0 + 2 * ox0;
                    if (s + inW + L > x.length || o + ox0 + L > y.length || o + ox0 + L > code.length) {
                        break;
                    }
                    FloatVector a = FloatVector.fromArray(S, x, s);
                    FloatVector b = FloatVector.fromArray(S, x, s + inW);
                    FloatVector a0 = a.rearrange(EVEN);
                    FloatVector a1 = a.rearrange(ODD);
                    FloatVector b0 = b.rearrange(EVEN);
                    FloatVector b1 = b.rearrange(ODD);
                    // within each row: the right one wins only if strictly greater
                    VectorMask<Float> selA = a1.compare(VectorOperators.GT, a0);
                    VectorMask<Float> selB = b1.compare(VectorOperators.GT, b0);
                    FloatVector ma = a0.lanewise(VectorOperators.MAX, a1);
                    FloatVector mb = b0.lanewise(VectorOperators.MAX, b1);
                    // between rows: the bottom row's winner (not its NaN-propagating max: the scalar code
                    // compares x[1][0] before it meets a NaN in x[1][1]) must be strictly greater
                    VectorMask<Float> selRow = b0.blend(b1, selB).compare(VectorOperators.GT, ma);
                    FloatVector best = ma.lanewise(VectorOperators.MAX, mb);
                    FloatVector c = K0.blend(K1, selA).blend(K2.blend(K3, selB), selRow);
                    best.intoArray(y, o + ox0);
                    c.reinterpretAsInts().intoArray(code, o + ox0);
                }
                if (ox0 < outW) {
                    ScalarPoolKernels.row(x, r0, inW, ox0, outW, y, code, o);
                }
            }
        }
    }

    @Override
    public int slack() {
        return L;
    }
}
