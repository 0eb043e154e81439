/**
 * pipekit's public core: pipe names, the exceptions, message codecs and framing, peer identity
 * and server trust.
 *
 * <p>The transport seam that the server loop and the client stand on
 * ({@code io.pipekit.core.transport}) and the native glue ({@code io.pipekit.core.windows},
 * {@code io.pipekit.core.unix}) are internal: the module exports them to pipekit's own server
 * and client modules only.
 */
package io.pipekit.core;
