package org.sparktrain.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.spec.ModelSpec;

class TrainerTest {

    /** Two Gaussian blobs per class in 2-D, 3 classes: learnable by a small MLP. */
    static DataSet blobs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 2];
        int[] y = new int[n];
        double[][] centres = {{-2, 0}, {2, 0}, {0, 2.5}};
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            y[i] = c;
            x[2 * i] = (float) (centres[c][0] + 0.7 * (r.nextDouble() * 2 - 1));
            x[2 * i + 1] = (float) (centres[c][1] + 0.7 * (r.nextDouble() * 2 - 1));
        }
        return DataSet.classification(Shape.of(2), x, y);
    }

    static ModelSpec spec(String training) {
        return ModelSpec.parse("""
                input: [2]
                layers:
                  - {type: dense, units: 16, activation: relu}
                  - {type: dropout, rate: 0.1}
                  - {type: dense, units: 3, activation: softmax}
                optimizer: {type: adam, lr: 0.01}
                training: %s
                """.formatted(training), "blobs.yaml");
    }

    @Test
    void learnsASeparableProblem() {
        ModelSpec s = spec("{batch_size: 16, epochs: 10, seed: 3}");
        Network net = Network.build(s, 3);
        Trainer t = Trainer.fromSpec(net, s.training());
        t.fit(blobs(600, 1), null, null);
        double acc = Trainer.evaluate(net, blobs(300, 2), 100).accuracy();
        assertTrue(acc > 0.95, "accuracy " + acc);
    }

    @Test
    void sameSeedGivesBitIdenticalParameters() {
        for (String sampling : new String[] {"shuffle", "bootstrap"}) {
            ModelSpec s = spec("{batch_size: 16, epochs: 2, seed: 9, sampling: " + sampling + "}");
            float[][] runs = new float[2][];
            for (int k = 0; k < 2; k++) {
                Network net = Network.build(s, 9);
                Trainer.fromSpec(net, s.training()).fit(blobs(200, 1), null, null);
                runs[k] = net.params().clone();
            }
            assertArrayEquals(runs[0], runs[1], sampling);
        }
    }

    @Test
    void bootstrapDrawsWithReplacementAndShuffleDoesNot() {
        // One epoch over n distinct examples: shuffle sees each once, bootstrap repeats some
        // and misses about 1/e of them, in the order the epoch draws (EpochOrder, from the trainer's stream).
        int n = 1000;
        float[] x = new float[n * 2];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
        }
        DataSet d = DataSet.classification(Shape.of(2), x, y);
        for (String sampling : new String[] {"shuffle", "bootstrap"}) {
            ModelSpec s = spec("{batch_size: 10, epochs: 1, seed: 5, sampling: " + sampling + "}");
            Network net = Network.build(s, 5);
            boolean[] seen = new boolean[n];
            Trainer t = new Trainer(net, new org.sparktrain.engine.optim.Sgd(0f, 0f, false),
                    org.sparktrain.engine.optim.Regularization.none(),
                    org.sparktrain.engine.optim.GradientClipping.none(), s.training(), 0);
            EpochStats st = t.trainEpoch(d, 1);
            assertEquals(n, st.samples());
            // the order the epoch drew: from the same stream (seed 5, epoch 1, worker 0)
            int[] order = new int[n];
            EpochOrder.draw(s.training().sampling(),
                    new java.util.SplittableRandom(org.sparktrain.engine.SplitMix.derive(5, 1, 0, -1)), order);
            for (int i = 0; i < n; i++) {
                seen[order[i]] = true;
            }
            int distinct = 0;
            for (boolean b : seen) {
                distinct += b ? 1 : 0;
            }
            if (sampling.equals("shuffle")) {
                assertEquals(n, distinct);
            } else {
                // expected distinct fraction 1 − 1/e ≈ 0.632; sd ≈ 0.015 for n = 1000
                assertEquals(0.632, distinct / (double) n, 0.06);
            }
        }
    }

    @Test
    void earlyStoppingRestoresTheBestParameters() {
        // lr far too high after a good start: validation loss gets worse, and the best epoch's
        // parameters must come back.
        ModelSpec s = spec("{batch_size: 16, epochs: 8, seed: 4, early_stopping: {patience: 2, metric: loss}}");
        Network net = Network.build(s, 4);
        Trainer t = Trainer.fromSpec(net, s.training());
        DataSet val = blobs(200, 7);
        List<float[]> snapshots = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        Trainer.FitResult r = t.fit(blobs(400, 6), val, (stats, m) -> {
            snapshots.add(net.params().clone());
            losses.add(m.logLoss());
            if (stats.epoch() == 2) {
                t.optimizer().setLearningRate(5f); // from here on it diverges
            }
        });
        int best = 0;
        for (int i = 1; i < losses.size(); i++) {
            if (losses.get(i) < losses.get(best)) {
                best = i;
            }
        }
        assertTrue(r.stoppedEarly(), "should stop early, losses " + losses);
        assertEquals(best + 1, r.bestEpoch());
        assertArrayEquals(snapshots.get(best), net.params());
        assertFalse(r.epochsRun() == 8);
    }

    @Test
    void nonFiniteLossStopsWithTheStep() {
        ModelSpec s = spec("{batch_size: 16, epochs: 1, seed: 4}");
        Network net = Network.build(s, 4);
        Trainer t = Trainer.fromSpec(net, s.training());
        DataSet d = blobs(64, 1);
        d.features()[70] = Float.NaN; // example 35 in minibatch 1, 2, 3 or 4
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> t.trainEpoch(d, 1));
        assertTrue(e.getMessage().contains("epoch 1"), e.getMessage());
    }

    @Test
    void emptyTrainingDataIsRefused() {
        ModelSpec s = spec("{batch_size: 16, epochs: 1, seed: 4}");
        Network net = Network.build(s, 4);
        Trainer t = Trainer.fromSpec(net, s.training());
        DataSet empty = DataSet.classification(Shape.of(2), new float[0], new int[0]);
        assertThrows(IllegalArgumentException.class, () -> t.trainEpoch(empty, 1));
    }
}
