package dev.resilient.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.onCase;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

/**
 * The article's mix at a fixed offered rate: {@code -Drate} requests per second (1 000) for {@code -Dduration}
 * seconds, each request a new arrival whether or not the earlier ones were answered (an open model: a slow answer
 * cannot slow the load down and hide its own delay, as it does in a closed loop). Each arrival is one request: GET
 * 50 %, PUT 20 % (on tasks listed in {@code -Dids}), POST 15 %, DELETE 15 % (each task of {@code -DdeleteIds} once),
 * writes with a fresh Idempotency-Key. Every answer goes to {@code requests.tsv} in {@code -Dledger} ({@link
 * RequestLog}), from which {@code loadtest/bench/fixed-rate.sh} takes the percentiles.
 */
public class FixedRateSimulation extends Simulation {

    private static final String ACTION = "action";
    private static final String ID = "id";
    private static final String KEY = "key";
    private static final String NAME = "name";
    private static final String HTTP = "http";
    private static final String MILLIS = "millis";

    private final int rate = Integer.getInteger("rate", 1_000);
    private final Duration duration = Duration.ofSeconds(Long.getLong("duration", 60));
    private final List<String> ids = lines("ids");
    private final ConcurrentLinkedQueue<String> deletable = new ConcurrentLinkedQueue<>(lines("deleteIds"));
    private final RequestLog requests = new RequestLog(Path.of(System.getProperty("ledger", "target/fixed-rate")));
    private final AtomicLong sent = new AtomicLong();

    {
        var protocol = http.baseUrl(System.getProperty("baseUrl", "http://localhost:8080"))
                .authorizationHeader(ApiToken.authorization())
                .acceptHeader("application/json")
                .disableCaching()
                // Arrivals share keep-alive connections, as clients behind a balancer do, instead of one each.
                .shareConnections();
        var json = Map.of("Content-Type", "application/json");
        var arrival = scenario("fixed rate")
                .exec(feed(arrivals()))
                .doSwitch("#{" + ACTION + "}")
                .on(
                        onCase("GET").then(send(http("GET").get("/tasks/#{id}"))),
                        onCase("PUT").then(send(http("PUT").put("/tasks/#{id}")
                                .headers(json)
                                .header("Idempotency-Key", "#{key}")
                                .body(StringBody("{\"name\":\"#{name}\"}")))),
                        onCase("POST").then(send(http("POST").post("/tasks")
                                .headers(json)
                                .header("Idempotency-Key", "#{key}")
                                .body(StringBody("{\"name\":\"#{name}\"}")))),
                        onCase("DELETE").then(send(http("DELETE").delete("/tasks/#{id}")
                                .header("Idempotency-Key", "#{key}"))));
        setUp(arrival.injectOpen(constantUsersPerSec(rate).during(duration))).protocols(protocol);
    }

    @Override
    public void after() {
        requests.close();
    }

    /** Sends the request and records its answer (status "-" when none came within 10 s). */
    private ChainBuilder send(HttpRequestActionBuilder request) {
        return exec(request.requestTimeout(Duration.ofSeconds(10))
                        .check(responseTimeInMillis().saveAs(MILLIS), status().saveAs(HTTP), status().lt(300)))
                .exec(this::record);
    }

    private Session record(Session session) {
        var answered = session.contains(HTTP);
        requests.record(
                System.currentTimeMillis(),
                session.getString(ACTION),
                answered ? String.valueOf(session.getInt(HTTP)) : "-",
                answered ? session.getLong(MILLIS) : 10_000,
                false,
                session.contains(ID) ? session.getString(ID) : null);
        return session;
    }

    /** One arrival after another, each with its request chosen by the mix. */
    private Iterator<Map<String, Object>> arrivals() {
        return Stream.generate(this::arrival).iterator();
    }

    private Map<String, Object> arrival() {
        var random = ThreadLocalRandom.current();
        var roll = random.nextInt(100);
        var name = "fixed-rate " + sent.incrementAndGet();
        var key = UUID.randomUUID().toString();
        if (roll < 15) {
            return Map.of(ACTION, "POST", KEY, key, NAME, name);
        }
        if (roll < 30) {
            var id = deletable.poll();
            if (id != null) {
                return Map.of(ACTION, "DELETE", ID, id, KEY, key);
            }
        }
        var id = ids.get(random.nextInt(ids.size()));
        return roll < 50 ? Map.of(ACTION, "PUT", ID, id, KEY, key, NAME, name) : Map.of(ACTION, "GET", ID, id);
    }

    private static List<String> lines(String property) {
        try {
            return Files.readAllLines(Path.of(System.getProperty(property)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the task ids of -D" + property, e);
        }
    }
}
