/** Internal: what both client transports share. */
package io.pipekit.client.internal;
