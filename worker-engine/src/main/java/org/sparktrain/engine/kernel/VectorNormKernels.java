package org.sparktrain.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API batch-norm reductions: a float vector accumulator per sum over blocks of at most
 * {@value NormKernels#BLOCK} elements, each block's lanes reduced and added in double (see
 * {@link NormKernels} for the accuracy); the tail of fewer than L elements in double.
 */
final class VectorNormKernels implements NormKernels, ColdTwin<NormKernels> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Override
    public NormKernels withTwin() {
        return new ColdNormKernels(this, twin());
    }

    /** The plain-Java twin: the same bits. */
    static NormKernels twin() {
        return new TwinNormKernels(L);
    }

    @Override
    public double sum(float[] v, int from, int to) {
        double total = 0;
        int i = from;
        int vend = from + S.loopBound(to - from);
        while (i < vend) {
            int bend = Math.min(vend, i + BLOCK);
            FloatVector a = FloatVector.zero(S);
            for (; i < bend; i += L) {
                a = a.add(FloatVector.fromArray(S, v, i));
            }
            total += a.reduceLanes(VectorOperators.ADD);
        }
        for (; i < to; i++) {
            total += v[i];
        }
        return total;
    }

    @Override
    public double sumSquaredDeviation(float[] v, int from, int to, float mu) {
        double total = 0;
        int i = from;
        int vend = from + S.loopBound(to - from);
        while (i < vend) {
            int bend = Math.min(vend, i + BLOCK);
            FloatVector a = FloatVector.zero(S);
            for (; i < bend; i += L) {
                FloatVector d = FloatVector.fromArray(S, v, i).sub(mu);
                a = d.fma(d, a);
            }
            total += a.reduceLanes(VectorOperators.ADD);
        }
        for (; i < to; i++) {
            double d = v[i] - mu;
            total += d * d;
        }
        return total;
    }

    @Override
    public void gradientSums(float[] dy, float[] x, int from, int to, float mu, double[] acc1, double[] acc2, int g) {
        double s1 = 0;
        double s2 = 0;
        int i = from;
        int vend = from + S.loopBound(to - from);
        while (i < vend) {
            int bend = Math.min(vend, i + BLOCK);
            FloatVector a = FloatVector.zero(S);
            FloatVector b = FloatVector.zero(S);
            for (; i < bend; i += L) {
                FloatVector d = FloatVector.fromArray(S, dy, i);
                a = a.add(d);
                b = d.fma(FloatVector.fromArray(S, x, i).sub(mu), b);
            }
            s1 += a.reduceLanes(VectorOperators.ADD);
            s2 += b.reduceLanes(VectorOperators.ADD);
        }
        for (; i < to; i++) {
            s1 += dy[i];
            s2 += dy[i] * ((double) x[i] - mu);
        }
        acc1[g] += s1;
        acc2[g] += s2;
    }
}
