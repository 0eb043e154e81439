/** A modular application using pipekit as a user would: by the modules' names, on the module path. */
module io.pipekit.example {
    requires io.pipekit.server;
    requires io.pipekit.client;
}
