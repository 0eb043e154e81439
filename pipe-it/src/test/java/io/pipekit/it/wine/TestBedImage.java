package io.pipekit.it.wine;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Names the test bed image that the current sources describe.
 *
 * <p>{@code build-image.sh} tags the image {@code pipekit/wine-testbed:<hash>}, where the hash
 * covers every file of the test bed's sources ({@code src/test/wine}, {@code src/test/c} and
 * {@code src/test/go}, the Go peer).
 * This class computes the same hash, the way {@code sha256sum} lists would, so that a test
 * run never uses an image built from other sources than the ones checked out.
 */
final class TestBedImage {
    static final String REPOSITORY = "pipekit/wine-testbed";
    private static final List<String> SOURCE_FOLDERS = List.of("c", "go", "wine");

    private TestBedImage() {
    }

    /**
     * The image tag for the sources under {@code testSources} (pipe-it's {@code src/test}).
     * Mirrors {@code find c go wine -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12}.
     */
    static String tagFor(Path testSources) {
        StringBuilder listing = new StringBuilder();
        for (String file : sourceFiles(testSources)) {
            listing.append(sha256Hex(read(testSources.resolve(file)))).append("  ").append(file).append('\n');
        }
        return REPOSITORY + ":" + sha256Hex(listing.toString().getBytes(UTF_8)).substring(0, 12);
    }

    private static List<String> sourceFiles(Path testSources) {
        try (Stream<Path> files = SOURCE_FOLDERS.stream().map(testSources::resolve).flatMap(TestBedImage::walk)) {
            // C-locale sort: plain char order, which String.compareTo gives for these ASCII names.
            return files.filter(Files::isRegularFile)
                    .map(p -> testSources.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    private static Stream<Path> walk(Path folder) {
        try {
            return Files.walk(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
