package org.sparktrain.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FittedScalerTest {
    /** 4 rows × 3 features: a ramp, a constant, and a spread. */
    private static final float[] ROWS = {
        1, 7, 0,
        2, 7, 10,
        3, 7, -10,
        4, 7, 4,
    };

    @Test
    void zscoreUsesSampleStandardDeviation() {
        FittedScaler s = FittedScaler.fit(FittedScaler.Kind.ZSCORE, ROWS, 4, 3);
        assertEquals(FittedScaler.Kind.ZSCORE, s.kind());
        assertEquals(3, s.featureCount());
        // feature 0: mean 2.5, squared deviations 2.25+0.25+0.25+2.25 = 5, sample var 5/3
        // feature 2: mean 1, squared deviations 1+81+121+9 = 212, sample var 212/3
        assertArrayEquals(new float[] {2.5f, 7f, 1f}, s.shift(), 1e-6f);
        assertArrayEquals(new float[] {(float) (1 / Math.sqrt(5.0 / 3)), 0f, (float) (1 / Math.sqrt(212.0 / 3))},
                s.scale(), 1e-6f);

        float[] x = ROWS.clone();
        s.apply(x, 0, 4);
        assertEquals((1 - 2.5) / Math.sqrt(5.0 / 3), x[0], 1e-6);   // -1.161895
        assertEquals((4 - 2.5) / Math.sqrt(5.0 / 3), x[9], 1e-6);   //  1.161895
        assertEquals(9 / Math.sqrt(212.0 / 3), x[5], 1e-6);
        for (int r = 0; r < 4; r++) {
            assertEquals(0f, x[r * 3 + 1], "constant feature must map to 0, row " + r);
        }
        // scaled features have mean 0 and sample std 1
        double mean = 0;
        double sq = 0;
        for (int r = 0; r < 4; r++) {
            mean += x[r * 3 + 2] / 4.0;
        }
        for (int r = 0; r < 4; r++) {
            sq += Math.pow(x[r * 3 + 2] - mean, 2);
        }
        assertEquals(0, mean, 1e-6);
        assertEquals(1, Math.sqrt(sq / 3), 1e-6);
    }

    @Test
    void minMaxMapsTrainingRangeToUnitInterval() {
        FittedScaler s = FittedScaler.fit(FittedScaler.Kind.MINMAX, ROWS, 4, 3);
        assertArrayEquals(new float[] {1f, 7f, -10f}, s.shift());
        assertArrayEquals(new float[] {1f / 3, 0f, 0.05f}, s.scale(), 1e-7f);
        float[] x = ROWS.clone();
        s.apply(x, 0, 4);
        assertArrayEquals(new float[] {
            0, 0, 0.5f,
            1f / 3, 0, 1,
            2f / 3, 0, 0,
            1, 0, 0.7f,
        }, x, 1e-6f);
    }

    @Test
    void constantFeatureMapsToZeroEvenForUnseenValues() {
        FittedScaler z = FittedScaler.fit(FittedScaler.Kind.ZSCORE, new float[] {5, 5, 5}, 3, 1);
        FittedScaler m = FittedScaler.fit(FittedScaler.Kind.MINMAX, new float[] {5, 5, 5}, 3, 1);
        FittedScaler single = FittedScaler.fit(FittedScaler.Kind.ZSCORE, new float[] {3}, 1, 1);
        for (FittedScaler s : new FittedScaler[] {z, m, single}) {
            float[] x = {5, 3, 1e6f};
            s.apply(x, 0, 3);
            assertArrayEquals(new float[] {0, 0, 0}, x, 0f, s.toString()); // -0 counts as 0
        }
    }

    @Test
    void applyRespectsOffsetAndRowCount() {
        FittedScaler s = FittedScaler.of(FittedScaler.Kind.MINMAX, new float[] {1, 2}, new float[] {2, 0.5f});
        float[] x = {9, 9, 3, 4, 5, 6, 9, 9};
        s.apply(x, 2, 2);
        assertArrayEquals(new float[] {9, 9, 4, 1, 8, 2, 9, 9}, x);
        assertThrows(IllegalArgumentException.class, () -> s.apply(x, 2, 4));
    }

    @Test
    void applyToCopiesAndScalesInOnePassLeavingTheSourceAlone() {
        FittedScaler s = FittedScaler.of(FittedScaler.Kind.MINMAX, new float[] {1, 2}, new float[] {2, 0.5f});
        float[] src = {9, 9, 3, 4, 5, 6, 9, 9};
        float[] dst = new float[6];
        s.applyTo(src, 2, dst, 1, 2);
        assertArrayEquals(new float[] {0, 4, 1, 8, 2, 0}, dst);
        assertArrayEquals(new float[] {9, 9, 3, 4, 5, 6, 9, 9}, src);
        assertThrows(IllegalArgumentException.class, () -> s.applyTo(src, 2, dst, 3, 2));
        assertThrows(IllegalArgumentException.class, () -> s.applyTo(src, 6, dst, 0, 2));
    }

    @Test
    void validatesInputsWithUsefulMessages() {
        assertThrows(IllegalArgumentException.class,
                () -> FittedScaler.of(FittedScaler.Kind.ZSCORE, new float[] {1}, new float[] {1, 2}));
        assertThrows(IllegalArgumentException.class,
                () -> FittedScaler.of(FittedScaler.Kind.ZSCORE, new float[] {Float.NaN}, new float[] {1}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FittedScaler.fit(FittedScaler.Kind.MINMAX, new float[] {1, 2, Float.NaN, 4}, 2, 2));
        assertTrue(e.getMessage().contains("row 1 feature 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> FittedScaler.fit(FittedScaler.Kind.ZSCORE, new float[] {1, 2, 3}, 2, 2));
    }

    @Test
    void isAValue() {
        float[] shift = {1, 2};
        FittedScaler a = FittedScaler.of(FittedScaler.Kind.ZSCORE, shift, new float[] {3, 4});
        shift[0] = 100; // copied in
        FittedScaler b = FittedScaler.of(FittedScaler.Kind.ZSCORE, new float[] {1, 2}, new float[] {3, 4});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        a.shift()[0] = 100; // copied out
        assertEquals(a, b);
        assertNotEquals(a, FittedScaler.of(FittedScaler.Kind.MINMAX, new float[] {1, 2}, new float[] {3, 4}));
    }
}
