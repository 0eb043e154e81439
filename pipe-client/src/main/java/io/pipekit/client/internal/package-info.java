/**
 * Internal: what both client transports share, and {@link io.pipekit.client.internal.AcceptedSockets},
 * through which pipekit's server module (to which alone this package is exported) makes the
 * sockets its server socket accepts.
 */
package io.pipekit.client.internal;
