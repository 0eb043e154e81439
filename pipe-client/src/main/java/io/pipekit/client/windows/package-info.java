/** Internal: the Windows transport of the client. */
package io.pipekit.client.windows;
