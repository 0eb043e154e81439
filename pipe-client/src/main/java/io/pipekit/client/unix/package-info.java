/** Internal: the Unix-domain-socket transport of the client. */
package io.pipekit.client.unix;
