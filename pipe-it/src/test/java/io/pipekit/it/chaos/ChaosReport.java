package io.pipekit.it.chaos;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.pipekit.core.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Appends one JSON line per chaos scenario to the file named by {@code pipekit.chaos.results}, if
 * set: what bench/chaos.sh turns into docs/reliability.md. Without it, nothing is written.
 */
final class ChaosReport {
    private ChaosReport() {
    }

    static synchronized void record(Transport transport, String scenario, Map<String, ?> figures) {
        String file = System.getProperty("pipekit.chaos.results");
        if (file == null) {
            return;
        }
        String line = "{\"side\":\"chaos\",\"transport\":" + json(transport.name()) + ",\"java\":" + json(Runtime.version().toString())
                + ",\"scale\":" + json(ChaosSpec.FULL ? "full" : "reduced") + ",\"scenario\":" + json(scenario) + "," + members(figures) + "}\n";
        try {
            Files.writeString(Path.of(file), line, UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String members(Map<String, ?> map) {
        return map.entrySet().stream().map(e -> json(e.getKey()) + ":" + json(e.getValue())).collect(Collectors.joining(","));
    }

    private static String json(Object value) {
        if (value instanceof Map<?, ?> map) {
            return "{" + map.entrySet().stream().map(e -> json(String.valueOf(e.getKey())) + ":" + json(e.getValue()))
                    .collect(Collectors.joining(",")) + "}";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        String text = String.valueOf(value);
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
