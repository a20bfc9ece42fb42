package org.sparktrain.engine.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.Shape;
import org.sparktrain.engine.spec.ModelSpec;
import org.sparktrain.engine.spec.SpecException;

/** The checked-in recurrent model specs build, with the benchmark's sizes; bad specs fail with clear messages. */
class RnnSpecTest {

    static Network build(String name) throws Exception {
        Path p = Path.of("..", "conf", "models", name + ".yaml");
        if (!Files.exists(p)) {
            p = Path.of("conf", "models", name + ".yaml");
        }
        return Network.build(ModelSpec.load(p), 1);
    }

    @Test
    void benchmarkModelsBuild() throws Exception {
        Network lstm = build("lstm");
        assertEquals(Shape.of(28, 28), lstm.inputShape());
        assertEquals(Shape.of(10), lstm.outputShape());
        // LSTM: 4·128·(28 + 128) + 4·128 (one bias per gate), Dense: 128·10 + 10
        assertEquals(4 * 128 * (28 + 128) + 4 * 128 + 1290, lstm.params().length);
        Network gru = build("gru");
        // GRU (pytorch form): 3·128·(28 + 128) + 3·128 + 128 (recurrent candidate bias), Dense 1290
        assertEquals(3 * 128 * (28 + 128) + 3 * 128 + 128 + 1290, gru.params().length);
        Network rnn = build("rnn");
        assertEquals(128 * (28 + 128) + 128 + 1290, rnn.params().length);
        assertTrue(lstm.spec().clipping().containsKey("clip_norm"), "RNN specs clip by global norm");
    }

    @Test
    void manyToManySpecBuilds() {
        Network n = Network.build(ModelSpec.parse("""
                input: [10, 3]
                layers:
                  - {type: gru, units: 5, return_sequences: true, tbptt: 4, variant: pytorch}
                  - {type: lstm, units: 4, return_sequences: true, recurrent_init: orthogonal, init: xavier}
                  - {type: time_distributed, units: 2, activation: tanh}
                loss: mse
                """, "m2m.yaml"), 3);
        assertEquals(Shape.of(10, 2), n.outputShape());
    }

    @Test
    void badSpecsSayWhatIsWrong() {
        Exception e = assertThrows(RuntimeException.class, () -> Network.build(ModelSpec.parse(
                "input: [784]\nlayers:\n  - {type: lstm, units: 8}\n  - {type: dense, units: 2}\n", "flat.yaml"), 1));
        assertTrue(e.getMessage().contains("[time, features]"), e.getMessage());
        e = assertThrows(SpecException.class, () -> ModelSpec.parse(
                "input: [5, 2]\nlayers:\n  - {type: gru, units: 8, forget_bias: 1}\n", "key.yaml"));
        assertTrue(e.getMessage().contains("unknown key 'forget_bias'"), e.getMessage());
        e = assertThrows(SpecException.class, () -> ModelSpec.parse(
                "input: [5, 2]\nlayers:\n  - {type: lstm, units: 8, tbptt: -1}\n", "tbptt.yaml"));
        assertTrue(e.getMessage().contains("tbptt"), e.getMessage());
    }
}
