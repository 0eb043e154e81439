package io.pipekit.it.sockets;

import io.pipekit.client.PipeSocketFactory;
import io.pipekit.server.PipeServerSocketFactory;
import java.io.IOException;
import java.io.Serializable;
import java.net.ServerSocket;
import java.net.Socket;
import java.rmi.Remote;
import java.rmi.RemoteException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;

/**
 * The JDK's RMI over a pipe, as docs/sockets.md shows it ("The server socket"): RMI takes a
 * server socket factory for the exported object's listener and a client socket factory that
 * travels inside the stub. {@code RmiOverPipesSpec} runs it on both transports.
 */
final class RmiRecipes {
    private RmiRecipes() {
    }

    /** RMI's client side: each connection a PipeSocket. Serializable, as it travels with the stub; a record, as RMI compares factories. */
    record PipeClientSockets(String address) implements RMIClientSocketFactory, Serializable {
        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return PipeSocketFactory.of(address).createSocket(host, port); // host and port are ignored
        }
    }

    /** RMI's server side: the listener a PipeServerSocket. */
    record PipeServerSockets(String address) implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return PipeServerSocketFactory.of(address).createServerSocket(port); // the port is ignored
        }
    }

    /**
     * Exports {@code service} on the pipe {@code address}: its stub reaches it there, from any
     * process of this user. Any port but 0 (the pipe ignores it): RMI closes the server socket of a
     * numbered port once nothing is exported on it, and keeps port 0's for the JVM's life.
     */
    @SuppressWarnings("unchecked")
    static <T extends Remote> T export(T service, String address) throws RemoteException {
        return (T) UnicastRemoteObject.exportObject(service, 1, new PipeClientSockets(address), new PipeServerSockets(address));
    }

    /** A registry on a pipe of its own, for clients that look the stub up by name. */
    static Registry createRegistry(String address) throws RemoteException {
        return LocateRegistry.createRegistry(Registry.REGISTRY_PORT, new PipeClientSockets(address), new PipeServerSockets(address));
    }

    /** The registry as a client reaches it: over the pipe. */
    static Registry registry(String address) throws RemoteException {
        return LocateRegistry.getRegistry("localhost", 0, new PipeClientSockets(address));
    }
}
