package org.sparktrain.engine.train;

import org.sparktrain.engine.Network;
import org.sparktrain.engine.optim.Optimizer;

/**
 * What travels between the driver and the workers in one averaging round, as ONE flat float vector
 * (docs/architecture.md, decisions 1 and 4), and the averaging rule shared by every way a round travels.
 *
 * <p>Parameter mode, layout {@code [params (P) | optimizer state (O) | network state (S) | loss sum | examples]}:
 * the driver sends the first three parts; each worker takes K local steps and sends back all five;
 * the average of the first three parts over the workers is the next round's start (optimizer state
 * averaged with the parameters, docs/architecture.md, Conventions; BatchNorm running statistics averaged like
 * parameters).
 *
 * <p>Gradient mode, layout {@code [gradient (P) | network state (S) | loss sum | examples]}: each worker
 * computes the data-loss gradient of one minibatch; the driver averages, then adds the penalty,
 * clips and steps, as one machine would with a minibatch W times larger.
 *
 * <p>Sums are taken in worker order ({@link #sumInOrder}), so the result does not depend on which
 * task finished first: the same seed gives the same bits (docs/architecture.md, decision 5).
 */
public final class RoundVector {
    private RoundVector() {
    }

    public static int stateLength(Network net, Optimizer opt) {
        return net.params().length + opt.state().length + net.state().length;
    }

    /** {@code [params | optimizer state | network state]}: what the driver broadcasts in parameter mode. */
    public static float[] packState(Network net, Optimizer opt) {
        float[] p = net.params();
        float[] o = opt.state();
        float[] s = net.state();
        float[] v = new float[p.length + o.length + s.length];
        System.arraycopy(p, 0, v, 0, p.length);
        System.arraycopy(o, 0, v, p.length, o.length);
        System.arraycopy(s, 0, v, p.length + o.length, s.length);
        return v;
    }

    /** Copies {@code [params | optimizer state | network state]} from {@code v} into the network and optimizer. */
    public static void unpackState(float[] v, Network net, Optimizer opt) {
        float[] p = net.params();
        float[] o = opt.state();
        float[] s = net.state();
        if (v.length < p.length + o.length + s.length) {
            throw new IllegalArgumentException("a round vector of " + v.length + " floats cannot hold "
                    + p.length + " parameters, " + o.length + " optimizer and " + s.length + " state values");
        }
        System.arraycopy(v, 0, p, 0, p.length);
        System.arraycopy(v, p.length, o, 0, o.length);
        System.arraycopy(v, p.length + o.length, s, 0, s.length);
    }

    /**
     * The length of {@link #packState(Trainer)}: {@link #stateLength(Network, Optimizer)}, plus one float per
     * parameter when {@code t} has an outer momentum (SlowMo).
     */
    public static int stateLength(Trainer t) {
        return stateLength(t.network(), t.optimizer())
                + (t.outerMomentum() == null ? 0 : t.network().params().length);
    }

    /**
     * A trainer's whole state: {@code [params | optimizer state | network state]} as {@link #packState(Network,
     * Optimizer)}, followed by {@code [outer momentum]} (one float per parameter) when it has one (SlowMo). What a
     * barrier stage starts from, hands over and returns, and what a checkpoint inside an epoch holds.
     */
    public static float[] packState(Trainer t) {
        float[] base = packState(t.network(), t.optimizer());
        float[] u = t.outerMomentum();
        if (u == null) {
            return base;
        }
        float[] v = java.util.Arrays.copyOf(base, base.length + u.length);
        System.arraycopy(u, 0, v, base.length, u.length);
        return v;
    }

    /**
     * Inverse of {@link #packState(Trainer)}: {@code v} holds exactly {@link #stateLength(Network, Optimizer)} floats
     * (no outer momentum: one {@code t} has is set to zero, u = 0) or that plus one per parameter (the outer
     * momentum, copied into {@code t}'s, which is made when it has none).
     */
    public static void unpackState(float[] v, Trainer t) {
        Network net = t.network();
        int base = stateLength(net, t.optimizer());
        int p = net.params().length;
        if (v.length != base && v.length != base + p) {
            throw new IllegalArgumentException("a state of " + v.length + " floats is neither " + base + " (parameters,"
                    + " optimizer and network state) nor " + (base + p) + " (with an outer momentum)");
        }
        unpackState(v, net, t.optimizer());
        if (v.length == base) {
            if (t.outerMomentum() != null) {
                java.util.Arrays.fill(t.outerMomentum(), 0f);
            }
            return;
        }
        float[] u = t.outerMomentum() != null ? t.outerMomentum() : new float[p];
        System.arraycopy(v, base, u, 0, p);
        t.setOuterMomentum(u);
    }

    /**
     * SlowMo's outer step (Wang, Tantia, Ballas, Rabbat, "SlowMo: Improving communication-efficient distributed SGD
     * with slow momentum", ICLR 2020), in place: {@code params} holds the round's average x̄ on entry and the next
     * round's start on exit; with x0 = {@code roundStart}, γ = {@code lr} (the round's base learning rate), β =
     * {@code momentum}, α = {@code outerLr}, per parameter, in float:
     * {@code u ← β·u + (x0 − x̄)/γ}, then {@code x ← x0 − (α·γ)·u}. With β = 0 and α = 1 this is x̄ up to float
     * rounding (x0 − (x0 − x̄) need not be x̄ bit for bit), which is why the driver skips it then.
     */
    public static void outerMomentumStep(float[] params, float[] roundStart, float[] u, float momentum, float outerLr,
                                         float lr) {
        if (roundStart.length != params.length || u.length != params.length) {
            throw new IllegalArgumentException("SlowMo needs the round start and the momentum of all " + params.length
                    + " parameters, got " + roundStart.length + " and " + u.length);
        }
        float step = outerLr * lr;
        for (int i = 0; i < params.length; i++) {
            float x0 = roundStart[i];
            float ui = momentum * u[i] + (x0 - params[i]) / lr;
            u[i] = ui;
            params[i] = x0 - step * ui;
        }
    }

    /** {@code [params | network state]}: what the driver broadcasts in gradient mode (its optimizer stays home). */
    public static float[] packParamsAndState(Network net) {
        float[] p = net.params();
        float[] s = net.state();
        float[] v = new float[p.length + s.length];
        System.arraycopy(p, 0, v, 0, p.length);
        System.arraycopy(s, 0, v, p.length, s.length);
        return v;
    }

    /** Inverse of {@link #packParamsAndState}. */
    public static void unpackParamsAndState(float[] v, Network net) {
        float[] p = net.params();
        float[] s = net.state();
        System.arraycopy(v, 0, p, 0, p.length);
        System.arraycopy(v, p.length, s, 0, s.length);
    }

    /** Parameter mode result: the state after local steps, then the loss sum and example count. */
    public static float[] packResult(Network net, Optimizer opt, double lossSum, long examples) {
        float[] v = new float[stateLength(net, opt) + 2];
        packResultInto(net, opt, lossSum, examples, v);
        return v;
    }

    /**
     * As {@link #packResult}, into {@code out[0 .. stateLength + 2)} (a buffer reused round after round:
     * the barrier transport allocates nothing per round). Returns the length written.
     */
    public static int packResultInto(Network net, Optimizer opt, double lossSum, long examples, float[] out) {
        float[] p = net.params();
        float[] o = opt.state();
        float[] s = net.state();
        System.arraycopy(p, 0, out, 0, p.length);
        System.arraycopy(o, 0, out, p.length, o.length);
        System.arraycopy(s, 0, out, p.length + o.length, s.length);
        int n = p.length + o.length + s.length;
        out[n] = (float) lossSum;
        out[n + 1] = examples;
        return n + 2;
    }

    /** Gradient mode result: {@code [gradient | network state | loss sum | examples]}. */
    public static float[] packGradient(Network net, double lossSum, long examples) {
        float[] v = new float[gradientLength(net)];
        packGradientInto(net, lossSum, examples, v);
        return v;
    }

    /** Length of a gradient-mode result: {@code P + S + 2}. */
    public static int gradientLength(Network net) {
        return net.grads().length + net.state().length + 2;
    }

    /** Length of a parameter-mode result: {@code P + O + S + 2}. */
    public static int resultLength(Network net, Optimizer opt) {
        return stateLength(net, opt) + 2;
    }

    /** As {@link #packGradient}, into {@code out[0 .. P + S + 2)}. Returns the length written. */
    public static int packGradientInto(Network net, double lossSum, long examples, float[] out) {
        float[] g = net.grads();
        float[] s = net.state();
        System.arraycopy(g, 0, out, 0, g.length);
        System.arraycopy(s, 0, out, g.length, s.length);
        out[g.length + s.length] = (float) lossSum;
        out[g.length + s.length + 1] = examples;
        return g.length + s.length + 2;
    }

    /**
     * Sums the workers' vectors in the given order (worker 0 first) in double, then averages the sum
     * with {@link #divideSum}: every entry but the last two (loss sum and example count, which stay
     * sums) is divided by the number of workers.
     */
    public static float[] averageInOrder(float[][] perWorker) {
        float[] out = sumInOrder(perWorker);
        divideSum(out, out.length, perWorker.length);
        return out;
    }

    /**
     * THE averaging rule, shared by every way a round travels (a job per round sums on the driver with
     * {@link #sumInOrder}; a barrier stage sums with a ring all-reduce between its tasks): turns
     * {@code sum[0 .. length)}, the element-wise sum of {@code workers} round vectors, into their
     * average in place. Entries {@code [0, length - 2)} are divided by {@code workers} (one correctly
     * rounded float division each); the last two, the loss sum and the example count, stay sums. With
     * one worker nothing changes: parameter averaging with W = 1 is plain training, bit for bit.
     * (With two workers the result is bit-identical whichever way the sum was taken: a float sum of two
     * floats equals the double sum rounded once, and halving is exact.)
     */
    public static void divideSum(float[] sum, int length, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("cannot average over " + workers + " workers");
        }
        if (workers == 1) {
            return;
        }
        float w = workers;
        for (int i = 0; i < length - 2; i++) {
            sum[i] = sum[i] / w;
        }
    }

    /**
     * The weighted form of {@link #divideSum}: entries {@code [0, length - 2)} of a sum of row-weighted vectors
     * ({@code n_w · v_w}) divided by the rows {@code Σ n_w}, one correctly rounded float division each, giving
     * the row-weighted average; the loss sum and example count stay sums.
     */
    public static void divideSumByRows(float[] sum, int length, float rows) {
        if (!(rows >= 1)) {
            throw new IllegalArgumentException("cannot average over " + rows + " rows");
        }
        for (int i = 0; i < length - 2; i++) {
            sum[i] = sum[i] / rows;
        }
    }

    /** Element-wise sum in worker order, accumulated in double per element. */
    public static float[] sumInOrder(float[][] perWorker) {
        int n = perWorker[0].length;
        for (float[] v : perWorker) {
            if (v.length != n) {
                throw new IllegalArgumentException("workers returned vectors of different lengths: " + n + " and "
                        + v.length);
            }
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (float[] v : perWorker) {
                s += v[i];
            }
            out[i] = (float) s;
        }
        return out;
    }

    public static double lossSum(float[] v) {
        return v[v.length - 2];
    }

    public static long examples(float[] v) {
        return (long) v[v.length - 1];
    }
}
