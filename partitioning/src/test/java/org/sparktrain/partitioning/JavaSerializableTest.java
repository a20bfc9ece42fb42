package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.junit.jupiter.api.Test;

/**
 * Spark's default serializer is Java serialization: a user's own SparkSession without Kryo ships these
 * classes with it. Every class of the Kryo list must also be java.io.Serializable and survive a round trip.
 */
class JavaSerializableTest {
    @Test
    void everyShippedClassIsJavaSerializable() throws Exception {
        for (Class<?> c : PartitioningKryo.classes()) {
            assertTrue(Serializable.class.isAssignableFrom(c) || c.isArray(), c + " is not Serializable");
            if (c.isArray() || c.isEnum()) {
                continue;
            }
            Object o = c.getDeclaredConstructor().newInstance();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(o);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                assertEquals(c, in.readObject().getClass());
            }
        }
        // a filled chunk, with its statistics, comes back whole
        RowChunk c = new RowChunk(2, 3, true);
        c.bytes[4] = 9;
        c.size = 2;
        c.labels[1] = 1;
        c.stats = ReadStats.empty(2, 1);
        c.stats.startSummary(3, ReadOptions.Summaries.ZSCORE_AND_RANGE);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(c);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            RowChunk back = (RowChunk) in.readObject();
            assertEquals(9, back.bytes[4]);
            assertEquals(1, back.labels[1]);
            assertEquals(3, back.stats.zscore.a.length);
        }
    }
}
