package io.pipekit.it.docs;

import java.util.ArrayList;
import java.util.List;

/**
 * Java or C text reduced to what a reader must be able to trust: its code. Comments go (an
 * excerpt may annotate, and a source may explain, in its own words), indentation and runs of
 * spaces collapse, blank lines go. What is left of an excerpt must appear in its source.
 *
 * <p>An elision is a line that is only a comment starting with {@code ...}: {@code // ...} or
 * {@code // ... free the buffers} or {@code /* ... *}{@code /}. It stands for any number of
 * source lines.
 */
final class CodeText {
    /** The line an elision becomes: no code line can equal it. */
    static final String ELISION = "\u0000...";

    private CodeText() {
    }

    /** The code lines of {@code text}, elisions marked as {@link #ELISION}. */
    static List<String> codeLines(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : stripComments(markElisions(text)).split("\n", -1)) {
            String code = line.strip().replaceAll("\\s+", " ");
            if (!code.isEmpty()) {
                lines.add(code);
            }
        }
        return lines;
    }

    private static String markElisions(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String s = line.strip();
            boolean elision = s.startsWith("// ...") || s.equals("//...") || s.matches("/\\*\\s*\\.\\.\\..*\\*/");
            out.append(elision ? ELISION : line).append('\n');
        }
        return out.toString();
    }

    /** Removes {@code //} and {@code /* *}{@code /} comments, leaving string and character literals alone. */
    static String stripComments(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            char next = i + 1 < text.length() ? text.charAt(i + 1) : '\0';
            if (c == '/' && next == '/') {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && next == '*') {
                int end = text.indexOf("*/", i + 2);
                String comment = text.substring(i, end < 0 ? text.length() : end + 2);
                // Keep the line structure: a comment over several lines leaves its line breaks.
                out.append("\n".repeat((int) comment.chars().filter(ch -> ch == '\n').count()));
                i += comment.length();
            } else if (c == '"' || c == '\'') {
                int end = i + 1;
                while (end < text.length() && text.charAt(end) != c && text.charAt(end) != '\n') {
                    end += text.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(end + 1, text.length());
                out.append(text, i, end);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /**
     * Where the excerpt's code first stops matching {@code source}, or -1 if all of it appears
     * there: each run of lines between elisions consecutively, the runs in order.
     */
    static int firstMismatch(List<String> excerpt, List<String> source) {
        int from = 0;
        int run = 0;
        while (run < excerpt.size()) {
            if (excerpt.get(run).equals(ELISION)) {
                run++;
                continue;
            }
            int runEnd = run;
            while (runEnd < excerpt.size() && !excerpt.get(runEnd).equals(ELISION)) {
                runEnd++;
            }
            int at = indexOf(source, excerpt.subList(run, runEnd), from);
            if (at < 0) {
                return run + longestPrefixFound(source, excerpt.subList(run, runEnd), from);
            }
            from = at + (runEnd - run);
            run = runEnd;
        }
        return -1;
    }

    private static int indexOf(List<String> source, List<String> lines, int from) {
        for (int start = from; start + lines.size() <= source.size(); start++) {
            if (source.subList(start, start + lines.size()).equals(lines)) {
                return start;
            }
        }
        return -1;
    }

    /** How many leading lines of {@code lines} do appear consecutively somewhere from {@code from}. */
    private static int longestPrefixFound(List<String> source, List<String> lines, int from) {
        int best = 0;
        for (int length = 1; length <= lines.size(); length++) {
            if (indexOf(source, lines.subList(0, length), from) < 0) {
                break;
            }
            best = length;
        }
        return best;
    }
}
