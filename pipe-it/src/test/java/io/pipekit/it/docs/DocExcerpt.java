package io.pipekit.it.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Java or C code block of a Markdown document, and the source file it quotes. The last
 * non-blank line before the block names that file for the reader and for the check:
 * {@code From [PipeInstance.java](../pipe-server/src/main/java/.../PipeInstance.java):}
 *
 * @param doc the Markdown file
 * @param line the 1-based line of the block's opening fence
 * @param source the file the block quotes, or {@code null} if the block names none
 * @param text the block's text
 */
record DocExcerpt(Path doc, int line, Path source, String text) {
    private static final Pattern FENCE = Pattern.compile("^\\s*```\\s*(\\w*).*$");
    private static final Pattern FROM = Pattern.compile("^From \\[[^\\]]+\\]\\(([^)#\\s]+)\\)[^\\n]*:\\s*$");
    private static final List<String> CHECKED_LANGUAGES = List.of("java", "c");

    /** Every Java and C block of {@code doc}. */
    static List<DocExcerpt> in(Path doc) {
        List<String> lines;
        try {
            lines = Files.readAllLines(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<DocExcerpt> excerpts = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            int close = i + 1;
            while (close < lines.size() && !lines.get(close).strip().startsWith("```")) {
                close++;
            }
            if (CHECKED_LANGUAGES.contains(open.group(1).toLowerCase())) {
                Path source = null;
                int before = i - 1;
                while (before >= 0 && lines.get(before).isBlank()) {
                    before--;
                }
                Matcher from = before >= 0 ? FROM.matcher(lines.get(before)) : null;
                if (from != null && from.matches()) {
                    source = doc.getParent().resolve(from.group(1)).normalize();
                }
                excerpts.add(new DocExcerpt(doc, i + 1, source, String.join("\n", lines.subList(i + 1, Math.min(close, lines.size())))));
            }
            i = close;
        }
        return excerpts;
    }

    /** {@code docs/tutorial.md:143}, for messages. */
    String where(Path root) {
        return root.relativize(doc) + ":" + line;
    }
}
