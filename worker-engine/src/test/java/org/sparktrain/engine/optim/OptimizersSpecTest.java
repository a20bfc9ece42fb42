package org.sparktrain.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

class OptimizersSpecTest {

    private static Map<String, Object> spec(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(String text) {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
    }

    @Test
    void buildsEachType() {
        Adam adam = (Adam) Optimizers.fromSpec(
                spec("type", "adam", "lr", 0.001, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", 0));
        assertEquals("adam(lr=0.001, b1=0.9, b2=0.999, eps=1e-8)", adam.describe());
        assertEquals(0.0, adam.weightDecay());

        Sgd sgd = (Sgd) Optimizers.fromSpec(spec("type", "sgd", "lr", 0.1, "momentum", 0.9, "nesterov", true));
        assertEquals(0.1f, sgd.learningRate());
        assertEquals(0.9f, sgd.momentum());
        assertTrue(sgd.nesterov());

        Adagrad ada = (Adagrad) Optimizers.fromSpec(spec("type", "adagrad", "lr", 0.01));
        assertEquals(0.01f, ada.learningRate());
        assertEquals(1e-10f, ada.eps());

        RmsProp rms = (RmsProp) Optimizers.fromSpec(spec("type", "rmsprop", "lr", 0.001, "alpha", 0.99));
        assertEquals("rmsprop(lr=0.001, alpha=0.99, eps=1e-8)", rms.describe());

        Adam adamW = (Adam) Optimizers.fromSpec(spec("type", "adamw", "lr", 0.001));
        assertEquals(0.01, adamW.weightDecay(), "PyTorch's AdamW default");
        Adam adamW2 = (Adam) Optimizers.fromSpec(spec("type", "AdamW", "weight_decay", 0.05));
        assertEquals(0.05, adamW2.weightDecay());
    }

    @Test
    void defaults() {
        assertEquals("sgd(lr=0.001)", Optimizers.fromSpec(spec("type", "sgd")).describe());
        assertEquals("adagrad(lr=0.01, eps=1e-10)", Optimizers.fromSpec(spec("type", "adagrad")).describe());
        assertEquals("rmsprop(lr=0.01, alpha=0.99, eps=1e-8)", Optimizers.fromSpec(spec("type", "rmsprop")).describe());
        assertEquals("adam(lr=0.001, b1=0.9, b2=0.999, eps=1e-8)", Optimizers.fromSpec(spec("type", "adam")).describe());
    }

    @Test
    void integerLongAndDoubleNumbers() {
        Sgd a = (Sgd) Optimizers.fromSpec(spec("type", "sgd", "lr", 1, "momentum", 0));
        assertEquals(1f, a.learningRate());
        Sgd b = (Sgd) Optimizers.fromSpec(spec("type", "sgd", "lr", 2L));
        assertEquals(2f, b.learningRate());
        Adam c = (Adam) Optimizers.fromSpec(spec("type", "adam", "beta1", 0, "beta2", 0.5f));
        assertEquals(0.0, c.beta1());
        assertEquals(0.5, c.beta2());
    }

    @Test
    void fromYamlText() {
        // What the spec loader will hand over: snakeyaml-engine reads 1e-8 as a Double, 0 as an Integer.
        Optimizer o = Optimizers.fromSpec(yaml("type: adam\nlr: 0.001\nbeta1: 0.9\nbeta2: 0.999\neps: 1e-8\nweight_decay: 0\n"));
        assertEquals("adam(lr=0.001, b1=0.9, b2=0.999, eps=1e-8)", o.describe());
        Optimizer s = Optimizers.fromSpec(yaml("{type: sgd, lr: 0.1, momentum: 0.9, nesterov: true}"));
        assertEquals("sgd(lr=0.1, momentum=0.9, nesterov=true)", s.describe());
    }

    @Test
    void unknownOrMissingType() {
        assertMessage(spec("type", "adamm"),
                "optimizer: unknown type 'adamm' (allowed: sgd, adagrad, rmsprop, adam, adamw)");
        assertMessage(spec("type", 3), "optimizer: unknown type '3' (allowed: sgd, adagrad, rmsprop, adam, adamw)");
        assertMessage(spec("lr", 0.1), "optimizer: the key 'type' is missing (allowed values: sgd, adagrad, rmsprop, adam, adamw)");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizers.fromSpec(null));
        assertTrue(e.getMessage().startsWith("optimizer: the spec is missing"), e.getMessage());
    }

    @Test
    void unknownKeysNameTheAllowedOnes() {
        assertMessage(spec("type", "adam", "betta1", 0.9),
                "optimizer: unknown key 'betta1' for type adam (allowed: type, lr, beta1, beta2, eps, weight_decay)");
        assertMessage(spec("type", "sgd", "beta1", 0.9),
                "optimizer: unknown key 'beta1' for type sgd (allowed: type, lr, momentum, nesterov)");
        assertMessage(spec("type", "adagrad", "momentum", 0.9),
                "optimizer: unknown key 'momentum' for type adagrad (allowed: type, lr, eps)");
        assertMessage(spec("type", "rmsprop", "momentum", 0.9),
                "optimizer: unknown key 'momentum' for type rmsprop (allowed: type, lr, alpha, eps)");
        assertMessage(spec("type", "adamw", "learning_rate", 0.9),
                "optimizer: unknown key 'learning_rate' for type adamw (allowed: type, lr, beta1, beta2, eps, weight_decay)");
    }

    @Test
    void negativeNaNInfiniteAndOutOfRangeValues() {
        assertMessage(spec("type", "sgd", "lr", -0.1), "optimizer: 'lr' must be a finite number >= 0, got -0.1");
        assertMessage(spec("type", "sgd", "lr", -1), "optimizer: 'lr' must be a finite number >= 0, got -1.0");
        assertMessage(spec("type", "adam", "lr", Double.NaN), "optimizer: 'lr' must be a finite number, got NaN");
        assertMessage(spec("type", "adam", "lr", Double.POSITIVE_INFINITY),
                "optimizer: 'lr' must be a finite number, got Infinity");
        assertMessage(spec("type", "sgd", "momentum", -0.5), "optimizer: 'momentum' must be a number in [0, 1), got -0.5");
        assertMessage(spec("type", "sgd", "momentum", 1), "optimizer: 'momentum' must be a number in [0, 1), got 1.0");
        assertMessage(spec("type", "adam", "beta1", Double.NaN), "optimizer: 'beta1' must be a finite number, got NaN");
        assertMessage(spec("type", "adam", "beta2", 1.0), "optimizer: 'beta2' must be a number in [0, 1), got 1.0");
        assertMessage(spec("type", "adam", "beta1", -0.1), "optimizer: 'beta1' must be a number in [0, 1), got -0.1");
        assertMessage(spec("type", "adam", "eps", 0), "optimizer: 'eps' must be a finite number > 0, got 0.0");
        assertMessage(spec("type", "adagrad", "eps", -1e-10), "optimizer: 'eps' must be a finite number > 0, got -1.0E-10");
        assertMessage(spec("type", "rmsprop", "alpha", -0.99), "optimizer: 'alpha' must be a number in [0, 1), got -0.99");
        assertMessage(spec("type", "rmsprop", "eps", Double.NaN), "optimizer: 'eps' must be a finite number, got NaN");
        assertMessage(spec("type", "adamw", "weight_decay", -0.01),
                "optimizer: 'weight_decay' must be a finite number >= 0, got -0.01");
        assertMessage(spec("type", "adagrad", "lr", Float.NaN), "optimizer: 'lr' must be a finite number, got NaN");
    }

    @Test
    void wrongKindsOfValue() {
        assertMessage(spec("type", "adam", "lr", "0.001"),
                "optimizer: 'lr' must be a number, got the text '0.001' (remove the quotes?)");
        assertMessage(spec("type", "adam", "lr", null), "optimizer: 'lr' must be a number, got 'null'");
        assertMessage(spec("type", "sgd", "momentum", 0.9, "nesterov", "yes"),
                "optimizer: 'nesterov' must be true or false, got 'yes'");
    }

    @Test
    void inconsistentCombinations() {
        assertMessage(spec("type", "sgd", "lr", 0.1, "nesterov", true),
                "optimizer: sgd: nesterov needs a momentum > 0 (got momentum 0); set momentum, e.g. 0.9, or drop nesterov");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.fromSpec(spec("type", "adam", "weight_decay", 0.01)));
        assertTrue(e.getMessage().startsWith("optimizer: 'weight_decay' 0.01 with type adam is ambiguous"), e.getMessage());
        assertTrue(e.getMessage().contains("use type adamw"), e.getMessage());
    }

    @Test
    void fromSpecDoesNotModifyTheMap() {
        Map<String, Object> m = new HashMap<>(spec("type", "adam", "lr", 0.01));
        assertInstanceOf(Adam.class, Optimizers.fromSpec(m));
        assertEquals(spec("type", "adam", "lr", 0.01), m);
    }

    private static void assertMessage(Map<String, Object> spec, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizers.fromSpec(spec));
        assertEquals(message, e.getMessage());
    }
}
