package io.pipekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PipeNameTest {
    private static final String PREFIX = "\\\\.\\pipe\\";

    @Test
    void bareNameAndLocalPathAreTheSamePipe() {
        PipeName bare = PipeName.of("mynamedpipe");
        PipeName path = PipeName.of("\\\\.\\pipe\\mynamedpipe");

        assertEquals(bare, path);
        assertEquals(bare.hashCode(), path.hashCode());
        assertEquals("mynamedpipe", path.name());
        assertEquals("\\\\.\\pipe\\mynamedpipe", bare.path());
    }

    @Test
    void thePipePrefixIsRecognisedInAnyCase() {
        PipeName name = PipeName.of("\\\\.\\PIPE\\Orders");

        assertEquals("Orders", name.name());
        assertEquals("\\\\.\\pipe\\Orders", name.path());
    }

    @Test
    void namesDifferingOnlyInCaseAreTheSamePipe() {
        PipeName lower = PipeName.of("mynamedpipe");
        PipeName mixed = PipeName.of("\\\\.\\pipe\\MyNamedPipe");

        assertEquals(lower, mixed);
        assertEquals(lower.hashCode(), mixed.hashCode());
    }

    @Test
    void socketPathsDifferingOnlyInCaseAreDifferentSockets() {
        // Unix file names are case-sensitive: these are two sockets, and must not compare equal
        // (they once did, folded like pipe names).
        PipeName upper = PipeName.of("/run/App/control.sock");
        PipeName lower = PipeName.of("/run/app/control.sock");

        assertNotEquals(upper, lower);
        assertTrue(upper.isSocketPath());
        assertEquals("/run/App/control.sock", upper.canonical());
        assertEquals(upper, PipeName.of("/run/App/control.sock"));
    }

    @Test
    void aPipeNamesCanonicalFormIsLowerCase() {
        assertEquals("mynamedpipe", PipeName.of("\\\\.\\pipe\\MyNamedPipe").canonical());
        assertFalse(PipeName.of("MyNamedPipe").isSocketPath());
    }

    @Test
    void theNameKeepsTheCaseItWasGiven() {
        assertEquals("MyNamedPipe", PipeName.of("MyNamedPipe").name());
    }

    @Test
    void differentNamesAreDifferentPipes() {
        assertNotEquals(PipeName.of("alpha"), PipeName.of("alpha2"));
        assertNotEquals(PipeName.of("alpha"), (Object) "alpha");
    }

    @Test
    void toStringIsTheFullPath() {
        assertEquals("\\\\.\\pipe\\mynamedpipe", PipeName.of("mynamedpipe").toString());
    }

    @Test
    void anAbsoluteSocketPathIsShownAsItIsNeverWithThePipePrefix() {
        assertEquals("/tmp/app/i.sock", PipeName.of("/tmp/app/i.sock").toString());
    }

    @Test
    void emptyNameIsRefusedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PipeName.of(""));
        assertTrue(e.getMessage().contains("must not be empty"), e.getMessage());
    }

    @Test
    void prefixWithoutANameIsRefusedAsEmpty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PipeName.of(PREFIX));
        assertTrue(e.getMessage().contains("must not be empty"), e.getMessage());
    }

    /** SQL Server's and LocalDB's pipes: Windows takes a backslash after \\.\pipe\ as part of the name. */
    @Test
    void backslashesInTheNameArePartOfIt() {
        PipeName named = PipeName.of("\\\\.\\pipe\\MSSQL$NAME\\sql\\query");

        assertEquals("MSSQL$NAME\\sql\\query", named.name());
        assertEquals("\\\\.\\pipe\\MSSQL$NAME\\sql\\query", named.path());
        assertEquals(named, PipeName.of("mssql$name\\SQL\\Query"));
        assertEquals("mssql$name\\sql\\query", named.canonical());
        assertFalse(named.isSocketPath());
        assertEquals("LOCALDB#1A2B3C4D\\tsql\\query", PipeName.of("\\\\.\\pipe\\LOCALDB#1A2B3C4D\\tsql\\query").name());
    }

    /**
     * Windows rewrites a path's empty, "." and ".." parts before it opens it (\\.\pipe\..\x is
     * not a pipe): a name whose parts would be rewritten is refused, whether backslashes or slashes
     * part them.
     */
    @ParameterizedTest
    @ValueSource(strings = {"a\\", "\\\\.\\pipe\\\\a", "a\\\\b", "..\\x", "a\\..\\b", "a\\.\\b", "a\\.", "..", ".",
            "../x", "a/./b", "a//b", "a/", "\\\\.\\pipe\\sql\\..\\..\\C:\\file"})
    void emptyDotAndDotDotPartsAreRefused(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PipeName.of(name));
        assertTrue(e.getMessage().contains("must not be empty, '.' or '..'"), e.getMessage());
    }

    @Test
    void dotsInsideAPartAreOrdinaryCharacters() {
        assertEquals("a..b\\.c\\d.", PipeName.of("a..b\\.c\\d.").name());
        assertEquals("...", PipeName.of("...").name());
    }

    @Test
    void anAbsoluteSocketPathKeepsItsDotsAsAFileNameDoes() {
        assertEquals("/run/app/../x.sock", PipeName.of("/run/app/../x.sock").name());
    }

    @Test
    void controlCharactersAreRefusedWithTheirPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PipeName.of("ab\u0001c"));
        assertTrue(e.getMessage().contains("control character"), e.getMessage());
        assertTrue(e.getMessage().contains("U+0001"), e.getMessage());
        assertTrue(e.getMessage().contains("index 2"), e.getMessage());
    }

    @Test
    void nulDeleteAndC1ControlsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PipeName.of("a\u0000"));
        assertThrows(IllegalArgumentException.class, () -> PipeName.of("a\u007F"));
        assertThrows(IllegalArgumentException.class, () -> PipeName.of("a\u0085"));
        assertThrows(IllegalArgumentException.class, () -> PipeName.of("tab\there"));
    }

    @Test
    void ordinaryPunctuationAndNonAsciiAreAccepted() {
        assertEquals("my/pipe name-1.ação", PipeName.of("my/pipe name-1.ação").name());
    }

    @Test
    void pathOfExactly256CharactersIsAccepted() {
        String path = PREFIX + "n".repeat(PipeName.MAX_PATH_LENGTH - PREFIX.length());
        assertEquals(256, path.length());

        PipeName name = PipeName.of(path);

        assertEquals(path, name.path());
        assertEquals(PipeName.of(name.name()), name);
    }

    @Test
    void pathLongerThan256CharactersIsRefusedWithTheLimit() {
        String path = PREFIX + "n".repeat(PipeName.MAX_PATH_LENGTH - PREFIX.length() + 1);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PipeName.of(path));
        assertTrue(e.getMessage().contains("at most 256 characters"), e.getMessage());
        assertTrue(e.getMessage().contains("has 257"), e.getMessage());
    }

    @Test
    void bareNameIsMeasuredWithItsPrefix() {
        String fits = "n".repeat(PipeName.MAX_PATH_LENGTH - PREFIX.length());
        PipeName.of(fits);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PipeName.of(fits + "n"));
        assertTrue(e.getMessage().contains("256"), e.getMessage());
    }

    @Test
    void remotePipePathIsRefusedAsNotLocal() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PipeName.of("\\\\server\\pipe\\x"));
        assertTrue(e.getMessage().contains("not a local pipe"), e.getMessage());
        assertTrue(e.getMessage().contains("\\\\server\\pipe\\x"), e.getMessage());
    }

    @Test
    void nullIsRefused() {
        assertThrows(NullPointerException.class, () -> PipeName.of(null));
    }
}
