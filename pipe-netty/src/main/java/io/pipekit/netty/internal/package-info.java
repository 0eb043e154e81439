/**
 * Internal: what the Unix and the Windows channels share beyond the exported API, such as the
 * pipe-type options' state. Not exported.
 */
package io.pipekit.netty.internal;
