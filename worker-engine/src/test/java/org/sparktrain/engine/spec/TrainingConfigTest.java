package org.sparktrain.engine.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** docs/architecture.md, "The global minibatch": which meaning of the minibatch size a spec asks for. */
class TrainingConfigTest {
    static final String NET = "input: [4]\nlayers: [{type: dense, units: 2, activation: softmax}]\n";

    @Test
    void batchSizeIsTheGlobalMinibatch() {
        TrainingConfig c = ModelSpec.parse(NET + "training: {batch_size: 32}\n", "t.yaml").training();
        assertEquals(32, c.batchSize());
        assertFalse(c.perWorkerBatch());
        assertFalse(ModelSpec.parse(NET, "t.yaml").training().perWorkerBatch());
    }

    @Test
    void batchSizePerWorkerKeepsTheOldMeaning() {
        TrainingConfig c = ModelSpec.parse(NET + "training: {batch_size_per_worker: 16, epochs: 3}\n", "t.yaml")
                .training();
        assertEquals(16, c.batchSize());
        assertTrue(c.perWorkerBatch());
        assertTrue(c.withEpochs(5).withSeed(2).perWorkerBatch(), "the other overrides keep the meaning");
        assertFalse(c.withBatchSize(64, false).perWorkerBatch());
    }

    @Test
    void bothSizesAreRefusedNamingTheFile() {
        SpecException e = assertThrows(SpecException.class, () -> ModelSpec.parse(NET
                + "training: {batch_size: 32, batch_size_per_worker: 16}\n", "both.yaml"));
        assertTrue(e.getMessage().contains("both.yaml") && e.getMessage().contains("not both"), e.getMessage());
    }
}
