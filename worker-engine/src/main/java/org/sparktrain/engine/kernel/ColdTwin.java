package org.sparktrain.engine.kernel;

/**
 * A Vector API kernel that has a bit-identical plain-Java twin: {@link #withTwin} returns the family's instance
 * that sends calls to the twin during the kernel's {@link ColdPhase} and to this kernel afterwards.
 * {@link Kernels} hands out that instance (docs/architecture.md, "Cold JVMs").
 */
public interface ColdTwin<T> {
    /** This kernel behind a cold-phase switch to its twin. */
    T withTwin();
}
