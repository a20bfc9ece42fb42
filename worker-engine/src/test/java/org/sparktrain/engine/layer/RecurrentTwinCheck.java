package org.sparktrain.engine.layer;

import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/** The recurrent kernels' part of {@code kernel.TwinCheck}: vector sigmoid/tanh against their twin, bit for bit. */
public final class RecurrentTwinCheck {
    private RecurrentTwinCheck() {
    }

    /** {@code rounds} random runs; each comparison goes to {@code record(same, what)}. */
    public static void run(SplittableRandom r, int rounds, BiConsumer<Boolean, String> record,
                           java.util.function.Consumer<Runnable> vec) {
        RecurrentKernels vector = new VectorRecurrentKernels();
        RecurrentKernels twin = VectorRecurrentKernels.twin();
        for (int t = 0; t < 3 * rounds; t++) {
            int len = t % 3 == 0 ? 1 + r.nextInt(20) : 1 + r.nextInt(400);
            int off = r.nextInt(4);
            float[] x = new float[off + len + 3];
            for (int i = 0; i < x.length; i++) {
                // the clamp at −87.3 and 88.7 and beyond, the polynomial's range, ±0, tiny values
                int kind = r.nextInt(10);
                x[i] = kind == 0 ? (float) (r.nextDouble() * 240 - 120) : kind == 1 ? (r.nextBoolean() ? -0f : 0f)
                        : kind == 2 ? (float) (r.nextGaussian() * 1e-6) : (float) (r.nextGaussian() * 4);
            }
            float[] sv = x.clone();
            float[] st = x.clone();
            vec.accept(() -> vector.sigmoid(sv, off, len));
            twin.sigmoid(st, off, len);
            record.accept(same(sv, st), "sigmoid len=" + len + " off=" + off + " " + first(sv, st, x));
            float[] tv = x.clone();
            float[] tt = x.clone();
            vec.accept(() -> vector.tanh(tv, off, len));
            twin.tanh(tt, off, len);
            record.accept(same(tv, tt), "tanh len=" + len + " " + first(tv, tt, x));
            float[] dv = new float[len + 5];
            float[] dt = new float[len + 5];
            vec.accept(() -> vector.tanh(x, off, dv, 2, len));
            twin.tanh(x, off, dt, 2, len);
            record.accept(same(dv, dt), "tanh to dst len=" + len);
        }
    }

    private static final RecurrentKernels HOT = new VectorRecurrentKernels();

    /** Calls the vector sigmoid and tanh once each (a hot loop). */
    public static void hot(float[] a, int off, int len) {
        HOT.sigmoid(a, off, len);
        HOT.tanh(a, off, len);
    }

    private static boolean same(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
                return false;
            }
        }
        return true;
    }

    private static String first(float[] a, float[] b, float[] x) {
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
                return "at " + i + " x=" + x[i] + ": vector " + a[i] + " twin " + b[i];
            }
        }
        return "";
    }
}
