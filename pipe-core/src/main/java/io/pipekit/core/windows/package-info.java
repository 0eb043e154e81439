/**
 * Internal: pipekit's Windows native glue. Not an API: it may change in any release.
 *
 * <p>Every kernel32 and advapi32 function that {@code jna-platform} lacks is declared in
 * {@link io.pipekit.core.windows.Kernel32Ex} and {@link io.pipekit.core.windows.Advapi32Ex};
 * nothing else declares native functions. The other types own native memory ({@link
 * io.pipekit.core.windows.Overlapped}, {@link io.pipekit.core.windows.NativeBuffer}) or build
 * what the calls need ({@link io.pipekit.core.windows.PipeSecurity}).
 */
package io.pipekit.core.windows;
