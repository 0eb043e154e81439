package io.pipekit.it.sockets;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.SocketFactory;

/** A socket factory that keeps every socket it makes: how a test sees a pool reuse one connection. */
final class CountingSocketFactory extends SocketFactory {
    private final SocketFactory sockets;
    final List<Socket> made = new CopyOnWriteArrayList<>();

    CountingSocketFactory(SocketFactory sockets) {
        this.sockets = sockets;
    }

    private Socket kept(Socket socket) {
        made.add(socket);
        return socket;
    }

    @Override
    public Socket createSocket() throws IOException {
        return kept(sockets.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return kept(sockets.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return kept(sockets.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return kept(sockets.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return kept(sockets.createSocket(address, port, localAddress, localPort));
    }
}
