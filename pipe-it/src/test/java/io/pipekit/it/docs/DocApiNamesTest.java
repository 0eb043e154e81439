package io.pipekit.it.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every member of the public API that the README and docs/ name in inline code exists (above all
 * in README.md, docs/api.md and docs/tutorial.md, where users learn the API): a renamed or removed
 * method leaves no stale name behind in the prose (the code blocks are DocExcerptsTest's). A name is checked when it starts with a public type of an
 * exported package (nested types by their own simple name too, so {@code Builder.start()} counts):
 * {@code PipeServer.Builder.start()}, {@code PipeServer#close}, {@code PeerIdentity.Elevation.YES},
 * and each call of a chain whose return type is again an API type
 * ({@code PipeServer.builder(name).pipeType(...).start()}). A method is matched by name (any
 * overload), a nested type or a constant by name.
 *
 * <p>Left out on purpose: a bare {@code start()} or {@code connection.read()} (no type says whose
 * it is, and the tutorial names the internal classes' methods that way), the JDK's and the
 * internal packages' types ({@code Selector.select()}, {@code PipeInstance.listen()}), and file
 * names ({@code RequestHandler.java}).
 */
class DocApiNamesTest {
    private static final Path ROOT = Path.of(System.getProperty("pipekit.repo.root", "..")).toAbsolutePath().normalize();
    private static final Path MODULE_PATH = Path.of(System.getProperty("pipekit.modulePath.dir"));
    /** The pages a reader learns the API from: each must name some of it, or the check is not reading it. */
    private static final Set<String> API_PAGES = Set.of("README.md", "docs/api.md", "docs/tutorial.md");
    private static final Set<String> API_MODULES = Set.of("io.pipekit.core", "io.pipekit.server", "io.pipekit.client", "io.pipekit.netty");
    /** Where a name can start: a capital not preceded by part of another name. */
    private static final Pattern NAME_START = Pattern.compile("(?<![\\w$.#])[A-Z][\\w$]*");
    private static final Pattern QUALIFIER = Pattern.compile("\\bio\\.pipekit\\.(?:core|server|client|netty)\\.(?=[A-Z])");
    private static final Pattern FENCE = Pattern.compile("^\\s{0,3}(```|~~~).*");
    private static final Set<String> KEYWORDS = Set.of("class", "this", "super", "new");
    private static final Set<String> FILE_EXTENSIONS = Set.of("java", "class", "c", "h", "md", "xml", "jar", "txt");

    @TestFactory
    Stream<DynamicTest> everyApiMemberTheDocsNameExists() throws IOException {
        ApiTypes api = ApiTypes.exportedBy(MODULE_PATH);
        List<String> docs = new ArrayList<>(List.of("README.md"));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).map(p -> "docs/" + p.getFileName()).sorted().forEach(docs::add);
        }
        assertTrue(docs.containsAll(API_PAGES), "the docs under " + ROOT);
        return docs.stream().map(name -> dynamicTest(name, () -> {
            Result result = check(ROOT.resolve(name), api);
            assertTrue(result.apiNames() > 0 || !API_PAGES.contains(name),
                    name + ": no name of an API type found in its inline code; is the check reading it?");
            assertEquals("", String.join("\n", result.problems()),
                    name + " names API members that do not exist (fix the doc, or the name if the doc is right)");
        }));
    }

    // --- the check itself ------------------------------------------------------------------

    @Test
    void aMethodOnTheWrongTypeIsFoundAndTheRightOneIsAccepted(@TempDir Path dir) throws IOException {
        Path doc = dir.resolve("doc.md");
        Files.writeString(doc, """
                The acceptor (set up by `PipeServer.start()`) makes the session.

                Call `PipeServer.Builder.start()`, `Builder.start()` or `PipeServer.Builder#start`;
                `PipeServer.builder(name).pipeType(PipeType.BYTE)
                .start()` chains. `PipeType.BYTE` and `MessageCodecs#utf8` are there.
                `PipeServer.builder(name).stop()` is not, nor `PipeType.WORD`, nor
                `PipeServer.Nope.start()`. `io.pipekit.server.PipeServer.Builder.start()` and
                `Connection.toString()` are there; `io.pipekit.server.PipeServer.start()` is not.
                """);

        Result result = check(doc, ApiTypes.exportedBy(MODULE_PATH));

        assertEquals(List.of(
                "doc.md:1: `PipeServer.start()`: PipeServer has no public method start (PipeServer.Builder has)",
                "doc.md:6: `PipeServer.builder(name).stop()`: PipeServer.Builder has no public method stop",
                "doc.md:6: `PipeType.WORD`: PipeType has no public nested type or constant WORD",
                "doc.md:7: `PipeServer.Nope.start()`: PipeServer has no public nested type or constant Nope",
                "doc.md:8: `io.pipekit.server.PipeServer.start()`: PipeServer has no public method start (PipeServer.Builder has)"),
                result.problems());
    }

    @Test
    void bareMethodsJdkAndInternalTypesFileNamesAndCodeBlocksAreLeftOut(@TempDir Path dir) throws IOException {
        Path doc = dir.resolve("doc.md");
        Files.writeString(doc, """
                `start()` then `connection.read()`; `Selector.wakeup()` and `ByteBuffer.allocateDirect`;
                `PipeInstance.listen()`; see `pipe-server/.../PipeServer.java` and `PipeServer.java`;
                `PipeServer.class.getName()`.
                Two backticks: ``PipeServer.builder(name)`` are one span.

                ```java
                PipeServer.nothingHere();
                ```
                """);

        Result result = check(doc, ApiTypes.exportedBy(MODULE_PATH));

        assertEquals(List.of(), result.problems());
        assertEquals(4, result.apiNames(), "PipeServer in the two file names and PipeServer.class (not members), and in the double-backtick span");
    }

    @Test
    void spansAreFoundAsMarkdownDelimitsThem() {
        assertEquals(List.of(new Span(1, "a"), new Span(1, "b `c` d"), new Span(2, "e f")),
                spans("`a` ``b `c` d``\n`e\nf` `not\n\nclosed`"));
    }

    @Test
    void theApiTypesAreTheExportedPackagesPublicTypes() {
        ApiTypes api = ApiTypes.exportedBy(MODULE_PATH);

        assertFalse(api.bySimpleName("PipeServer").isEmpty());
        assertEquals(2, api.bySimpleName("Builder").size(), "PipeServer.Builder and PipeClient.Builder");
        assertTrue(api.bySimpleName("PipeInstance").isEmpty(), "an internal type is not API");
    }

    // --- reading the docs ------------------------------------------------------------------

    /** What one document names: the problems, and how many names of API types were seen. */
    record Result(List<String> problems, int apiNames) {}

    /** An inline code span and the 1-based line it starts on. */
    record Span(int line, String text) {}

    static Result check(Path doc, ApiTypes api) throws IOException {
        String where = (doc.startsWith(ROOT) ? ROOT.relativize(doc) : doc.getFileName()).toString();
        List<String> problems = new ArrayList<>();
        int apiNames = 0;
        for (Span span : spans(withoutCodeBlocks(Files.readString(doc)))) {
            String text = QUALIFIER.matcher(span.text()).replaceAll(""); // io.pipekit.server.PipeServer is PipeServer
            Matcher start = NAME_START.matcher(text);
            while (start.find()) {
                List<Class<?>> types = api.bySimpleName(start.group());
                if (types.isEmpty()) {
                    continue; // a JDK or internal type, or no type at all
                }
                apiNames++;
                String problem = resolve(types, chain(text, start.end()), api);
                if (problem != null) {
                    problems.add(where + ":" + span.line() + ": `" + span.text() + "`: " + problem);
                }
            }
        }
        return new Result(problems, apiNames);
    }

    /** The text with every fenced code block's lines blanked (so that line numbers stay). */
    private static String withoutCodeBlocks(String markdown) {
        StringBuilder out = new StringBuilder();
        boolean inBlock = false;
        for (String line : markdown.split("\n", -1)) {
            boolean fence = FENCE.matcher(line).matches();
            out.append(inBlock || fence ? "" : line).append('\n');
            if (fence) {
                inBlock = !inBlock;
            }
        }
        return out.toString();
    }

    /**
     * The inline code spans, as CommonMark delimits them: a run of n backticks up to the next run
     * of exactly n, within one paragraph; a line break inside a span reads as a space.
     */
    static List<Span> spans(String text) {
        List<Span> spans = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            if (text.charAt(i) != '`') {
                i++;
                continue;
            }
            int open = run(text, i);
            int close = -1;
            for (int j = i + open; j < text.length(); ) {
                if (text.charAt(j) == '`') {
                    int n = run(text, j);
                    if (n == open) {
                        close = j;
                        break;
                    }
                    j += n;
                } else if (text.startsWith("\n", j) && text.substring(j + 1).matches("(?s)[ \\t]*\n.*")) {
                    break; // a blank line ends the paragraph
                } else {
                    j++;
                }
            }
            if (close < 0) {
                i += open;
                continue;
            }
            int line = 1 + (int) text.substring(0, i).chars().filter(c -> c == '\n').count();
            spans.add(new Span(line, text.substring(i + open, close).replace('\n', ' ').strip()));
            i = close + open;
        }
        return spans;
    }

    private static int run(String text, int from) {
        int end = from;
        while (end < text.length() && text.charAt(end) == '`') {
            end++;
        }
        return end - from;
    }

    /** One step of a name after its type: {@code .name}, {@code #name}, called or not. */
    record Step(String name, boolean call) {}

    /** The steps after a type's name that ends at {@code from}: {@code .builder(name).start()} is builder, start. */
    static List<Step> chain(String text, int from) {
        List<Step> steps = new ArrayList<>();
        int i = from;
        while (i + 1 < text.length() && (text.charAt(i) == '.' || text.charAt(i) == '#')
                && Character.isJavaIdentifierStart(text.charAt(i + 1))) {
            int end = i + 1;
            while (end < text.length() && Character.isJavaIdentifierPart(text.charAt(end))) {
                end++;
            }
            String name = text.substring(i + 1, end);
            boolean call = end < text.length() && text.charAt(end) == '(';
            steps.add(new Step(name, call));
            i = call ? afterArguments(text, end) : end;
        }
        return steps;
    }

    /** Past the parenthesis that closes the one at {@code open}, or the text's end if none does. */
    private static int afterArguments(String text, int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i + 1;
            }
        }
        return text.length();
    }

    /** Follows the steps from the candidate types; the first step that names nothing is the problem. */
    private static String resolve(List<Class<?>> start, List<Step> steps, ApiTypes api) {
        Set<Class<?>> types = new LinkedHashSet<>(start);
        for (int s = 0; s < steps.size() && !types.isEmpty(); s++) {
            Step step = steps.get(s);
            boolean last = s == steps.size() - 1;
            if (last && !step.call() && FILE_EXTENSIONS.contains(step.name())) {
                return null; // PipeServer.java: a file
            }
            if (KEYWORDS.contains(step.name())) {
                return null; // PipeServer.class, Builder.this: Java, not a member
            }
            boolean typeLike = Character.isUpperCase(step.name().charAt(0)) && !step.call();
            Set<Class<?>> next = new LinkedHashSet<>();
            boolean found = false;
            for (Class<?> type : types) {
                if (typeLike) { // Type.Nested or Type.CONSTANT
                    for (Class<?> nested : type.getClasses()) {
                        if (nested.getSimpleName().equals(step.name())) {
                            found = true;
                            next.add(nested);
                        }
                    }
                } else {
                    // An interface's getMethods() leaves out Object's, which every implementation has.
                    List<Method> methods = new ArrayList<>(Arrays.asList(type.getMethods()));
                    methods.addAll(Arrays.asList(Object.class.getMethods()));
                    for (Method method : methods) {
                        if (method.getName().equals(step.name())) {
                            found = true;
                            if (api.contains(method.getReturnType())) {
                                next.add(method.getReturnType());
                            }
                        }
                    }
                }
                if (!step.call()) {
                    for (Field field : type.getFields()) {
                        if (field.getName().equals(step.name())) {
                            found = true;
                            if (api.contains(field.getType())) {
                                next.add(field.getType());
                            }
                        }
                    }
                }
            }
            if (!found) {
                String whose = types.stream().map(api::name).collect(Collectors.joining(" or "));
                if (typeLike) {
                    return whose + " has no public nested type or constant " + step.name();
                }
                List<String> elsewhere = api.typesWithMethod(step.name());
                return whose + " has no public method " + step.name()
                        + (elsewhere.isEmpty() ? "" : " (" + String.join(", ", elsewhere) + (elsewhere.size() == 1 ? " has)" : " have)"));
            }
            types = next;
        }
        return null;
    }

    /** The public types of the packages the library modules export to everyone, found in their jars. */
    static final class ApiTypes {
        private final Map<String, List<Class<?>>> bySimpleName = new TreeMap<>();
        private final Map<Class<?>, String> names = new java.util.HashMap<>();

        static ApiTypes exportedBy(Path modulePath) {
            ApiTypes api = new ApiTypes();
            for (ModuleReference module : ModuleFinder.of(modulePath).findAll()) {
                if (!API_MODULES.contains(module.descriptor().name())) {
                    continue;
                }
                Set<String> exported = module.descriptor().exports().stream()
                        .filter(e -> !e.isQualified()).map(e -> e.source()).collect(Collectors.toSet());
                try (ModuleReader reader = module.open(); Stream<String> entries = reader.list()) {
                    entries.filter(e -> e.endsWith(".class") && !e.contains("-info") && e.lastIndexOf('/') > 0)
                            .filter(e -> exported.contains(e.substring(0, e.lastIndexOf('/')).replace('/', '.')))
                            .forEach(e -> api.add(e.substring(0, e.length() - ".class".length()).replace('/', '.')));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            assertEquals(API_MODULES, api.names.keySet().stream().map(Class::getPackageName).collect(Collectors.toSet()),
                    "the packages the library modules in " + modulePath + " export (each module exports the package of its name)");
            return api;
        }

        private void add(String binaryName) {
            Class<?> type;
            try {
                type = Class.forName(binaryName, false, DocApiNamesTest.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(binaryName + " is in a library jar but not on the test class path", e);
            }
            for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
                if (!Modifier.isPublic(c.getModifiers()) || c.isAnonymousClass() || c.isLocalClass()) {
                    return;
                }
            }
            names.put(type, type.getName().substring(type.getPackageName().length() + 1).replace('$', '.'));
            bySimpleName.computeIfAbsent(type.getSimpleName(), k -> new ArrayList<>()).add(type);
        }

        List<Class<?>> bySimpleName(String simpleName) {
            return bySimpleName.getOrDefault(simpleName, List.of());
        }

        boolean contains(Class<?> type) {
            return names.containsKey(type);
        }

        String name(Class<?> type) {
            return names.get(type);
        }

        List<String> typesWithMethod(String method) {
            return names.entrySet().stream()
                    .filter(e -> Arrays.stream(e.getKey().getMethods()).anyMatch(m -> m.getName().equals(method)))
                    .map(Map.Entry::getValue).sorted().toList();
        }
    }
}
