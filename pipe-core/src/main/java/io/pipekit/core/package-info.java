/**
 * pipekit's public core: pipe names, the one exception type, and message codecs.
 *
 * <p>The transport seam that the server loop and the client stand on is in
 * {@link io.pipekit.core.transport}; the Windows native glue is in
 * {@code io.pipekit.core.windows}, which is internal to pipekit.
 */
package io.pipekit.core;
