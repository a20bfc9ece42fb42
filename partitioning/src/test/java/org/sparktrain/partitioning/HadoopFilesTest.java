package org.sparktrain.partitioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which paths are read as local files (java.nio), and reading from an offset, plain or gzip. */
class HadoopFilesTest {
    @TempDir
    Path tmp;

    @Test
    void localOnlyForFileUrisAndSchemelessPathsWhenTheDefaultFileSystemIsLocal() {
        Configuration local = new Configuration(false);
        Configuration hdfs = new Configuration(false);
        hdfs.set("fs.defaultFS", "hdfs://namenode:8020");
        assertEquals(Path.of("/data/x"), HadoopFiles.local("file:///data/x", hdfs));
        assertEquals(Path.of("/data/x"), HadoopFiles.local("file:/data/x", local));
        assertEquals(Path.of("/data/x"), HadoopFiles.local("/data/x", local));
        assertNull(HadoopFiles.local("/data/x", hdfs), "a path without a scheme is on the default file system");
        assertNull(HadoopFiles.local("hdfs://namenode:8020/data/x", local));
        assertNull(HadoopFiles.local("s3a://bucket/data/x", local));
        // encoded URIs (as Path.toUri() writes them) and plain paths with spaces
        assertEquals(Path.of("/data/my dir/x"), HadoopFiles.local("file:///data/my%20dir/x", local));
        assertEquals(Path.of("/data/my dir/x"), HadoopFiles.local("/data/my dir/x", local));
        assertEquals(Path.of("/data/my dir/x"), HadoopFiles.fileUri("file:/data/my dir/x"));
        assertEquals(Path.of("/data/a#b/x"), HadoopFiles.fileUri(Path.of("/data/a#b/x").toUri().toString()));
    }

    @Test
    void openAtSeeksInPlainFilesAndSkipsInGzip() throws Exception {
        byte[] data = new byte[100_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        TestData.writeBytes(tmp.resolve("plain"), data, false);
        TestData.writeBytes(tmp.resolve("packed"), data, true);
        Configuration conf = new Configuration(false);
        for (String name : new String[] {"plain", "packed"}) {
            for (String uri : new String[] {tmp.resolve(name).toUri().toString(), "file:" + tmp.resolve(name)}) {
                try (InputStream in = HadoopFiles.openAt(uri, 70_000, conf)) {
                    in.skipNBytes(HadoopFiles.toSkip(in, 70_000));
                    byte[] got = in.readNBytes(30_000);
                    assertArrayEquals(java.util.Arrays.copyOfRange(data, 70_000, 100_000), got, name);
                    assertEquals(-1, in.read());
                }
            }
        }
        assertEquals(100_000, Files.size(tmp.resolve("plain")));
    }
}
