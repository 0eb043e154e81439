package io.pipekit.it.sockets;

import org.junit.jupiter.api.Test;

/**
 * gRPC's interop cases (grpc/grpc's doc/interop-test-descriptions.md, in its order) as tests, for
 * any class that can give a fresh {@link GrpcInteropCases} per test: the transports and peers
 * differ, the cases and their assertions do not.
 */
interface GrpcInteropSpec {

    /** The cases, against this test's channel. */
    GrpcInteropCases interop();

    @Test
    default void emptyUnary() {
        interop().emptyUnary();
    }

    @Test
    default void largeUnary() {
        interop().largeUnary();
    }

    @Test
    default void clientStreaming() throws Exception {
        interop().clientStreaming();
    }

    @Test
    default void serverStreaming() {
        interop().serverStreaming();
    }

    @Test
    default void pingPong() throws Exception {
        interop().pingPong();
    }

    @Test
    default void emptyStream() throws Exception {
        interop().emptyStream();
    }

    @Test
    default void cancelAfterBegin() throws Exception {
        interop().cancelAfterBegin();
    }

    @Test
    default void cancelAfterFirstResponse() throws Exception {
        interop().cancelAfterFirstResponse();
    }

    @Test
    default void timeoutOnSleepingServer() throws Exception {
        interop().timeoutOnSleepingServer();
    }

    @Test
    default void customMetadata() throws Exception {
        interop().customMetadata();
    }

    @Test
    default void statusCodeAndMessage() throws Exception {
        interop().statusCodeAndMessage();
    }

    @Test
    default void specialStatusMessage() {
        interop().specialStatusMessage();
    }

    @Test
    default void unimplementedMethod() {
        interop().unimplementedMethod();
    }

    @Test
    default void unimplementedService() {
        interop().unimplementedService();
    }
}
