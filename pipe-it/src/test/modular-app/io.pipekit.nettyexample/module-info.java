/** A Netty application on pipe-netty, on the module path: it needs pipe-netty's module and nothing internal. */
module io.pipekit.nettyexample {
    requires io.pipekit.netty;
}
