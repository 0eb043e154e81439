package io.pipekit.core.unix;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;

/**
 * A Unix server's moves of its socket file aside at its instance limit ({@link AsideSocket#park}),
 * as both pipekit's servers make them. A move that fails leaves the file at its path: the server
 * then keeps its limit with clients waiting in its backlog, and says so once, as a warning, until
 * a move succeeds again; later failures go to the debug level, since a busy server fills at
 * nearly every connect.
 */
public final class AsideMoves {
    private final System.Logger log;
    private final String limit;
    private boolean failureTold;

    /**
     * @param log the server's logger
     * @param limit how the server's users name its instance limit, for the warning
     */
    public AsideMoves(System.Logger log, String limit) {
        this.log = log;
        this.limit = limit;
    }

    /** Moves {@code socket} aside, or returns null if it cannot (logged as above): then nothing has moved. */
    public AsideSocket park(Path socket) {
        try {
            AsideSocket parked = AsideSocket.park(socket);
            failureTold = false;
            return parked;
        } catch (IOException | RuntimeException e) {
            log.log(failureTold ? Level.DEBUG : Level.WARNING, "moving " + socket + " aside at " + limit + " failed;"
                    + " clients queue in its backlog" + (failureTold ? "" : " (said once, until a move succeeds)"), e);
            failureTold = true;
            return null;
        }
    }
}
