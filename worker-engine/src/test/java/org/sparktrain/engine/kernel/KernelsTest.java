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
    void everyFamilyGetsItsVectorVersionOnceWithTheModule() {
        assertEquals("vector-api", Gemms.fastest().name());
        assertSame(Gemms.fastest(), Gemms.fastest());
        assertTrue(Elementwise.fastest() instanceof VectorElementwise);
        assertSame(Elementwise.fastest(), Elementwise.fastest());
        assertEquals("org.sparktrain.engine.layer.VectorRecurrentKernels",
                org.sparktrain.engine.layer.RecurrentKernels.get().getClass().getName());
    }
}
