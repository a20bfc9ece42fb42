package org.sparktrain.engine.layer;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.sparktrain.engine.GradientCheck;
import org.sparktrain.engine.Shape;

/**
 * Gradient checks of one recurrent layer through time, with an optional per-step mask, and for
 * {@code tbptt: k} against the numerical gradient of the truncated objective: every segment run on its
 * own from the state the full forward pass reached at the segment boundary, held fixed while the
 * parameters or inputs are perturbed (the independent definition of "gradient cut at the boundary").
 * Objective {@code L = Σ r·y} with a fixed random r, so dL/dy = r.
 */
final class RecurrentCheck {
    private RecurrentCheck() {
    }

    /** A layer bound to its own flat vectors, initialised from seed; biases made non-zero. */
    static Recurrent build(LayerConfig c, Shape in, long seed) {
        Recurrent l = (Recurrent) c.create(in, "layer under test (" + c.type() + ")");
        float[] p = new float[l.paramCount()];
        l.bind(p, new float[p.length], 0, new float[0], 0);
        l.initParams(new SplittableRandom(seed));
        // non-zero biases so that their gradient paths are exercised from a generic point
        float[] noise = GradientCheck.uniform(p.length, -0.3f, 0.3f, seed + 7);
        for (int i = l.bRel; i < p.length; i++) {
            p[i] += noise[i];
        }
        return l;
    }

    /** Same parameters (shared arrays), another input length, full BPTT: a segment of the truncated objective. */
    static Recurrent segment(LayerConfig c, Recurrent full, int len, boolean returnSequences) {
        LayerConfig sc;
        if (c instanceof Lstm.Config l) {
            sc = new Lstm.Config(l.units(), returnSequences, 0, l.init(), l.orthogonal(), l.forgetBias());
        } else if (c instanceof Gru.Config g) {
            sc = new Gru.Config(g.units(), g.variant(), returnSequences, 0, g.init(), g.orthogonal(), g.updateBias());
        } else {
            SimpleRnn.Config s = (SimpleRnn.Config) c;
            sc = new SimpleRnn.Config(s.units(), s.activation(), returnSequences, 0, s.init(), s.orthogonal());
        }
        Recurrent l = (Recurrent) sc.create(Shape.of(len, full.features), "segment");
        l.bind(full.params, full.grads, 0, new float[0], 0);
        return l;
    }

    /**
     * Checks parameter and input gradients of {@code c} on {@code batch} random sequences of
     * {@code steps × features}; {@code mask} may be null. Returns the layer.
     */
    static Recurrent check(LayerConfig c, int steps, int features, int batch, float[] mask, long seed) {
        Shape in = Shape.of(steps, features);
        Recurrent l = build(c, in, seed);
        float[] x = GradientCheck.uniform(batch * steps * features, -1f, 1f, seed + 1);
        int outN = batch * l.outShape().size();
        float[] r = GradientCheck.uniform(outN, -1f, 1f, seed + 2);
        l.setMask(mask, batch);
        l.forward(x, batch, true);
        float[] dx = l.backward(r, batch).clone();
        float[] g = l.grads.clone();
        DoubleSupplier objective = l.tbptt == 0
                ? () -> GradientCheck.dot(r, l.forward(x, batch, true), outN)
                : truncatedObjective(c, l, x, r, mask, batch);
        GradientCheck.check(l.name() + " parameters", l.params, 0, l.paramCount(), g, 0, objective, 2000);
        GradientCheck.check(l.name() + " input", x, 0, x.length, dx, 0, objective, 2000);
        return l;
    }

    private static DoubleSupplier truncatedObjective(LayerConfig c, Recurrent full, float[] x, float[] r,
                                                     float[] mask, int batch) {
        int k = full.tbptt;
        int steps = full.steps;
        int f = full.features;
        int h = full.units;
        boolean seq = full.returnSequences;
        // boundary states of the unperturbed full forward pass (just run by the caller)
        int segments = (steps + k - 1) / k;
        float[][] h0 = new float[segments][];
        float[][] c0 = new float[segments][];
        for (int s = 0; s < segments; s++) {
            h0[s] = full.hiddenAt(s * k - 1);
            c0[s] = full instanceof Lstm lstm ? lstm.cellAt(s * k - 1) : null;
        }
        return () -> {
            double sum = 0;
            for (int s = 0; s < segments; s++) {
                int t0 = s * k;
                int len = Math.min(k, steps - t0);
                boolean last = s == segments - 1;
                if (!seq && !last) {
                    continue; // no output in this segment: nothing reaches its parameters
                }
                Recurrent seg = segment(c, full, len, seq);
                seg.initialH = h0[s];
                if (seg instanceof Lstm lstm) {
                    lstm.initialC = c0[s];
                }
                float[] xs = new float[batch * len * f];
                float[] ms = mask == null ? null : new float[batch * len];
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(x, (b * steps + t0) * f, xs, b * len * f, len * f);
                    if (ms != null) {
                        System.arraycopy(mask, b * steps + t0, ms, b * len, len);
                    }
                }
                seg.setMask(ms, batch);
                float[] y = seg.forward(xs, batch, true);
                for (int b = 0; b < batch; b++) {
                    if (seq) {
                        for (int i = 0; i < len * h; i++) {
                            sum += (double) r[(b * steps + t0) * h + i] * y[b * len * h + i];
                        }
                    } else {
                        for (int i = 0; i < h; i++) {
                            sum += (double) r[b * h + i] * y[b * h + i];
                        }
                    }
                }
            }
            return sum;
        };
    }

    /** A mask for {@code batch} sequences of {@code steps}: example b has its own padding pattern. */
    static float[] mask(int batch, int steps) {
        float[] m = new float[batch * steps];
        Arrays.fill(m, 1f);
        for (int b = 0; b < batch; b++) {
            switch (b % 3) {
                case 0 -> { // padded at the end: the last third
                    for (int t = steps - Math.max(1, steps / 3); t < steps; t++) {
                        m[b * steps + t] = 0f;
                    }
                }
                case 1 -> { // padded at the start
                    m[b * steps] = 0f;
                }
                default -> { // a gap inside
                    if (steps > 2) {
                        m[b * steps + steps / 2] = 0f;
                    }
                }
            }
        }
        return m;
    }
}
