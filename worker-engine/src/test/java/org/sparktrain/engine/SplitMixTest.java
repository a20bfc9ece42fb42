package org.sparktrain.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class SplitMixTest {
    @Test
    void fixedArityOverloadsEqualTheVarargsForm() {
        long s = 12345;
        assertEquals(SplitMix.derive(s, new long[] {7}), SplitMix.derive(s, 7));
        assertEquals(SplitMix.derive(s, new long[] {7, 8}), SplitMix.derive(s, 7, 8));
        assertEquals(SplitMix.derive(s, new long[] {7, 8, 9}), SplitMix.derive(s, 7, 8, 9));
        assertNotEquals(SplitMix.derive(s, 7, 8, 9), SplitMix.derive(s, 7, 9, 8));
        assertNotEquals(SplitMix.derive(s, 1), SplitMix.derive(s + 1, 1));
    }
}
