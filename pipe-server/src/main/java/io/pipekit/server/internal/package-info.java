/** Internal: the transport-independent part of the server, one {@code Session} per client. */
package io.pipekit.server.internal;
