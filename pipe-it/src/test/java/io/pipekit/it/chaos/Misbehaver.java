package io.pipekit.it.chaos;

import io.pipekit.client.PipeClient;
import java.time.Duration;
import java.util.Random;

/**
 * A misbehaving client in a process of its own, for the chaos scenarios that kill it:
 * {@code flood NAME} connects to the pipe {@code NAME} and writes 1 MiB messages without ever
 * reading the echoes, printing {@code wrote N} after each. It spends nearly all its life inside a
 * write, with the server's echo half written towards it, so wherever the test kills it, it dies
 * mid-message both ways. It exits 3 once the server closes it.
 */
public final class Misbehaver {
    private Misbehaver() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("flood")) {
            System.err.println("usage: Misbehaver flood NAME");
            System.exit(2);
        }
        byte[] message = new byte[1 << 20];
        new Random(7).nextBytes(message);
        try (PipeClient client = PipeClient.builder(args[1]).connectTimeout(Duration.ofSeconds(60)).connect()) {
            System.out.println("connected");
            for (int n = 1; ; n++) {
                client.send(message);
                System.out.println("wrote " + n);
            }
        } catch (Exception e) {
            System.out.println("closed: " + e);
            System.exit(3);
        }
    }
}
