package org.sparktrain.engine.train;

import java.util.SplittableRandom;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.kernel.ColdPhase;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;

/**
 * Warms the JIT on a model's own shapes while the run does something else (starts Spark, reads and prepares the
 * data): a daemon thread trains a throwaway copy of the network on random minibatches of the run's size until it
 * is {@link #close closed} or has taken {@code maxSteps} steps. In a fresh JVM the first epoch otherwise runs
 * interpreted and C1-compiled code (docs/architecture.md, "Measured facts"). The copy shares nothing with the
 * run's networks, and compiled code computes the same floats as interpreted code (Java's floating point is
 * strict), so a warm-up never changes a result (tested: {@code WarmupTest}).
 */
public final class Warmup implements AutoCloseable {
    /** The warm-up started in this JVM by {@link #inThisJvm}, if any (an executor warms once). */
    private static Warmup jvmWide;

    private final Thread thread;
    private volatile boolean stop;
    private volatile int steps;

    private Warmup(ModelSpec spec, TrainingConfig config, int rows, int maxSteps) {
        thread = new Thread(() -> run(spec, config, rows, maxSteps), "sparktrain-warmup");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
    }

    /** Starts warming on minibatches of {@code rows} rows (the rows a worker's step takes). */
    public static Warmup start(ModelSpec spec, TrainingConfig config, int rows, int maxSteps) {
        Warmup w = new Warmup(spec, config, Math.max(2, rows), maxSteps);
        w.thread.start();
        return w;
    }

    private void run(ModelSpec spec, TrainingConfig config, int rows, int maxSteps) {
        // this thread calls the Vector API kernels themselves, so that they get compiled while the run's threads
        // use their plain-Java twins (ColdPhase; docs/architecture.md, "Cold JVMs")
        ColdPhase.vectorOnThisThread(true);
        try {
            Network net = Network.build(spec, 1);
            Trainer t = Trainer.fromSpec(net, config.withClassWeights(null));
            int in = net.inputShape().size();
            int out = net.outputShape().size();
            boolean labels = net.lossFunction().classification();
            MiniBatch b = MiniBatch.allocate(rows, in, labels, labels ? 0 : out);
            SplittableRandom r = new SplittableRandom(1);
            for (int i = 0; i < b.features.length; i++) {
                b.features[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < rows; i++) {
                if (labels) {
                    b.labels[i] = r.nextInt(out);
                }
            }
            if (!labels) {
                for (int i = 0; i < b.targets.length; i++) {
                    b.targets[i] = (float) r.nextDouble();
                }
            }
            b.size = rows;
            for (int s = 0; s < maxSteps && !stop; s++) {
                t.stepAt(b, 1, 0, s);
                steps = s + 1;
            }
        } catch (RuntimeException e) {
            // a warm-up that cannot run (an unusual spec) only means a cold first epoch; the run reports real errors
        }
    }

    /**
     * Starts warming this JVM once (an executor's: the first call starts a warm-up, later calls do nothing) on
     * minibatches of {@code rows} rows; {@link #stopInThisJvm} ends it when training begins here.
     *
     * @return true when this call started it
     */
    public static synchronized boolean inThisJvm(ModelSpec spec, TrainingConfig config, int rows, int maxSteps) {
        if (jvmWide != null) {
            return false;
        }
        jvmWide = start(spec, config, rows, maxSteps);
        return true;
    }

    /**
     * Stops the JVM-wide warm-up, if one runs, so that it takes no core from training (called when a training
     * task starts; at most one step's wait). Later {@link #inThisJvm} calls do not start another.
     */
    public static void stopInThisJvm() {
        Warmup w;
        synchronized (Warmup.class) {
            w = jvmWide;
        }
        if (w != null && !w.stop) {
            w.close();
        }
    }

    /** Steps the JVM-wide warm-up has taken; -1 when none was started. */
    public static synchronized int stepsInThisJvm() {
        return jvmWide == null ? -1 : jvmWide.steps;
    }

    /** Steps taken so far. */
    public int steps() {
        return steps;
    }

    /** Stops the warm-up and waits for its thread (at most one step). */
    @Override
    public void close() {
        stop = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
