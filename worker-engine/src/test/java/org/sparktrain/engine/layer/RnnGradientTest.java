package org.sparktrain.engine.layer;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.engine.GradientCheck;
import org.sparktrain.engine.Shape;

/** Gradient checks through time of every recurrent layer: lengths 1 and 5, both outputs, masks, tbptt. */
class RnnGradientTest {

    static List<LayerConfig> configs(boolean seq, int tbptt) {
        return List.of(
                new SimpleRnn.Config(3, SimpleRnn.Fn.TANH, seq, tbptt, Init.UNIFORM, false),
                new SimpleRnn.Config(3, SimpleRnn.Fn.SIGMOID, seq, tbptt, Init.XAVIER, true),
                new Lstm.Config(3, seq, tbptt, Init.UNIFORM, false, 1f),
                new Lstm.Config(4, seq, tbptt, Init.XAVIER, true, 1f),
                new Gru.Config(3, Gru.Variant.SEED, seq, tbptt, Init.UNIFORM, false),
                new Gru.Config(3, Gru.Variant.PYTORCH, seq, tbptt, Init.UNIFORM, true));
    }

    @Test
    void lengthOne() {
        for (boolean seq : new boolean[] {true, false}) {
            for (LayerConfig c : configs(seq, 0)) {
                RecurrentCheck.check(c, 1, 2, 3, null, 21);
            }
        }
    }

    @Test
    void fullBpttReturnSequences() {
        for (LayerConfig c : configs(true, 0)) {
            RecurrentCheck.check(c, 5, 2, 3, null, 22);
        }
    }

    @Test
    void fullBpttLastStep() {
        for (LayerConfig c : configs(false, 0)) {
            RecurrentCheck.check(c, 5, 3, 2, null, 23);
        }
    }

    @Test
    void withMasks() {
        for (boolean seq : new boolean[] {true, false}) {
            for (LayerConfig c : configs(seq, 0)) {
                RecurrentCheck.check(c, 6, 2, 3, RecurrentCheck.mask(3, 6), 24);
            }
        }
    }

    /** Sequences padded at the end only: the packed path (padded steps not computed), both outputs. */
    @Test
    void withEndPaddingPacked() {
        float[] mask = RnnMaskTest.prefixMask(6, 6, 3, 1, 4);
        for (boolean seq : new boolean[] {true, false}) {
            for (LayerConfig c : configs(seq, 0)) {
                RecurrentCheck.check(c, 6, 2, 4, mask, 31);
            }
        }
    }

    @Test
    void truncatedBpttMatchesTheTruncatedObjective() {
        for (boolean seq : new boolean[] {true, false}) {
            for (int k : new int[] {1, 2, 3}) {
                for (LayerConfig c : configs(seq, k)) {
                    RecurrentCheck.check(c, 7, 2, 2, null, 25 + k);
                }
            }
        }
    }

    @Test
    void truncatedBpttWithMasks() {
        for (LayerConfig c : configs(true, 2)) {
            RecurrentCheck.check(c, 6, 2, 3, RecurrentCheck.mask(3, 6), 29);
        }
    }

    @Test
    void firstLayerSkipsTheInputGradient() {
        for (LayerConfig c : configs(false, 0)) {
            Recurrent l = RecurrentCheck.build(c, Shape.of(4, 2), 3);
            l.setNeedInputGrad(false);
            l.forward(GradientCheck.uniform(2 * 8, -1f, 1f, 4), 2, true);
            assertNull(l.backward(GradientCheck.uniform(2 * l.outShape().size(), -1f, 1f, 5), 2));
        }
    }

    @Test
    void timeDistributedDense() {
        float[] x = GradientCheck.uniform(3 * 4 * 5, -1f, 1f, 30);
        org.sparktrain.engine.LayerGradientCheck.check(new TimeDistributedDense.Config(2, true, Init.XAVIER),
                Shape.of(4, 5), x, 3, 31, 1000);
    }
}
