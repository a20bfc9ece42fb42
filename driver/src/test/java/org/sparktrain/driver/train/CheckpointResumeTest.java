package org.sparktrain.driver.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.round.AveragingMode;
import org.sparktrain.driver.TestSpark;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.TrainingConfig;
import org.sparktrain.engine.train.DivergedLossException;
import org.sparktrain.engine.train.DivergenceGuard;
import org.sparktrain.engine.train.NonFiniteLossException;
import org.sparktrain.engine.train.Trainer;

/** An interrupted run resumed from its checkpoint ends where an uninterrupted one does, bit for bit. */
class CheckpointResumeTest {

    static Trainer trainer(String specText, int epochs) {
        ModelSpec spec = ModelSpec.parse(specText, "t.yaml");
        TrainingConfig cfg = spec.training().withEpochs(epochs);
        return Trainer.fromSpec(Network.build(spec, cfg.seed()), cfg);
    }

    static float[] run(Trainer t, DataSet d, MasterConfig mc, String dir, boolean resume) throws Exception {
        JavaSparkContext sc = TestSpark.jsc();
        EpochData data = new InMemoryEpochData(sc, d, mc.workers(), t.config().batchSize(), t.config().seed());
        DistributedTraining.run(sc, t, mc, data, null, dir, resume, new PrintStream(new ByteArrayOutputStream()));
        return t.network().params().clone();
    }

    @Test
    void resumedRunEqualsUninterruptedRun(@TempDir Path tmp) throws Exception {
        DataSet d = ParameterAveragingMasterTest.data(200, 7);
        MasterConfig mc = new MasterConfig(2, 3, AveragingMode.PARAMETER, 2, "t");
        String spec = ParameterAveragingMasterTest.WITH_DROPOUT_AND_BN;
        float[] straight = run(trainer(spec, 3), d, mc, tmp.resolve("a").toString(), false);
        // "interrupted" after epoch 2: a 2-epoch run leaves its checkpoint, then a 3-epoch run resumes it
        String dir = tmp.resolve("b").toString();
        run(trainer(spec, 2), d, mc, dir, false);
        assertTrue(Files.exists(tmp.resolve("b").resolve(Checkpoint.FILE)));
        float[] resumed = run(trainer(spec, 3), d, mc, dir, true);
        assertArrayEquals(straight, resumed);
    }

    @Test
    void aCheckpointOfAnotherSpecIsRefused(@TempDir Path tmp) throws Exception {
        DataSet d = ParameterAveragingMasterTest.data(64, 8);
        MasterConfig mc = new MasterConfig(1, 2, AveragingMode.PARAMETER, 0, "t");
        String dir = tmp.toString();
        run(trainer(ParameterAveragingMasterTest.MLP, 1), d, mc, dir, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(trainer(ParameterAveragingMasterTest.WITH_DROPOUT_AND_BN, 2), d, mc, dir, true));
        assertTrue(e.getMessage().contains("another model spec"), e.getMessage());
    }

    @Test
    void aNaNLossStopsNamingTheRoundAndKeepsTheLastGoodCheckpoint(@TempDir Path tmp) throws Exception {
        DataSet d = ParameterAveragingMasterTest.data(64, 9);
        MasterConfig mc = new MasterConfig(2, 2, AveragingMode.PARAMETER, 0, "t");
        String dir = tmp.toString();
        Trainer t = trainer(ParameterAveragingMasterTest.MLP, 1);
        run(t, d, mc, dir, false);
        byte[] good = Files.readAllBytes(tmp.resolve(Checkpoint.FILE));
        Trainer bad = trainer(ParameterAveragingMasterTest.MLP, 3);
        JavaSparkContext sc = TestSpark.jsc();
        EpochData data = new InMemoryEpochData(sc, d, 2, 8, 5);
        // resume epoch 1's checkpoint, then make the learning rate absurd: epoch 2 diverges
        bad.optimizer().setLearningRate(Float.MAX_VALUE);
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> DistributedTraining.run(sc, bad,
                mc, data, null, dir, true, new PrintStream(new ByteArrayOutputStream())));
        assertTrue(e.getMessage().contains("averaging round"), e.getMessage());
        assertEquals(2, e.epoch());
        assertArrayEquals(good, Files.readAllBytes(tmp.resolve(Checkpoint.FILE)));
    }

    @Test
    void aDivergingLossStopsNamingTheRoundAndKeepsTheLastGoodCheckpoint(@TempDir Path tmp) throws Exception {
        DataSet d = ParameterAveragingMasterTest.data(160, 9);
        String spec = ParameterAveragingMasterTest.MLP;
        for (MasterConfig.RoundTransport transport : MasterConfig.RoundTransport.values()) {
            MasterConfig mc = new MasterConfig(2, 2, AveragingMode.PARAMETER, 0, "t").withTransport(transport)
                    .withDivergence(new DivergenceGuard.Settings(10, 2));
            String dir = tmp.resolve(transport.name()).toString();
            run(trainer(spec, 1), d, mc, dir, false);
            byte[] good = Files.readAllBytes(Path.of(dir, Checkpoint.FILE));
            Trainer bad = trainer(spec, 3);
            JavaSparkContext sc = TestSpark.jsc();
            EpochData data = new InMemoryEpochData(sc, d, 2, bad.config().batchSize(), bad.config().seed());
            // resume epoch 1's checkpoint with a rate that makes the loss run away, finite: epoch 2 diverges
            bad.optimizer().setLearningRate(1e3f);
            DivergedLossException e = assertThrows(DivergedLossException.class, () -> DistributedTraining.run(sc, bad,
                    mc, data, null, dir, true, new PrintStream(new ByteArrayOutputStream())));
            assertTrue(e.getMessage().contains("epoch 2 in averaging round") && e.getMessage().contains("for 2 rounds"),
                    e.getMessage());
            assertEquals(2, e.epoch());
            assertArrayEquals(good, Files.readAllBytes(Path.of(dir, Checkpoint.FILE)), transport.name());
        }
    }
}
