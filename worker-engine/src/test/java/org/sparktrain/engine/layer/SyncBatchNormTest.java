package org.sparktrain.engine.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.Shape;

/**
 * Synchronised BatchNorm ({@link BatchNorm#synchronise}): workers holding shares of one global minibatch, their
 * statistics summed by {@link BatchStatsSync}, compute what one machine computes on the whole minibatch: the same
 * output rows and running statistics, an input gradient scaled by B / b_w (each share's loss is its own mean), and
 * parameter gradients whose row-weighted sum is one machine's. Shares of 3, 2 and 0 rows: the empty one takes part
 * through {@link BatchNorm#idleForward}/{@link BatchNorm#idleBackward}.
 */
class SyncBatchNormTest {

    /** W participants in threads: each call waits for all, the sum is taken in participant order. */
    static final class ThreadSync {
        final double[][] slots;
        final double[] result;
        final CyclicBarrier barrier;
        int n;

        ThreadSync(int workers, int max) {
            slots = new double[workers][max];
            result = new double[max];
            barrier = new CyclicBarrier(workers, () -> {
                java.util.Arrays.fill(result, 0);
                for (double[] s : slots) {
                    for (int i = 0; i < n; i++) {
                        result[i] += s[i];
                    }
                }
            });
        }

        BatchStatsSync forWorker(int w) {
            return (v, len) -> {
                System.arraycopy(v, 0, slots[w], 0, len);
                n = len;
                try {
                    barrier.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException | BrokenBarrierException | java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException(e);
                }
                System.arraycopy(result, 0, v, 0, len);
            };
        }
    }

    private record Bound(BatchNorm layer, float[] params, float[] grads, float[] state) {
    }

    private static Bound bound(Shape in) {
        BatchNorm l = (BatchNorm) new BatchNorm.Config(0.1f, 1e-5f).create(in, "layer 2 (batchnorm)");
        float[] p = new float[l.paramCount()];
        float[] g = new float[l.paramCount()];
        float[] s = new float[l.stateCount()];
        l.bind(p, g, 0, s, 0);
        l.initParams(new SplittableRandom(1));
        l.initState();
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (i < p.length / 2 ? 0.5 + r.nextDouble() : r.nextDouble() - 0.5); // γ around 1, β around 0
        }
        return new Bound(l, p, g, s);
    }

    /** {@code workers} layers of the same start whose statistics one {@link ThreadSync} sums. */
    private static Bound[] synced(Shape in, int workers) {
        ThreadSync sync = new ThreadSync(workers, 2 * in.dim(0) + 1);
        Bound[] out = new Bound[workers];
        for (int w = 0; w < workers; w++) {
            out[w] = bound(in);
            out[w].layer().synchronise(sync.forWorker(w));
        }
        return out;
    }

    private static float[] rows(float[] a, int from, int to, int size, float scale) {
        float[] r = new float[(to - from) * size];
        for (int i = 0; i < r.length; i++) {
            r[i] = a[from * size + i] * scale;
        }
        return r;
    }

    @Test
    void workersWithSharesComputeOneMachinesBatchNorm() throws Exception {
        for (Shape in : List.of(Shape.of(4), Shape.of(2, 3, 3))) {
            int size = in.size();
            int[] shares = {3, 2, 0};
            int batch = 5;
            float[] x = new float[batch * size];
            float[] dOut = new float[batch * size];
            SplittableRandom r = new SplittableRandom(11);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (3 + 2 * r.nextGaussian()); // a mean far from 0
                dOut[i] = (float) r.nextGaussian() / batch;
            }
            Bound one = bound(in);
            float[] yRef = one.layer().forward(x, batch, true).clone();
            float[] dxRef = one.layer().backward(dOut, batch).clone();

            ThreadSync sync = new ThreadSync(shares.length, 2 * in.dim(0) + 1);
            Bound[] workers = new Bound[shares.length];
            float[][] ys = new float[shares.length][];
            float[][] dxs = new float[shares.length][];
            ExecutorService pool = Executors.newFixedThreadPool(shares.length);
            try {
                List<Future<?>> running = new ArrayList<>();
                int from = 0;
                for (int w = 0; w < shares.length; w++) {
                    int ww = w;
                    int f = from;
                    int b = shares[w];
                    workers[w] = bound(in);
                    workers[w].layer().synchronise(sync.forWorker(w));
                    running.add(pool.submit(() -> {
                        BatchNorm l = workers[ww].layer();
                        if (b == 0) {
                            l.idleForward();
                            l.idleBackward();
                            return;
                        }
                        ys[ww] = l.forward(rows(x, f, f + b, size, 1f), b, true).clone();
                        // each share's loss is its own mean: its dy is the global one times B / b
                        dxs[ww] = l.backward(rows(dOut, f, f + b, size, (float) batch / b), b).clone();
                    }));
                    from += b;
                }
                for (Future<?> f : running) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            int from = 0;
            float[] weightedGrads = new float[one.grads().length];
            for (int w = 0; w < shares.length; w++) {
                int b = shares[w];
                for (int i = 0; i < one.state().length; i++) {
                    assertEquals(one.state()[i], workers[w].state()[i], 1e-6 + 1e-6 * Math.abs(one.state()[i]),
                            in + ": running statistic " + i + " of worker " + w);
                }
                if (b == 0) {
                    continue;
                }
                float[] yWant = rows(yRef, from, from + b, size, 1f);
                float[] dxWant = rows(dxRef, from, from + b, size, (float) batch / b);
                for (int i = 0; i < yWant.length; i++) {
                    assertEquals(yWant[i], ys[w][i], 2e-5 + 2e-5 * Math.abs(yWant[i]), in + ": y " + i + " of " + w);
                    assertEquals(dxWant[i], dxs[w][i], 2e-5 + 2e-5 * Math.abs(dxWant[i]),
                            in + ": dx " + i + " of " + w);
                }
                for (int i = 0; i < weightedGrads.length; i++) {
                    weightedGrads[i] += workers[w].grads()[i] * b / (float) batch; // what the gradient round does
                }
                from += b;
            }
            for (int i = 0; i < weightedGrads.length; i++) {
                assertEquals(one.grads()[i], weightedGrads[i], 2e-5 + 2e-5 * Math.abs(one.grads()[i]),
                        in + ": parameter gradient " + i);
            }
            // and the check can fail: a share alone normalises with other statistics
            Bound alone = bound(in);
            float[] yAlone = alone.layer().forward(rows(x, 0, 3, size, 1f), 3, true);
            assertNotEquals(yRef[0], yAlone[0], 1e-3f, in + ": a share's own statistics differ from the minibatch's");
        }
    }

    @Test
    void fewerThanTwoValuesOverAllTheSharesFailOnEveryWorkerAlike() throws Exception {
        Shape in = Shape.of(3);
        Bound[] ab = synced(in, 2);
        Bound a = ab[0];
        Bound b = ab[1];
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<String> fa = pool.submit(() -> message(() -> a.layer().forward(new float[] {1, 2, 3}, 1, true)));
            Future<String> fb = pool.submit(() -> message(b.layer()::idleForward));
            String ma = fa.get(30, TimeUnit.SECONDS);
            assertTrue(ma.contains("layer 2 (batchnorm)") && ma.contains("over the workers' shares"), ma);
            assertEquals(ma, fb.get(30, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        // one row on a worker is fine when the shares hold two or more together
        Bound[] cd = synced(in, 2);
        Bound c = cd[0];
        Bound d = cd[1];
        pool = Executors.newFixedThreadPool(2);
        try {
            Future<float[]> fc = pool.submit(() -> c.layer().forward(new float[] {1, 2, 3}, 1, true).clone());
            Future<float[]> fd = pool.submit(() -> d.layer().forward(new float[] {3, 4, 5}, 1, true).clone());
            float[] yc = fc.get(30, TimeUnit.SECONDS);
            float[] yd = fd.get(30, TimeUnit.SECONDS);
            for (int g = 0; g < 3; g++) { // two values, 2 apart: x̂ = ∓1 (up to ε), then γ·x̂ + β
                float gamma = c.params()[g];
                float beta = c.params()[3 + g];
                assertEquals(beta - gamma, yc[g], 1e-4, "feature " + g);
                assertEquals(beta + gamma, yd[g], 1e-4, "feature " + g);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static final String NESTED = """
            input: [6]
            layers:
              - {type: dense, units: 5}
              - {type: batchnorm}
              - {type: residual, layers: [{type: dense, units: 5}, {type: batchnorm}, tanh]}
              - {type: dense, units: 3, activation: softmax}
            optimizer: {type: sgd, lr: 0.1}
            training: {batch_size: 4, epochs: 1, seed: 3}
            """;

    /** A one-worker sum that records the length of every call. */
    static BatchStatsSync recording(List<Integer> lengths) {
        return (v, n) -> lengths.add(n);
    }

    @Test
    void batchNormInsideAResidualBlockIsSynchronisedAndAnIdleStepCallsWhatAStepCalls() {
        org.sparktrain.engine.Network net = org.sparktrain.engine.Network.build(
                org.sparktrain.engine.spec.ModelSpec.parse(NESTED, "nested.yaml"), 3);
        assertEquals(2, net.batchNormLayers().size(), "the top-level one and the one in the residual body");
        List<Integer> step = new ArrayList<>();
        net.synchroniseBatchNorm(recording(step));
        float[] x = new float[4 * 6];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        net.computeGradient(new org.sparktrain.engine.data.MiniBatch(x, new int[] {0, 1, 2, 1}, null, 4));
        // forward [Σx, m] and Σ(x − μ)² per layer in order, then backward [mΣdy, mΣdy(x − μ)] in reverse; the first
        // layer after the input still sums in backward (the dense before it needs no input gradient, it does)
        assertEquals(List.of(6, 5, 6, 5, 10, 10), step);
        List<Integer> idle = new ArrayList<>();
        net.synchroniseBatchNorm(recording(idle));
        net.idleTrainingStep(); // one worker, no rows: M = 0, so the layers stop after the first sum
        assertEquals(List.of(6, 6), idle);
        // without a sum installed an idle step has nothing to take part in
        net.synchroniseBatchNorm(null);
        net.idleTrainingStep();
    }

    @Test
    void aStepWhereNoWorkerHasRowsPassesOnEveryWorkerAlike() throws Exception {
        // a one-row last minibatch the data leaves out: every worker is idle; each sees M = 0 and stops after the
        // first sum, so all stay in step (no second forward sum, no backward sum)
        Shape in = Shape.of(3);
        Bound[] ab = synced(in, 2);
        Bound a = ab[0];
        Bound b = ab[1];
        float[] before = a.state().clone();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> fa = pool.submit(() -> {
                a.layer().idleForward();
                a.layer().idleBackward();
            });
            Future<?> fb = pool.submit(() -> {
                b.layer().idleForward();
                b.layer().idleBackward();
            });
            fa.get(30, TimeUnit.SECONDS);
            fb.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(a.state()),
                "no rows: the running statistics stay");
    }

    private static String message(Runnable r) {
        try {
            r.run();
            return "no error";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
