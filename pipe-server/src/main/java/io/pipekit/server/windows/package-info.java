/**
 * Internal: the Windows transport of the server, the documented completion-routine loop.
 * {@link io.pipekit.server.windows.CompletionRoutineLoop} is the sample's {@code main} wait
 * loop; {@link io.pipekit.server.windows.PipeInstance} is its {@code PIPEINST}.
 */
package io.pipekit.server.windows;
