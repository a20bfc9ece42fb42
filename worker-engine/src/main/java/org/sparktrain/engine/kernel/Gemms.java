package org.sparktrain.engine.kernel;

/** Chooses the GEMM implementation once per JVM. */
public final class Gemms {
    private static volatile Gemm fastest;

    private Gemms() {
    }

    /** The fastest implementation available in this JVM. */
    public static Gemm fastest() {
        Gemm g = fastest;
        if (g == null) {
            synchronized (Gemms.class) {
                if (fastest == null) {
                    fastest = new NaiveGemm();
                }
                g = fastest;
            }
        }
        return g;
    }
}
