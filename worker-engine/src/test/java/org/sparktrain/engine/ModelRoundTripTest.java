package org.sparktrain.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.engine.data.DataSet;
import org.sparktrain.engine.io.ModelContents;
import org.sparktrain.engine.io.ModelFile;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.SpecException;
import org.sparktrain.engine.train.Trainer;

/** A trained network saved and loaded gives identical predictions (BatchNorm state included). */
class ModelRoundTripTest {
    static final String SPEC = """
            name: small-cnn
            input: [1, 8, 8]
            layers:
              - {type: conv2d, filters: 4, kernel: 3, padding: 1}
              - {type: batchnorm}
              - relu
              - {type: maxpool2d, size: 2}
              - {type: residual, layers: [{type: conv2d, filters: 6, kernel: 3, padding: 1}, relu]}
              - flatten
              - {type: dropout, rate: 0.2}
              - {type: dense, units: 3, activation: softmax}
            optimizer: {type: adam, lr: 0.01}
            training: {batch_size: 8, epochs: 2, seed: 1}
            """;

    static DataSet data(int n) {
        float[] x = GradientCheck.uniform(n * 64, 0f, 1f, 5);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            x[i * 64 + y[i]] += 2f; // a learnable hint
        }
        return DataSet.classification(Shape.of(1, 8, 8), x, y);
    }

    @Test
    void saveLoadGivesIdenticalPredictions(@TempDir Path dir) throws Exception {
        ModelSpec spec = ModelSpec.parse(SPEC, "small-cnn.yaml");
        Network net = Network.build(spec, 1);
        Trainer.fromSpec(net, spec.training()).fit(data(48), null, null);
        Path file = dir.resolve("model.sptr");
        ModelFile.save(file, net.toModel(Optional.empty(), Map.of("seed", "1")));

        Network loaded = Network.restore(ModelFile.load(file), file.toString());
        assertArrayEquals(net.params(), loaded.params());
        assertArrayEquals(net.state(), loaded.state());
        DataSet test = data(20);
        float[] a = new float[20 * 3];
        float[] b = new float[20 * 3];
        net.predict(test.features(), 20, a);
        loaded.predict(test.features(), 20, b);
        assertArrayEquals(a, b); // bit for bit
        // the running statistics were trained (not the initial 0/1), so the state really travelled
        boolean moved = false;
        for (float v : loaded.state()) {
            moved |= v != 0f && v != 1f;
        }
        assertTrue(moved);
    }

    @Test
    void aFileWhoseArraysDoNotFitItsSpecIsRefused() {
        ModelSpec spec = ModelSpec.parse(SPEC, "small-cnn.yaml");
        Network net = Network.build(spec, 1);
        ModelContents wrong = new ModelContents(SPEC, new float[net.params().length - 1], net.state(), Optional.empty(),
                Map.of());
        SpecException e = assertThrows(SpecException.class, () -> Network.restore(wrong, "m.sptr"));
        assertTrue(e.getMessage().contains("not written by this spec"), e.getMessage());
    }
    // a failed save keeping the old file: ModelFileTest.aFailedSaveLeavesTheOldModelIntact
}
