package io.pipekit.it.chaos;

import io.pipekit.client.PipeClient;
import io.pipekit.core.PipeName;
import io.pipekit.core.unix.SocketPaths;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Random;

/**
 * A misbehaving client in a process of its own, for the chaos scenarios that kill it:
 * {@code midmessage NAME} connects to the pipe {@code NAME}, writes one whole 1 MiB message whose
 * echo it never reads, then the start of another, and prints {@code mid-message} once the server
 * has part of that second message, so that a kill from then on ends the connection in the middle
 * of a message. It exits 3 if the server closes it.
 *
 * <p>Over Unix domain sockets it writes the frames itself (a header announcing 1 MiB and half the
 * body, then nothing), so the server certainly holds a part. A Windows message pipe has no such
 * half: a message's write is in flight only while the server reads it. There it writes 1 MiB
 * messages one after another, reading their echoes on a second thread so that the server's
 * send-queue bound never closes it first, and prints {@code mid-message} after the first: it
 * spends nearly all its life inside a write, but a kill may still land between two.
 */
public final class Misbehaver {
    private Misbehaver() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("midmessage")) {
            System.err.println("usage: Misbehaver midmessage NAME");
            System.exit(2);
        }
        byte[] message = new byte[1 << 20];
        new Random(7).nextBytes(message);
        try {
            if (System.getProperty("os.name").startsWith("Windows")) {
                floodAndReadTheEchoes(args[1], message);
            } else {
                stopInTheMiddleOfAFrame(args[1], message);
            }
        } catch (Exception e) {
            System.out.println("closed: " + e);
            System.exit(3);
        }
    }

    private static void stopInTheMiddleOfAFrame(String name, byte[] message) throws Exception {
        try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.connect(UnixDomainSocketAddress.of(SocketPaths.forName(PipeName.of(name))));
            writeFully(raw, ByteBuffer.allocate(4 + message.length).putInt(message.length).put(message).flip());
            writeFully(raw, ByteBuffer.allocate(4 + message.length / 2).putInt(message.length).put(message, 0, message.length / 2).flip());
            System.out.println("mid-message");
            Thread.sleep(Long.MAX_VALUE); // until killed
        }
    }

    private static void writeFully(SocketChannel channel, ByteBuffer bytes) throws Exception {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    private static void floodAndReadTheEchoes(String name, byte[] message) throws Exception {
        try (PipeClient client = PipeClient.builder(name).connectTimeout(Duration.ofSeconds(60)).connect()) {
            Thread reader = new Thread(() -> {
                try {
                    while (true) {
                        client.receive();
                    }
                } catch (Exception closed) {
                    // the connection ended; the writer finds out too
                }
            }, "echo reader");
            reader.setDaemon(true);
            reader.start();
            client.send(message);
            System.out.println("mid-message");
            while (true) {
                client.send(message);
            }
        }
    }
}
