package io.pipekit.it.sockets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeSocketFactory;
import java.io.IOException;
import java.net.ConnectException;
import java.rmi.AccessException;
import java.rmi.Remote;
import java.rmi.RemoteException;
import java.rmi.ServerException;
import java.rmi.registry.Registry;
import java.rmi.server.UnicastRemoteObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The JDK's RMI over {@link io.pipekit.server.PipeServerSocket} and {@link io.pipekit.client.PipeSocket}
 * (issue 26, item 4: a library that takes a server socket factory), with {@link RmiRecipes}' factories:
 * calls, a large argument and a large result, exceptions thrown by the remote object, and a
 * registry on a pipe. Part of the shared specification: each transport's subclass runs it.
 */
abstract class RmiOverPipesSpec {
    /** What the tests call: a few shapes of remote call. Public, as RMI's stubs are proxies of it. */
    public interface Ledger extends Remote {
        String echo(String text) throws RemoteException;

        /** A digest of a large argument, so that the bytes need not come back. */
        long checksum(byte[] bytes) throws RemoteException;

        byte[] bytes(int count, long seed) throws RemoteException;

        /** Throws a RemoteException of its own, as a remote object may. */
        void refuse(String why) throws RemoteException;

        /** Throws an exception the interface declares. */
        void overdraw(long amount) throws RemoteException, Overdrawn;
    }

    /** An application's own checked exception, which reaches the caller as it was thrown. */
    public static final class Overdrawn extends Exception {
        private static final long serialVersionUID = 1L;

        public Overdrawn(String message) {
            super(message);
        }
    }

    static final class LedgerImpl implements Ledger {
        @Override
        public String echo(String text) {
            return text;
        }

        @Override
        public long checksum(byte[] bytes) {
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(bytes);
            return crc.getValue();
        }

        @Override
        public byte[] bytes(int count, long seed) {
            byte[] bytes = new byte[count];
            new Random(seed).nextBytes(bytes);
            return bytes;
        }

        @Override
        public void refuse(String why) throws RemoteException {
            throw new RemoteException(why);
        }

        @Override
        public void overdraw(long amount) throws Overdrawn {
            throw new Overdrawn("the balance is " + (100 - amount));
        }
    }

    static {
        // RMI closes a pooled client connection once it is idle this long (15 s by default): each
        // test waits for its connections to end, so that none is left to the next test.
        System.setProperty("sun.rmi.transport.connectionTimeout", "200");
    }

    private final List<Remote> exported = new ArrayList<>();
    final String address = "pipekit-rmi-" + UUID.randomUUID();

    /**
     * Unexports every object, then waits for the servers under RMI's server sockets to end: RMI
     * closes a numbered port's server socket once nothing is exported on it, and its idle
     * connections after the timeout above; a server socket's server ends with its last connection.
     */
    @AfterEach
    void unexportAndAwaitTheServersEnd() throws Exception {
        for (Remote remote : exported) {
            UnicastRemoteObject.unexportObject(remote, true);
        }
        PipeServerSocketSpec.awaitServersEnded(address);
    }

    <T extends Remote> T exported(T remote) {
        exported.add(remote);
        return remote;
    }

    @Test
    void aStubCallsItsObjectOverThePipe() throws Exception {
        Ledger ledger = RmiRecipes.export(exported(new LedgerImpl()), address);
        assertEquals("hello over a pipe", ledger.echo("hello over a pipe"));
        assertEquals("again, on the pooled connection", ledger.echo("again, on the pooled connection"));
    }

    @Test
    void aLargeArgumentAndALargeResultCrossWhole() throws Exception {
        Ledger ledger = RmiRecipes.export(exported(new LedgerImpl()), address);
        byte[] eightMebibytes = new byte[8 << 20];
        new Random(26).nextBytes(eightMebibytes);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(eightMebibytes);
        assertEquals(crc.getValue(), ledger.checksum(eightMebibytes));
        byte[] expected = new byte[3 << 20];
        new Random(4).nextBytes(expected);
        assertArrayEquals(expected, ledger.bytes(expected.length, 4));
    }

    @Test
    void exceptionsThrownByTheRemoteObjectReachTheCaller() throws Exception {
        Ledger ledger = RmiRecipes.export(exported(new LedgerImpl()), address);
        ServerException wrapped = assertThrows(ServerException.class, () -> ledger.refuse("closed for the night"));
        assertInstanceOf(RemoteException.class, wrapped.getCause());
        assertEquals("closed for the night", wrapped.getCause().getMessage());
        Overdrawn overdrawn = assertThrows(Overdrawn.class, () -> ledger.overdraw(150));
        assertEquals("the balance is -50", overdrawn.getMessage());
        assertEquals("still served", ledger.echo("still served")); // the connection survived both
    }

    @Test
    void aClientLooksTheStubUpInARegistryOnAPipe() throws Exception {
        String registryAddress = address + "-registry";
        Registry local = RmiRecipes.createRegistry(registryAddress);
        exported(local);
        local.bind("ledger", RmiRecipes.export(exported(new LedgerImpl()), address)); // a local call: no access check

        Registry registry = RmiRecipes.registry(registryAddress);
        assertEquals(List.of("ledger"), List.of(registry.list()));
        Ledger ledger = (Ledger) registry.lookup("ledger");
        assertEquals("found", ledger.echo("found"));

        // What RMI cannot do over a pipe: bind from another process. The registry lets in only
        // callers of this host by their IP address, and a pipe's client has none.
        ServerException refused = assertThrows(ServerException.class, () -> registry.rebind("other", ledger));
        AccessException why = assertInstanceOf(AccessException.class, refused.getCause());
        assertTrue(why.getMessage().contains("origin unknown"), why.getMessage());
    }

    /**
     * An object exported on a port number other than 0 (the pipe ignores it) has its server socket
     * closed by RMI when the last object on it is unexported: the pipe is gone. RMI keeps the
     * listener of port 0 for the JVM's life.
     */
    @Test
    void unexportingTheLastObjectOfANonzeroPortClosesThePipe() throws Exception {
        LedgerImpl impl = new LedgerImpl();
        Ledger ledger = RmiRecipes.export(impl, address);
        assertEquals("up", ledger.echo("up"));
        UnicastRemoteObject.unexportObject(impl, true);
        IOException gone = assertThrows(IOException.class,
                () -> PipeSocketFactory.of(address).withConnectTimeout(java.time.Duration.ZERO).createSocket("localhost", 1099).close());
        assertTrue(gone instanceof ConnectException || gone instanceof io.pipekit.core.PipeBusyException, gone::toString);
    }
}
