/** An application that reaches for pipekit's internals: it must not compile. */
module io.pipekit.intruder {
    requires io.pipekit.core;
}
