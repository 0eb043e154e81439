package io.pipekit.it.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API is the one docs/api.md lists: every public type of an exported package is on
 * the page, and every type on the page is public there. A type made public by accident (as 35
 * once were) fails here, as does one the page forgot.
 */
class PublicApiTest {
    private static final Path MODULE_PATH = Path.of(System.getProperty("pipekit.modulePath.dir"));
    private static final Path API_PAGE = Path.of(System.getProperty("pipekit.repo.root"), "docs", "api.md");
    private static final Map<String, String> EXPORTED = Map.of(
            "pipe-core", "io.pipekit.core", "pipe-server", "io.pipekit.server", "pipe-client", "io.pipekit.client",
            "pipe-netty", "io.pipekit.netty");

    @Test
    void everyPublicTypeOfAnExportedPackageIsListedInDocsApiAndNothingElse() throws Exception {
        Map<String, TreeSet<String>> listed = listedTypes();
        for (Map.Entry<String, String> module : new TreeMap<>(EXPORTED).entrySet()) {
            String pkg = module.getValue();
            assertEquals(listed.getOrDefault(pkg, new TreeSet<>()), publicTypes(module.getKey(), pkg),
                    "the public types of " + pkg + " (left: docs/api.md; right: the jar)");
        }
    }

    @Test
    void everyApiTypeSaysWhatItIsForInItsJavadoc() throws Exception {
        // The javadoc's doclint runs every check but "missing" (which would ask for an @param on
        // each one-line accessor); this is the part of "missing" pipekit holds to: each type of the
        // API opens with a comment.
        List<String> undocumented = new ArrayList<>();
        for (Map.Entry<String, TreeSet<String>> listed : listedTypes().entrySet()) {
            String pkg = listed.getKey();
            String module = "pipe-" + pkg.substring("io.pipekit.".length());
            for (String type : listed.getValue()) {
                String outer = type.contains(".") ? type.substring(0, type.indexOf('.')) : type;
                String simple = type.substring(type.lastIndexOf('.') + 1);
                Path source = Path.of(System.getProperty("pipekit.repo.root"), module, "src/main/java",
                        pkg.replace('.', '/'), outer + ".java");
                if (!isDocumented(Files.readString(source), simple)) {
                    undocumented.add(pkg + "." + type);
                }
            }
        }
        assertEquals(List.of(), undocumented, "API types without a javadoc comment");
    }

    @Test
    void aTypesModifiersMayComeInAnyOrder() {
        assertTrue(isDocumented("/** Says what. */\npublic abstract sealed class PipeException extends IOException {", "PipeException"));
        assertTrue(isDocumented("/** Says what. */\n@Deprecated\npublic static final class Builder {", "Builder"));
        assertFalse(isDocumented("/* Not javadoc. */\npublic abstract sealed class PipeException {", "PipeException"));
        assertFalse(isDocumented("/** Another's. */\nclass A {}\npublic final class PipeName {", "PipeName"));
    }

    /** Whether the declaration of {@code simple} in {@code source} follows a javadoc comment (annotations may come between). */
    private static boolean isDocumented(String source, String simple) {
        Pattern documented = Pattern.compile("/\\*\\*(?:(?!\\*/).)*\\*/\\s*(?:@\\w+(?:\\([^)]*\\))?\\s*)*"
                + "public (?:(?:static|final|sealed|non-sealed|abstract) )*(?:class|interface|enum|record) " + simple + "\\b",
                Pattern.DOTALL);
        return documented.matcher(source).find();
    }

    /** The public types of {@code pkg} in the module's jar, nested ones as {@code Outer.Inner}. */
    private static TreeSet<String> publicTypes(String artifact, String pkg) throws Exception {
        TreeSet<String> types = new TreeSet<>();
        String dir = pkg.replace('.', '/') + "/";
        try (JarFile jar = new JarFile(jar(artifact).toFile())) {
            for (var entries = jar.entries(); entries.hasMoreElements(); ) {
                String entry = entries.nextElement().getName();
                if (!entry.startsWith(dir) || !entry.endsWith(".class") || entry.indexOf('/', dir.length()) >= 0) {
                    continue;
                }
                String binaryName = entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
                if (binaryName.endsWith("package-info") || binaryName.matches(".*\\$\\d.*")) {
                    continue; // not a type, or an anonymous class
                }
                Class<?> type = Class.forName(binaryName, false, PublicApiTest.class.getClassLoader());
                if (isPublicAllTheWayOut(type)) {
                    types.add(type.getName().substring(pkg.length() + 1).replace('$', '.'));
                }
            }
        }
        return types;
    }

    private static boolean isPublicAllTheWayOut(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
            if (!Modifier.isPublic(c.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    /** The types docs/api.md lists, per package: the first column of the table under each "## package" heading. */
    private static Map<String, TreeSet<String>> listedTypes() throws IOException {
        Map<String, TreeSet<String>> listed = new TreeMap<>();
        Pattern row = Pattern.compile("^\\| `([A-Za-z0-9.]+)` \\|");
        String section = null;
        for (String line : Files.readAllLines(API_PAGE)) {
            if (line.startsWith("## ")) {
                section = line.substring(3).trim();
                continue;
            }
            Matcher m = row.matcher(line);
            if (section != null && section.startsWith("io.pipekit.") && m.find()) {
                listed.computeIfAbsent(section, k -> new TreeSet<>()).add(m.group(1));
            }
        }
        return listed;
    }

    private static Path jar(String artifact) throws IOException {
        try (Stream<Path> jars = Files.list(MODULE_PATH)) {
            List<Path> found = new ArrayList<>(jars.filter(p -> p.getFileName().toString().startsWith(artifact + "-")).toList());
            assertEquals(1, found.size(), artifact + " in " + MODULE_PATH);
            return found.get(0);
        }
    }
}
