package dev.resilient.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Asks the API, once a run has settled, what became of every deferred write whose client gave up polling it (its
 * operation id is in the ledger's {@code unknown.tsv}): each must have ended {@code completed} or {@code failed} on
 * the server, none still pending and none forgotten (404). Writes the counts to {@code operations.properties}.
 *
 * <p>Usage: {@code DeferredWritesCheck <ledger dir> <base url>}.
 */
public final class DeferredWritesCheck {

    /** The operation state's status field (the body is the API's small, flat JSON object). */
    private static final java.util.regex.Pattern STATUS = java.util.regex.Pattern.compile("\"status\"\\s*:\\s*\"([a-z_]+)\"");

    private static final java.util.Set<String> FINAL = java.util.Set.of("completed", "failed");

    private DeferredWritesCheck() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: DeferredWritesCheck <ledger dir> <base url>");
            System.exit(2);
        }
        var ledger = Path.of(args[0]);
        var counts = new TreeMap<String, Integer>();
        var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        var unknown = ledger.resolve("unknown.tsv");
        var lines = Files.exists(unknown) ? Files.readAllLines(unknown) : java.util.List.<String>of();
        for (var line : lines.stream().skip(1).filter(l -> !l.isBlank()).toList()) {
            var operation = line.split("\t", -1)[7];
            if (operation.equals("-")) {
                continue;
            }
            counts.merge("operations.asked", 1, Integer::sum);
            var answer = http.send(
                    HttpRequest.newBuilder(URI.create(args[1] + "/tasks/queued/" + operation))
                            .header("Authorization", ApiToken.authorization())
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            var status = STATUS.matcher(answer.body());
            var outcome = answer.statusCode() == 404
                    ? "missing"
                    : status.find() && FINAL.contains(status.group(1)) ? "final" : "pending";
            counts.merge("operations." + outcome, 1, Integer::sum);
        }
        var properties = new Properties();
        counts.forEach((key, count) -> properties.setProperty(key, Integer.toString(count)));
        try (var writer = Files.newBufferedWriter(ledger.resolve("operations.properties"))) {
            properties.store(writer, "DeferredWritesCheck");
        }
        System.out.println("Operations given up by their clients, as the API reports them now: " + counts);
    }
}
