/**
 * pipekit's showcase: five small programs, each a task people bring to a pipe library, written
 * with the public API alone (no internal package: {@code SourceRulesTest} checks) and each run by
 * {@code ShowcaseTest} on Unix domain sockets and, under Wine, on Windows named pipes.
 * Each has a {@code main}; docs/examples.md says how to run them.
 */
package io.pipekit.examples;
