package org.sparktrain.engine.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparktrain.engine.Network;
import org.sparktrain.engine.Shape;

class ModelSpecTest {

    static IllegalArgumentException refused(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> Network.build(ModelSpec.parse(yaml, "bad.yaml"), 1));
    }

    static void assertMentions(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should mention '" + p + "': " + e.getMessage());
        }
    }

    @Test
    void yamlAndJsonGiveTheSameNetwork() {
        String yaml = """
                name: tiny
                input: [4]
                layers:
                  - {type: dense, units: 3, activation: relu}
                  - {type: dense, units: 2, activation: softmax}
                optimizer: {type: sgd, lr: 0.1}
                training: {batch_size: 8, epochs: 2, seed: 5}
                """;
        String json = "{\"name\": \"tiny\", \"input\": [4], \"layers\": [{\"type\": \"dense\", \"units\": 3,"
                + " \"activation\": \"relu\"}, {\"type\": \"dense\", \"units\": 2, \"activation\": \"softmax\"}],"
                + " \"optimizer\": {\"type\": \"sgd\", \"lr\": 0.1},"
                + " \"training\": {\"batch_size\": 8, \"epochs\": 2, \"seed\": 5}}";
        Network a = Network.build(ModelSpec.parse(yaml, "a.yaml"), 3);
        Network b = Network.build(ModelSpec.parse(json, "b.json"), 3);
        assertEquals(4 * 3 + 3 + 3 * 2 + 2, a.params().length);
        assertTrue(java.util.Arrays.equals(a.params(), b.params()));
        assertEquals(8, a.spec().training().batchSize());
        assertEquals(5L, b.spec().training().seed());
        // the trailing softmax is fused into the loss: 3 layers (dense, relu, dense)
        assertEquals(3, a.layers().size());
        assertEquals(Shape.of(2), a.outputShape());
    }

    @Test
    void sameSeedSameParameters() {
        String yaml = "input: [3]\nlayers: [{type: dense, units: 4}]\nloss: mse\n";
        Network a = Network.build(ModelSpec.parse(yaml, "s"), 11);
        Network b = Network.build(ModelSpec.parse(yaml, "s"), 11);
        Network c = Network.build(ModelSpec.parse(yaml, "s"), 12);
        assertTrue(java.util.Arrays.equals(a.params(), b.params()));
        assertTrue(!java.util.Arrays.equals(a.params(), c.params()));
    }

    @Test
    void unknownKeyNamesTheLayerAndKey() {
        var e = refused("input: [4]\nlayers:\n  - {type: dense, unit: 3}\n");
        assertMentions(e, "bad.yaml", "layer 1 (dense)", "unknown key 'unit'", "units");
    }

    @Test
    void unknownLayerType() {
        var e = refused("input: [4]\nlayers:\n  - {type: dense, units: 3}\n  - {type: densse}\n");
        assertMentions(e, "layer 2", "unknown layer type 'densse'");
    }

    @Test
    void badValues() {
        assertMentions(refused("input: [4]\nlayers: [{type: dense, units: -3}]\n"), "units", "> 0");
        assertMentions(refused("input: [4]\nlayers: [{type: dense, units: 2.5}]\n"), "whole number");
        assertMentions(refused("input: [4]\nlayers: [{type: dropout, rate: 1.5}]\n"), "rate", "[0, 1)");
        assertMentions(refused("input: [0]\nlayers: [{type: dense, units: 2}]\n"), "input");
        assertMentions(refused("layers: [{type: dense, units: 2}]\n"), "'input'");
        assertMentions(refused("input: [4]\nlayers: []\n"), "layers");
        assertMentions(refused("input: [4]\nlayers: [{type: dense, units: 2}]\nloss: hinge\n"), "unknown loss 'hinge'");
        assertMentions(refused("input: [4]\nlayers: [{type: dense, units: 2}]\ntraining: {sampling: random}\n"),
                "sampling");
        assertMentions(refused("input: [4]\nlayers: [{type: dense, units: 2}]\ncolour: red\n"), "unknown key 'colour'");
        assertMentions(refused("input: [4]\nlayers: [{type: dense, units: 2, activation: swish}]\n"),
                "unknown activation 'swish'");
    }

    @Test
    void declaredClassesMustMatchTheOutput() {
        var e = refused("input: [4]\nclasses: 10\nlayers: [{type: dense, units: 3, activation: softmax}]\n");
        assertMentions(e, "3 outputs", "10 classes");
    }

    @Test
    void invalidYaml() {
        var e = assertThrows(SpecException.class, () -> ModelSpec.parse("input: [4\nlayers: {", "broken.yaml"));
        assertMentions(e, "broken.yaml", "not valid YAML");
    }

    @Test
    void benchmarkSpecsBuild() throws Exception {
        java.nio.file.Path conf = java.nio.file.Path.of("..", "conf", "models");
        Network mlp = Network.build(ModelSpec.load(conf.resolve("mlp.yaml")), 42);
        // 784·256+256 + 256·128+128 + 128·10+10
        assertEquals(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10, mlp.params().length);
    }

    @Test
    void recurrentSpecsClipByGlobalNormUnlessTheySayOtherwise() {
        String rnn = "input: [5, 3]\nlayers:\n  - {type: lstm, units: 4}\n  - {type: dense, units: 2}\n";
        assertEquals(java.util.Map.of("clip_norm", 5.0), ModelSpec.parse(rnn, "r.yaml").clipping());
        assertEquals(java.util.Map.of(), ModelSpec.parse(rnn + "clipping: {}\n", "r.yaml").clipping());
        assertEquals(java.util.Map.of("clip_value", 1.0),
                ModelSpec.parse(rnn + "clipping: {clip_value: 1.0}\n", "r.yaml").clipping());
        assertEquals(java.util.Map.of(), ModelSpec.parse("input: [3]\nlayers: [{type: dense, units: 2}]\n", "d").clipping());
    }

    // docs/architecture.md, "Regression"
    static final String REGRESSION = """
            name: reg
            input: [3]
            outputs: 2
            layers:
              - {type: dense, units: 4, activation: relu}
              - {type: dense, units: 2}
            """;

    @Test
    void aRegressionSpecTakesOutputsAndARegressionLoss() {
        ModelSpec spec = ModelSpec.parse(REGRESSION, "reg.yaml");
        assertTrue(spec.regression());
        assertEquals(2, spec.outputs());
        assertEquals("mse", spec.loss()); // the default loss of a regression spec
        ModelSpec huber = ModelSpec.parse(REGRESSION + "loss: {type: huber, delta: 0.5}\n", "reg.yaml");
        assertEquals(0.5, ((org.sparktrain.engine.loss.HuberLoss) huber.lossFunction()).delta());
        assertEquals("mae", Network.build(ModelSpec.parse(REGRESSION + "loss: mae\n", "reg.yaml"), 1)
                .lossFunction().name());
    }

    @Test
    void regressionSpecsThatContradictThemselvesAreRefusedNamingTheFile() {
        assertMentions(refused(REGRESSION + "classes: 2\n"), "bad.yaml", "both 'classes'", "'outputs'");
        assertMentions(refused(REGRESSION + "loss: softmax_cross_entropy\n"), "bad.yaml", "regression",
                "mse, mae or huber");
        assertMentions(refused(REGRESSION + "loss: sigmoid_binary_cross_entropy\n"), "bad.yaml", "classification");
        assertMentions(refused(REGRESSION.replace("outputs: 2", "outputs: 3")), "bad.yaml", "outputs: 3");
        assertMentions(refused(REGRESSION + "loss: {type: mse, delta: 2}\n"), "bad.yaml", "Huber");
        assertMentions(refused(REGRESSION + "training: {early_stopping: {patience: 2, metric: accuracy}}\n"),
                "bad.yaml", "metric: loss");
    }

    // docs/architecture.md, "Multi-label"
    static final String MULTI_LABEL = """
            name: tags
            input: [3]
            labels: 2
            layers:
              - {type: dense, units: 4, activation: relu}
              - {type: dense, units: 2, activation: sigmoid}
            """;

    @Test
    void aMultiLabelSpecTakesLabelsAndSigmoidBinaryCrossEntropy() {
        ModelSpec spec = ModelSpec.parse(MULTI_LABEL, "tags.yaml");
        assertTrue(spec.multiLabel());
        assertTrue(!spec.regression());
        assertEquals(2, spec.labels());
        assertEquals(2, spec.targetCount());
        assertEquals("sigmoid_binary_cross_entropy", spec.loss()); // the default loss of a multi-label spec
        Network net = Network.build(spec, 1);
        assertEquals(Shape.of(2), net.outputShape());
        // the trailing sigmoid is fused into the loss
        assertEquals(3, net.layers().size());
    }

    @Test
    void multiLabelSpecsThatContradictThemselvesAreRefusedNamingTheFile() {
        assertMentions(refused(MULTI_LABEL + "classes: 2\n"), "bad.yaml", "'labels'", "'classes'");
        assertMentions(refused(MULTI_LABEL + "outputs: 2\n"), "bad.yaml", "'labels'", "'outputs'");
        assertMentions(refused(MULTI_LABEL + "loss: softmax_cross_entropy\n"), "bad.yaml", "multi-label",
                "sigmoid_binary_cross_entropy");
        assertMentions(refused(MULTI_LABEL + "loss: mse\n"), "bad.yaml", "multi-label");
        assertMentions(refused(MULTI_LABEL.replace("activation: sigmoid", "activation: softmax")), "bad.yaml",
                "softmax", "one sigmoid per label");
        assertMentions(refused(MULTI_LABEL.replace("labels: 2", "labels: 3")), "bad.yaml", "labels: 3", "2 outputs");
        assertMentions(refused(MULTI_LABEL + "training: {early_stopping: {patience: 2, metric: accuracy}}\n"),
                "bad.yaml", "metric: loss");
    }
}
