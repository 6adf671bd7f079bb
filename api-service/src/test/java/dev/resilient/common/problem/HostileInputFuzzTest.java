package dev.resilient.common.problem;

import static dev.resilient.testsupport.Management.management;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.logging.Log;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.testing.TaskRows;
import dev.resilient.testsupport.PrometheusText;
import dev.resilient.testsupport.Tokens;

/**
 * Random requests against the running API, as a careless or hostile client sends them: any method, path, query,
 * header and body, well-formed HTTP or not quite. Whatever comes in, nothing answers 5xx (all dependencies are
 * healthy here), every 4xx the API itself writes is a problem detail, and no path becomes a metrics tag. The seed is printed; rerun one with
 * {@code -Dfuzz.seed=...}, or more with {@code -Dfuzz.requests=...}.
 */
@QuarkusTest
class HostileInputFuzzTest {

    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 3000);
    /** RFC 3986: what a request target may hold; anything else may be refused by Vert.x before the API sees it. */
    private static final Pattern VALID_TARGET =
            Pattern.compile("(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*+");

    private static final String[] METHODS = {
        "GET", "GET", "POST", "POST", "PUT", "PUT", "DELETE", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FROB"
    };
    private static final String[] MEDIA_TYPES = {
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=latin-1",
        "application/problem+json",
        "text/plain",
        "*/*",
        "application/*",
        "",
        "json",
        "/",
        "a/b/c",
        "application/json;;;",
        "application/json; charset=\"",
        "application/json; =x",
        "text/html;q=abc",
        "application/json, text/plain;q=0.5",
        "@@@/###",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x"
    };
    private static final String[] BODIES = {
        "{\"name\":\"fuzz\"}",
        "{\"name\":\"fuzz\",\"status\":\"completed\"}",
        "{\"status\":\"in_progress\"}",
        "{}",
        "[]",
        "null",
        "\"text\"",
        "42",
        "{\"name\":null}",
        "{\"name\":\"\"}",
        "{\"name\":{\"nested\":[1,2,3]}}",
        "{\"name\":\"x\",\"name\":\"y\"}",
        "{\"id\":\"" + UUID.randomUUID() + "\",\"name\":\"x\"}",
        "{\"name\":\"\\u0000\"}",
        "{\"name\":\"\\ud800\"}",
        "{\"name\":1e999}",
        "{\"name\":",
        "name=fuzz",
        "\u00ff\u00fe\u0000garbage"
    };

    @TestHTTPResource("/")
    URL root;

    @Inject
    TaskRows rows;

    @BeforeEach
    @AfterEach
    void emptyTable() {
        rows.deleteAll();
    }

    @Test
    void noInputGetsAServerErrorAndEveryRefusalIsAProblemDetail() throws IOException {
        var seed = Long.getLong("fuzz.seed", System.nanoTime());
        Log.infof("HostileInputFuzzTest seed %d (rerun with -Dfuzz.seed=%d)", seed, seed);
        var random = new Random(seed);
        var failures = new ArrayList<String>();
        for (int i = 0; i < REQUESTS && failures.size() < 10; i++) {
            var request = request(random);
            var answer = send(request);
            var status = answer.status();
            if (status >= 500 || status < 100) {
                failures.add(status + " for:\n" + request.text());
            } else if (status >= 400
                    && request.wellFormed()
                    && !answer.isProblem()
                    && !"HEAD".equals(request.method())) {
                failures.add(status + " without a problem detail (" + answer.headers() + ") for:\n" + request.text());
            }
        }
        assertThat(failures).as("seed %d", seed).isEmpty();
        assertThat(uriTags())
                .as("a random path never becomes a metrics tag (seed %d)", seed)
                .allMatch(uri -> uri.startsWith("/q/") || ROUTE_TAGS.contains(uri));
    }

    /** What the uri tag of http_server_requests may be: the routes' templates and Micrometer's catch-alls. */
    private static final Set<String> ROUTE_TAGS =
            Set.of("/tasks", "/tasks/{id}", "/tasks/queued/{id}", "OTHER", "NOT_FOUND", "REDIRECTION", "root");

    private static Set<String> uriTags() {
        var uri = Pattern.compile("uri=\"([^\"]*)\"");
        return PrometheusText.samples(management().get("/q/metrics").asString()).stream()
                .filter(sample -> sample.name().startsWith("http_server_requests_seconds"))
                .map(sample -> uri.matcher(sample.series()))
                .filter(Matcher::find)
                .map(matcher -> matcher.group(1))
                .collect(Collectors.toSet());
    }

    /** A request as bytes, and whether it is valid HTTP/1.1 (else Vert.x may refuse it before the API sees it). */
    private static final String[] BROKEN_CREDENTIALS = {"Bearer ", "Bearer x.y.z", "Basic dXNlcjpwYXNz", "bearer"};

    private record FuzzRequest(String method, byte[] bytes, boolean wellFormed) {
        String text() {
            var text = new String(bytes, StandardCharsets.ISO_8859_1);
            return text.length() > 600 ? text.substring(0, 600) + "… (" + text.length() + " bytes)" : text;
        }
    }

    private record Answer(int status, Map<String, String> headers) {
        boolean isProblem() {
            return headers.getOrDefault("content-type", "").startsWith("application/problem+json");
        }
    }

    private FuzzRequest request(Random random) {
        var method = pick(random, METHODS);
        var target = path(random) + query(random);
        var headers = new LinkedHashMap<String, String>();
        headers.put("Host", root.getHost() + ":" + root.getPort());
        headers.put("Connection", "close");
        // Mostly a valid token, so the fuzz reaches the resources; else none or a broken one (a 401 problem detail).
        var token = random.nextInt(8);
        if (token > 1) {
            headers.put("Authorization", "Bearer " + Tokens.standard());
        } else if (token == 1) {
            headers.put("Authorization", pick(random, BROKEN_CREDENTIALS));
        }
        if (random.nextInt(4) > 0) {
            headers.put("Idempotency-Key", idempotencyKey(random));
        }
        if (random.nextBoolean()) {
            headers.put("Content-Type", pick(random, MEDIA_TYPES));
        }
        if (random.nextInt(3) == 0) {
            headers.put("Accept", pick(random, MEDIA_TYPES));
        }
        if (random.nextInt(6) == 0) {
            headers.put(random.nextBoolean() ? "If-Match" : "If-None-Match", entityTags(random));
        }
        var body = random.nextInt(3) == 0 ? new byte[0] : body(random);
        var chunked = body.length > 0 && random.nextInt(5) == 0;
        var wellFormed = true;
        if (random.nextInt(20) == 0) {
            // A header line no client should send: a name with spaces, or a value with a control character.
            headers.put(random.nextBoolean() ? "Bad Header" : "X-Fuzz", "a\u0001b");
            wellFormed = false;
        }
        var text = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
        headers.forEach(
                (name, value) -> text.append(name).append(": ").append(value).append("\r\n"));
        if (chunked) {
            text.append("Transfer-Encoding: chunked\r\n\r\n");
            text.append(Integer.toHexString(body.length)).append("\r\n");
        } else {
            if (body.length > 0 || random.nextBoolean()) {
                text.append("Content-Length: ").append(body.length).append("\r\n");
            }
            text.append("\r\n");
        }
        var bytes = new ByteArrayOutputStream();
        bytes.writeBytes(text.toString().getBytes(StandardCharsets.ISO_8859_1));
        bytes.writeBytes(body);
        if (chunked) {
            bytes.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        // Past Vert.x's 4 KiB request line, the HTTP codec answers 414 itself, before any route.
        var withinLimits = target.length() < 4000;
        return new FuzzRequest(
                method,
                bytes.toByteArray(),
                wellFormed && withinLimits && VALID_TARGET.matcher(target).matches());
    }

    private String path(Random random) {
        return switch (random.nextInt(12)) {
            case 0, 1, 2 -> "/tasks";
            case 3, 4, 5 -> "/tasks/" + UUID.randomUUID();
            case 6 -> "/tasks/" + segment(random);
            case 7 -> "/tasks/queued/" + (random.nextBoolean() ? UUID.randomUUID() : segment(random));
            case 8 -> "/tasks/" + UUID.randomUUID() + "/" + segment(random);
            case 9 -> "/" + segment(random);
            case 10 ->
                "/tasks/" + "a".repeat(random.nextBoolean() ? random.nextInt(3000) : 5000 + random.nextInt(5000));
            default -> "/tasks/%00%zz/../" + segment(random);
        };
    }

    private String query(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> "?limit=" + pick(random, new String[] {"1", "100", "1000", "1001", "0", "-5", "x", "", "1e3"});
            case 1 -> "?after=" + segment(random);
            case 2 -> "?limit=2&after=" + segment(random) + "&limit=7";
            case 3 -> "?" + segment(random) + "=" + segment(random);
            default -> "";
        };
    }

    /** Characters a path or query may hold, and some it may not (percent-encoded or not). */
    private String segment(Random random) {
        var alphabet = "abcXYZ019-._~%20%25%ff%:@!$&'()*+,;=[]{}|\\^`\"<>";
        var length = random.nextInt(40);
        var segment = new StringBuilder();
        for (int i = 0; i < length; i++) {
            segment.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return segment.toString();
    }

    private String idempotencyKey(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> "";
            case 1 -> "k".repeat(300);
            case 2 -> segment(random).replace("%", "");
            default -> UUID.randomUUID().toString();
        };
    }

    private String entityTags(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> "*";
            case 1 -> "\"1\"";
            case 2 -> "W/\"1\", \"2\"";
            case 3 -> "\"unterminated";
            default -> segment(random);
        };
    }

    private byte[] body(Random random) {
        if (random.nextInt(15) == 0) {
            return "{\"name\":\"".concat("x".repeat(17_000)).concat("\"}").getBytes(StandardCharsets.UTF_8);
        }
        if (random.nextInt(6) == 0) {
            var bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            return bytes;
        }
        return pick(random, BODIES).getBytes(StandardCharsets.UTF_8);
    }

    private static String pick(Random random, String[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    /** Sends the bytes on a fresh connection and reads the status line and headers; 0 when nothing came back. */
    private Answer send(FuzzRequest request) throws IOException {
        try (var socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(10_000);
            try {
                socket.getOutputStream().write(request.bytes());
                socket.getOutputStream().flush();
            } catch (IOException e) {
                // The server may answer and close before reading everything (a 413, say): read what it said.
            }
            var in = socket.getInputStream();
            var head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                head.write(b);
                var bytes = head.toByteArray();
                var n = bytes.length;
                if (n >= 4
                        && bytes[n - 4] == '\r'
                        && bytes[n - 3] == '\n'
                        && bytes[n - 2] == '\r'
                        && bytes[n - 1] == '\n') {
                    break;
                }
            }
            var lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            var statusLine = lines[0].split(" ");
            if (statusLine.length < 2) {
                return new Answer(0, Map.of());
            }
            var headers = new LinkedHashMap<String, String>();
            for (var line : List.of(lines).subList(1, lines.length)) {
                var colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(
                            line.substring(0, colon).trim().toLowerCase(),
                            line.substring(colon + 1).trim());
                }
            }
            return new Answer(Integer.parseInt(statusLine[1]), headers);
        }
    }
}
