package io.pipekit.it.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every Java and C block in the README and in docs/ quotes a file it names, and still appears
 * in it: a changed line of quoted code fails the build, naming the document and the excerpt.
 * See {@link CodeText} for what "appears" allows (comments, indentation, {@code // ...}).
 */
class DocExcerptsTest {
    private static final Path ROOT = Path.of(System.getProperty("pipekit.repo.root", "..")).toAbsolutePath().normalize();

    @TestFactory
    Stream<DynamicTest> everyExcerptInTheDocsAppearsInTheFileItNames() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path doc : documents()) {
            for (DocExcerpt excerpt : DocExcerpt.in(doc)) {
                tests.add(dynamicTest(excerpt.where(ROOT), () -> check(excerpt)));
            }
        }
        assertFalse(tests.isEmpty(), "no excerpts found under " + ROOT);
        return tests.stream();
    }

    private static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    private static void check(DocExcerpt excerpt) throws IOException {
        String where = excerpt.where(ROOT);
        if (excerpt.source() == null) {
            fail(where + ": a code block must name the file it quotes on the last line before it, as"
                    + " \"From [Name.java](../path/to/Name.java):\"");
        }
        assertTrue(Files.isRegularFile(excerpt.source()), where + ": names " + excerpt.source() + ", which does not exist");
        List<String> quoted = CodeText.codeLines(excerpt.text());
        List<String> source = CodeText.codeLines(Files.readString(excerpt.source()));
        int mismatch = CodeText.firstMismatch(quoted, source);
        if (mismatch >= 0) {
            fail(where + ": this line of the excerpt is not in " + ROOT.relativize(excerpt.source())
                    + " where the excerpt puts it (lines between // ... may be left out; nothing else):\n    "
                    + quoted.get(mismatch));
        }
    }

    // --- the check itself ------------------------------------------------------------------

    @Test
    void indentationCommentsAndElisionsAreAllowed() {
        List<String> source = CodeText.codeLines("""
                void release(boolean disconnect) {
                    if (released) {   // once only
                        return;
                    }
                    /* a block
                       comment */
                    released = true;
                    String pipe = "\\\\\\\\.\\\\pipe\\\\x"; // a // inside a string is not a comment
                    free();
                }
                """);
        List<String> excerpt = CodeText.codeLines("""
                void release(boolean disconnect) {
                  if (released) { return; // reflowed: not allowed, see below
                // ...
                  released = true;          // our note
                  String pipe = "\\\\\\\\.\\\\pipe\\\\x";
                  // ... free everything
                }
                """);

        assertEquals(1, CodeText.firstMismatch(excerpt, source), "a reflowed line is a changed line");
        assertEquals(-1, CodeText.firstMismatch(CodeText.codeLines("""
                void release(boolean disconnect) {
                        if (released) {
                    // ...
                    released = true;          // our note
                    String pipe = "\\\\\\\\.\\\\pipe\\\\x";
                    // ... free everything
                }
                """), source));
    }

    @Test
    void aChangedOrReorderedLineIsFound() {
        List<String> source = CodeText.codeLines("a();\nb();\nc();\nd();\n");

        assertEquals(-1, CodeText.firstMismatch(CodeText.codeLines("b();\nc();"), source));
        assertEquals(1, CodeText.firstMismatch(CodeText.codeLines("b();\nd();"), source), "lines without // ... between them are consecutive");
        assertEquals(-1, CodeText.firstMismatch(CodeText.codeLines("b();\n// ...\nd();"), source));
        assertEquals(2, CodeText.firstMismatch(CodeText.codeLines("c();\n// ...\nb();"), source), "runs keep the source's order");
        assertEquals(0, CodeText.firstMismatch(CodeText.codeLines("b(1);"), source));
    }

    @Test
    void theLineBeforeABlockNamesItsFile(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path doc = dir.resolve("doc.md");
        Files.writeString(doc, """
                Some prose.

                From [A.java](src/A.java):
                ```java
                class A {}
                ```

                ```java
                class Unnamed {}
                ```

                ```bash
                echo not checked
                ```
                """);

        List<DocExcerpt> excerpts = DocExcerpt.in(doc);

        assertEquals(2, excerpts.size());
        assertNotNull(excerpts.get(0).source());
        assertEquals(dir.resolve("src/A.java"), excerpts.get(0).source());
        assertEquals(4, excerpts.get(0).line());
        assertEquals(null, excerpts.get(1).source());
    }
}
