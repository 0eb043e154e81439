package io.pipekit.it.sockets;

import com.mysql.cj.conf.PropertyKey;
import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.protocol.StandardSocketFactory;
import io.pipekit.client.PipeSocketFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;

/**
 * MySQL Connector/J's socket factory over pipekit: Connector/J's {@code socketFactory} takes a
 * {@code com.mysql.cj.protocol.SocketFactory}, made with no arguments, not a
 * {@code javax.net.SocketFactory}. This one is Connector/J's own TCP factory with the socket
 * swapped: it connects, configures and, if asked, starts TLS as that factory does, on a
 * {@link io.pipekit.client.PipeSocket} to the address in the {@code namedPipePath} property
 * (any string {@link PipeSocketFactory#PipeSocketFactory(String)} takes). Copy it into your code:
 * it is a recipe (docs/sockets.md), not part of pipekit.
 */
public class MySqlPipeSocketFactory extends StandardSocketFactory {
    @Override
    protected Socket createSocket(PropertySet properties) {
        String address = properties.getStringProperty(PropertyKey.PATH).getValue();
        try {
            return new PipeSocketFactory(address).createSocket(); // unconnected: Connector/J connects it
        } catch (IOException e) {
            throw new UncheckedIOException(e); // this method may throw nothing checked
        }
    }
}
