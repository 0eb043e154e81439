package io.pipekit.it.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pipekit.it.ChildProcess;
import io.pipekit.testing.WindowsOnly;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Measures, side by side in one run, the C sample client's median round trip against the
 * server jar and against the C sample server, both separate processes that log every request
 * as the sample does. Alternates the two over several rounds so that drift in the machine
 * affects both alike. It asserts only that the measurements were made: timings are printed,
 * never asserted (they belong to the benchmarks, not to pass/fail).
 */
@WindowsOnly
class RoundTripTimingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int ROUNDS = 5;
    private static final int ROUND_TRIPS = 2000;
    private static final Pattern RESULT = Pattern.compile("round trips: (\\d+), median: ([\\d.]+) us, p99: ([\\d.]+) us");

    @Test
    void cClientMedianRoundTripAgainstJavaServerAndCSampleServer() throws Exception {
        List<Double> java = new ArrayList<>();
        List<Double> c = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            java.add(medianAgainst(ChildProcess::jar, "pipe-server.jar", "pipe-server: serving"));
            c.add(medianAgainst(ChildProcess::cPeer, "sample-server.exe", "listening on"));
        }
        Collections.sort(java);
        Collections.sort(c);
        double javaMedian = java.get(ROUNDS / 2);
        double cMedian = c.get(ROUNDS / 2);
        System.out.printf(Locale.ROOT, "[timing] C client, %d round trips x %d rounds: Java server median %.1f us (rounds %s), "
                + "C sample server median %.1f us (rounds %s), ratio %.2f%n", ROUND_TRIPS, ROUNDS, javaMedian, java, cMedian, c,
                javaMedian / cMedian);
        assertEquals(ROUNDS, java.size());
    }

    private interface Launcher {
        ChildProcess start(String program, String... args);
    }

    private static double medianAgainst(Launcher launcher, String server, String readyPrefix) throws Exception {
        String name = "pipekit-timing-" + UUID.randomUUID();
        String[] args = server.endsWith(".jar") ? new String[] {"--name", name} : new String[] {name};
        try (ChildProcess serverProcess = launcher.start(server, args)) {
            serverProcess.awaitLine(l -> l.startsWith(readyPrefix), TIMEOUT);
            try (ChildProcess client = ChildProcess.cPeer("sample-client.exe", name, "timing request", String.valueOf(ROUND_TRIPS))) {
                assertEquals(0, client.awaitExit(TIMEOUT), () -> "the C client failed: " + client.output());
                Matcher m = RESULT.matcher(client.awaitLine(RESULT.asPredicate(), TIMEOUT));
                m.find();
                return Double.parseDouble(m.group(2));
            }
        }
    }
}
