package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.TestSpark;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.data.MiniBatch;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.Trainer;

/** docs/architecture.md, Conventions: averaging conventions, checked against single-machine training. */
public class ParameterAveragingMasterTest {

    public static final String MLP = """
            input: [6]
            layers:
              - {type: dense, units: 12, activation: tanh}
              - {type: dense, units: 3, activation: softmax}
            optimizer: {type: adam, lr: 0.01}
            training: {batch_size: 8, epochs: 2, seed: 5}
            """;
    static final String WITH_DROPOUT_AND_BN = """
            input: [6]
            layers:
              - {type: dense, units: 12}
              - {type: batchnorm}
              - relu
              - {type: dropout, rate: 0.2}
              - {type: dense, units: 3, activation: softmax}
            optimizer: {type: adam, lr: 0.01}
            training: {batch_size: 8, epochs: 2, seed: 5}
            """;

    public static DataSet data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 6];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(3);
            for (int j = 0; j < 6; j++) {
                x[i * 6 + j] = (float) (r.nextDouble() - 0.5 + (j == y[i] ? 1.5 : 0));
            }
        }
        return DataSet.classification(Shape.of(6), x, y);
    }

    static float[] distributed(String specText, DataSet d, MasterConfig mc, int epochs) {
        JavaSparkContext sc = TestSpark.jsc();
        ModelSpec spec = ModelSpec.parse(specText, "t.yaml");
        TrainingConfig cfg = spec.training();
        Trainer t = Trainer.fromSpec(Network.build(spec, cfg.seed()), cfg);
        ParameterAveragingMaster m = new ParameterAveragingMaster(sc, mc, t);
        InMemoryEpochData data = new InMemoryEpochData(sc, d, mc.workers(), cfg.batchSize(), cfg.seed());
        for (int e = 1; e <= epochs; e++) {
            m.trainEpoch(data, e);
        }
        m.close();
        return t.network().params().clone();
    }

    @Test
    void oneWorkerEveryStepEqualsSingleMachineTrainingBitForBit() {
        DataSet d = data(100, 1); // 100/8: a last minibatch of 4
        for (String specText : new String[] {MLP, WITH_DROPOUT_AND_BN}) {
            float[] dist = distributed(specText, d, new MasterConfig(1, 1, AveragingMode.PARAMETER, 0, "t"), 2);
            ModelSpec spec = ModelSpec.parse(specText, "t.yaml");
            TrainingConfig cfg = spec.training();
            Trainer single = Trainer.fromSpec(Network.build(spec, cfg.seed()), cfg);
            for (int e = 1; e <= 2; e++) {
                List<MiniBatch> blocks = InMemoryEpochData.blocksFor(d, e, 0, 1, cfg.batchSize(), cfg.seed());
                for (int s = 0; s < blocks.size(); s++) {
                    single.stepAt(blocks.get(s), e, 0, s);
                }
            }
            assertArrayEquals(single.network().params(), dist);
        }
    }

    @Test
    void gradientModeEqualsSingleMachineWithAWorkerTimesLargerMinibatch() {
        gradientModeMatchesOneMachine(MLP);
    }

    /**
     * docs/architecture.md, Conventions: in gradient mode clipping applies to the averaged gradient, as on one
     * machine.
     */
    @Test
    void gradientModeClipsTheAveragedGradient() {
        // a clip norm far below the gradients' norm: every step is clipped, so clipping each worker's
        // gradient before averaging would give different parameters
        gradientModeMatchesOneMachine(MLP.replace("optimizer:", "clipping: {clip_norm: 0.05}\noptimizer:"));
    }

    static void gradientModeMatchesOneMachine(String specText) {
        // 2 workers × minibatch 8 = one machine with minibatch 16 over the same 16 examples per step.
        // 96 examples: each worker has 48 = 6 full minibatches, so every step averages two means of 8.
        DataSet d = data(96, 2);
        float[] dist = distributed(specText, d, new MasterConfig(2, 1, AveragingMode.GRADIENT, 0, "t"), 1);
        ModelSpec spec = ModelSpec.parse(specText, "t.yaml");
        TrainingConfig cfg = spec.training();
        Trainer single = Trainer.fromSpec(Network.build(spec, cfg.seed()), cfg);
        List<MiniBatch> w0 = InMemoryEpochData.blocksFor(d, 1, 0, 2, 8, cfg.seed());
        List<MiniBatch> w1 = InMemoryEpochData.blocksFor(d, 1, 1, 2, 8, cfg.seed());
        for (int s = 0; s < w0.size(); s++) {
            MiniBatch big = MiniBatch.allocate(16, 6, true, 0);
            System.arraycopy(w0.get(s).features, 0, big.features, 0, 48);
            System.arraycopy(w1.get(s).features, 0, big.features, 48, 48);
            System.arraycopy(w0.get(s).labels, 0, big.labels, 0, 8);
            System.arraycopy(w1.get(s).labels, 0, big.labels, 8, 8);
            big.size = 16;
            single.step(big, 0);
        }
        float[] ref = single.network().params();
        for (int i = 0; i < ref.length; i++) {
            assertEquals(ref[i], dist[i], 1e-4f + 1e-4f * Math.abs(ref[i]), "parameter " + i);
        }
    }

    @Test
    void sameSeedSameParametersInBothModes() {
        DataSet d = data(120, 3);
        for (AveragingMode mode : AveragingMode.values()) {
            MasterConfig mc = new MasterConfig(2, 3, mode, 1, "t");
            float[] a = distributed(WITH_DROPOUT_AND_BN, d, mc, 2);
            float[] b = distributed(WITH_DROPOUT_AND_BN, d, mc, 2);
            assertArrayEquals(a, b, mode.toString());
        }
    }

    @Test
    void twoWorkersLearn() {
        DataSet d = data(800, 4);
        ModelSpec spec = ModelSpec.parse(MLP, "t.yaml");
        JavaSparkContext sc = TestSpark.jsc();
        TrainingConfig cfg = spec.training();
        Trainer t = Trainer.fromSpec(Network.build(spec, cfg.seed()), cfg);
        ParameterAveragingMaster m = new ParameterAveragingMaster(sc, new MasterConfig(2, 5, AveragingMode.PARAMETER, 2, "t"), t);
        InMemoryEpochData data = new InMemoryEpochData(sc, d, 2, 8, cfg.seed());
        double[] first = m.trainEpoch(data, 1);
        double[] second = m.trainEpoch(data, 2);
        assertEquals(800, (long) first[1]);
        assertTrue(second[0] < first[0], "loss should fall: " + first[0] + " -> " + second[0]);
        double acc = Trainer.evaluate(t.network(), data(300, 5), 100).accuracy();
        assertTrue(acc > 0.9, "accuracy " + acc);
        m.close();
    }
}
