package io.pipekit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The leak checks' count sees what a transport opens, and not the files a JVM opens on its own. */
@EnabledOnOs(OS.LINUX)
class ResourcesTest {

    @Test
    void countsThePipeATransportWouldOpenButNotAFile() throws Exception {
        Pipe first = Pipe.open(); // the JDK's first pipe may set up descriptors of its own, for good
        first.source().close();
        first.sink().close();
        long before = Resources.openChannelDescriptors();
        Pipe pipe = Pipe.open();
        try {
            assertEquals(before + 2, Resources.openChannelDescriptors(), "a pipe's two ends");
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
        assertEquals(before, Resources.openChannelDescriptors(), "both ends closed again");

        Path file = Files.createTempFile("pipekit-resources", ".txt");
        try (FileChannel ignored = FileChannel.open(file)) {
            assertEquals(before, Resources.openChannelDescriptors(), "an open file is not counted");
        } finally {
            Files.delete(file);
        }
    }
}
