package org.sparktrain.partitioning;

import java.util.List;

/**
 * Every class this module ships in an RDD, a shuffle, a broadcast or a task result, in one place: the
 * driver registers them with {@code spark.kryo.registrationRequired=true}
 * ({@code conf.registerKryoClasses(PartitioningKryo.classes())}), so an unlisted class fails loudly rather
 * than being written with its full name. The tests run with exactly this list.
 */
public final class PartitioningKryo {
    private PartitioningKryo() {
    }

    public static Class<?>[] classes() {
        return LIST.toArray(new Class<?>[0]);
    }

    private static final List<Class<?>> LIST = List.of(
            Example.class,
            Example[].class,
            Problem.class,
            ReadStats.class,
            Moments.class,
            Block.class,
            Block[].class,
            PackKey.class,
            float[].class,
            double[].class,
            int[].class,
            long[].class,
            long[][].class,
            String[].class,
            Object[].class);
}
