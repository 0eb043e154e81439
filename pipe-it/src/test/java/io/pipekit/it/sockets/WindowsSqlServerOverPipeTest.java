package io.pipekit.it.sockets;

import io.pipekit.core.Transport;
import io.pipekit.testing.WindowsOnly;
import java.util.List;

/**
 * {@link SqlServerOverPipeSpec} over Windows named pipes (natively on Windows, under Wine from
 * Linux): a pipe whose name holds backslashes, as SQL Server's {@code \\.\pipe\MSSQL$NAME\sql\query}
 * does, in the Windows form and in Docker's.
 */
@WindowsOnly
class WindowsSqlServerOverPipeTest extends SqlServerOverPipeSpec {
    @Override
    Transport transport() {
        return Transport.WINDOWS_NAMED_PIPES;
    }

    @Override
    List<String> addressForms() {
        return List.of("\\\\.\\pipe\\" + pipeName, "npipe:////./pipe/" + pipeName.replace('\\', '/'));
    }
}
