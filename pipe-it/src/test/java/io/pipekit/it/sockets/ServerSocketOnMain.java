package io.pipekit.it.sockets;

import io.pipekit.client.PipeAddress;
import io.pipekit.client.PipeSocketFactory;
import io.pipekit.server.PipeServerSocket;
import java.net.Socket;

/**
 * A program whose main thread makes a {@link PipeServerSocket} and returns, leaving it open
 * ({@code listening}), or leaving open a socket it accepted after closing the server socket
 * ({@code accepted}): as with {@code java.net.ServerSocket}, its JVM must exit.
 * Arguments: the mode, then the pipe name.
 */
public final class ServerSocketOnMain {
    private ServerSocketOnMain() {
    }

    public static void main(String[] args) throws Exception {
        PipeAddress address = PipeAddress.parse(args[1]);
        PipeServerSocket server = new PipeServerSocket(address);
        if (args[0].equals("accepted")) {
            Socket client = PipeSocketFactory.of(address).createSocket("localhost", 1099);
            Socket served = server.accept();
            served.getOutputStream().write(1);
            client.getInputStream().read();
            server.close();
        }
        System.out.println("returning from main");
    }
}
