package org.sparktrain.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The one rule that picks every kernel family, and the once-per-JVM instances it hands out. */
class KernelsTest {

    @Test
    void propertyForcesVectorOrScalarAndBlankPrefersTheVectorApiWhenPresent() {
        assertFalse(Kernels.useVector("scalar"));
        assertTrue(Kernels.useVector(" VECTOR "));
        assertThrows(IllegalArgumentException.class, () -> Kernels.useVector("ejml"));
        // Surefire runs with conf/jvm.options, which adds jdk.incubator.vector.
        assertTrue(Kernels.vectorApiAvailable());
        assertTrue(Kernels.useVector(null));
        assertTrue(Kernels.useVector(" "));
    }

    @Test
    void theColdPhasePropertyIsTwinOrVector() {
        assertTrue(ColdPhase.enabled("twin"));
        assertTrue(ColdPhase.enabled(" Twin "));
        assertFalse(ColdPhase.enabled("vector"));
        assertEquals(ColdPhase.DEFAULT.equals("twin"), ColdPhase.enabled(null));
        assertThrows(IllegalArgumentException.class, () -> ColdPhase.enabled("scalar"));
    }

    @Test
    void everyFamilyGetsItsVectorVersionOnceWithTheModule() {
        assertEquals("vector-api", Gemms.fastest().name());
        assertSame(Gemms.fastest(), Gemms.fastest());
        // every vector kernel that has a plain-Java twin comes behind its cold-phase switch (ColdPhase)
        assertTrue(Gemms.fastest() instanceof ColdGemm && ((ColdGemm) Gemms.fastest()).vector() instanceof VectorGemm);
        Elementwise e = Elementwise.fastest();
        assertTrue(e instanceof ColdElementwise && ((ColdElementwise) e).vector instanceof VectorElementwise);
        assertSame(e, Elementwise.fastest());
        NormKernels norm = NormKernels.fastest();
        assertTrue(norm instanceof ColdNormKernels && ((ColdNormKernels) norm).vector instanceof VectorNormKernels);
        PoolKernels pool = PoolKernels.fastest();
        assertTrue(pool instanceof ColdPoolKernels && ((ColdPoolKernels) pool).vector instanceof VectorPoolKernels);
        UpdateKernels update = UpdateKernels.fastest();
        assertTrue(update instanceof ColdUpdateKernels && ((ColdUpdateKernels) update).vector instanceof VectorUpdateKernels);
        Columns columns = Columns.create(1, 5, 5, 3, 3, 1, 1, 1, 1, 5, 5);
        assertTrue(columns instanceof ColdColumns && ((ColdColumns) columns).vector instanceof VectorColumns);
        assertEquals("org.sparktrain.engine.layer.ColdRecurrentKernels",
                org.sparktrain.engine.layer.RecurrentKernels.get().getClass().getName());
    }
}
