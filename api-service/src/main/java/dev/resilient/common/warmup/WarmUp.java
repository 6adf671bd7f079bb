package dev.resilient.common.warmup;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import dev.resilient.task.application.PageCursor;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Keeps readiness DOWN until the service has run its hot paths for a while, so that the first real traffic meets
 * compiled code. A just-started JVM runs them interpreted, several times slower; under full load at once, its
 * dependency calls took longer than their breakers' timeouts, the breakers opened on healthy dependencies, and healthy
 * writes were deferred or refused (measured in loadtest/results/cold-start.md). A load balancer or Kubernetes sends
 * nothing before readiness, so that first minute now happens here, at a pace the service sets.
 *
 * <p>The warm-up is real traffic from the service to itself over HTTP, through every layer a request takes: each of
 * {@link WarmUpConfig#clients()} clients lists the first page (plainly and after a cursor), creates a task named
 * {@code warm-up …}, reads it, reads one that does not exist, changes it and deletes it, again and again, for
 * {@link WarmUpConfig#duration()}. It stops at the first answer a healthy service would not give (a deferred write,
 * a 503, a read from the fallback cache): readiness never waits for an outage. Nothing is left behind: a task the
 * warm-up could not delete is deleted in the background once the API takes the delete (a deferred create, once it has
 * been applied).
 */
@Readiness
@ApplicationScoped
public class WarmUp implements HealthCheck {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final long CLEAN_UP_EVERY_SECONDS = 5;
    /** A cursor before every task: the page after it is the first page, read through the keyset query. */
    private static final String FROM_THE_START =
            PageCursor.after(1, Instant.EPOCH, new UUID(0, 0)).token();

    private final WarmUpConfig config;
    private final ObjectMapper json;
    private final WarmUpAuthentication authentication;
    private final AtomicLong requests = new AtomicLong();
    private final String instance = UUID.randomUUID().toString().substring(0, 8);
    private final ScheduledExecutorService cleaner = Executors.newSingleThreadScheduledExecutor(runnable -> {
        var thread = new Thread(runnable, "warm-up-cleaner");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean finished;
    private volatile String outcome = "not started";
    private HttpClient http;
    private URI base;

    public WarmUp(WarmUpConfig config, ObjectMapper json, WarmUpAuthentication authentication) {
        this.config = config;
        this.json = json;
        this.authentication = authentication;
    }

    /** A degraded answer: the warm-up ends here, ready at once. */
    private static final class Degraded extends Exception {
        Degraded(String message) {
            super(message, null, false, false);
        }
    }

    void start(@Observes StartupEvent started) {
        if (!config.enabled()) {
            finish("disabled");
            return;
        }
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(REQUEST_TIMEOUT)
                .build();
        outcome = "running";
        var thread = new Thread(this::run, "warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    /** The HTTP server starts listening after start-up observers have run: wait for it. */
    private void awaitListening() throws InterruptedException {
        var key = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        for (int attempt = 0; attempt < 300; attempt++) {
            var port = ConfigProvider.getConfig()
                    .getOptionalValue(key, Integer.class)
                    .orElse(0);
            if (port > 0) {
                try (var socket = new Socket("127.0.0.1", port)) {
                    base = URI.create("http://127.0.0.1:" + port);
                    return;
                } catch (IOException e) {
                    // not listening yet
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the HTTP server did not start listening within 30 s");
    }

    void stop(@Observes ShutdownEvent stopping) {
        cleaner.shutdownNow();
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("warm-up")
                .status(finished)
                .withData("outcome", outcome)
                .withData("requests", requests.get())
                .build();
    }

    private void run() {
        try {
            awaitListening();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (IllegalStateException e) {
            Log.warnf("No warm-up: %s; ready now", e.getMessage());
            finish("skipped: " + e.getMessage());
            return;
        }
        var began = System.nanoTime();
        var deadline = began + config.duration().toNanos();
        var clients = new Thread[config.clients()];
        var stopped = new AtomicReference<String>();
        for (int i = 0; i < clients.length; i++) {
            var client = i;
            clients[i] = new Thread(
                    () -> {
                        try {
                            for (int n = 0; System.nanoTime() < deadline && stopped.get() == null; n++) {
                                cycle(client, n);
                            }
                        } catch (Degraded | IOException e) {
                            stopped.compareAndSet(null, e.getMessage());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "warm-up-" + i);
            clients[i].start();
        }
        for (var client : clients) {
            try {
                client.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        var seconds = (System.nanoTime() - began) / 1e9;
        if (stopped.get() == null) {
            Log.infof("Warmed up in %.1f s (%d requests); ready", seconds, requests.get());
            finish("done");
        } else {
            Log.warnf(
                    "Warm-up ended after %.1f s (%d requests): %s; ready now", seconds, requests.get(), stopped.get());
            finish("ended early: " + stopped.get());
        }
    }

    private void finish(String how) {
        outcome = how;
        finished = true;
    }

    /** One round of what clients do, on a task of its own; the task is gone at the end, or will be. */
    private void cycle(int client, int n) throws Degraded, IOException, InterruptedException {
        // A read first: with PostgreSQL away it comes from the cache or is refused, and the warm-up writes nothing.
        // The first page at its default size, as clients ask for it (and the fallback cache keeps it), then a page
        // after a cursor: its query is another one, which the first client to follow a Link would otherwise compile.
        expect(send("GET", "/tasks", null, null), 200);
        expect(send("GET", "/tasks?after=" + FROM_THE_START, null, null), 200);
        var name = "warm-up " + instance + " " + client + "-" + n;
        var created = send("POST", "/tasks", "{\"name\":\"" + name + "\"}", null);
        if (created.statusCode() == 202) {
            deleteOnceApplied(created.headers().firstValue("Location").orElseThrow());
            throw new Degraded("a create was deferred (PostgreSQL did not take it)");
        }
        expect(created, 201);
        var task = "/tasks/" + json.readTree(created.body()).get("id").asText();
        try {
            for (int i = 0; i < 3; i++) {
                expect(send("GET", task, null, null), 200);
            }
            expect(send("GET", task, null, created.headers().firstValue("ETag").orElseThrow()), 304);
            expect(send("GET", "/tasks/" + UUID.randomUUID(), null, null), 404);
            expect(send("PUT", task, "{\"status\":\"completed\"}", null), 200);
        } finally {
            delete(task);
        }
    }

    /** Deletes the task now, or in the background until the API takes the delete (a 202 counts: it is queued). */
    private void delete(String task) throws Degraded, IOException, InterruptedException {
        var status = send("DELETE", task, null, null).statusCode();
        if (status == 204 || status == 404) {
            return;
        }
        if (status != 202) {
            retryDelete(task);
        }
        throw new Degraded("a delete answered " + status);
    }

    private void retryDelete(String task) {
        cleaner.schedule(
                () -> {
                    try {
                        var status = send("DELETE", task, null, null).statusCode();
                        if (status != 204 && status != 404 && status != 202) {
                            retryDelete(task);
                        }
                    } catch (IOException e) {
                        retryDelete(task);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                CLEAN_UP_EVERY_SECONDS,
                TimeUnit.SECONDS);
    }

    /** Polls a deferred create until it is final, then deletes the task it made (nothing, if it failed). */
    private void deleteOnceApplied(String operation) {
        cleaner.schedule(
                () -> {
                    try {
                        var state = send("GET", operation, null, null);
                        var body = state.statusCode() == 200 ? json.readTree(state.body()) : null;
                        var status = body == null ? "" : body.path("status").asText();
                        if (status.equals("completed")) {
                            retryDelete(
                                    "/tasks/" + body.path("result").path("id").asText());
                        } else if (!status.equals("failed")) {
                            deleteOnceApplied(operation);
                        }
                    } catch (IOException e) {
                        deleteOnceApplied(operation);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                CLEAN_UP_EVERY_SECONDS,
                TimeUnit.SECONDS);
    }

    private static void expect(HttpResponse<String> response, int status) throws Degraded {
        if (response.headers().firstValue("Cache-Status").isPresent()) {
            throw new Degraded("a read was answered from the fallback cache (PostgreSQL did not answer)");
        }
        if (response.statusCode() != status) {
            throw new Degraded(response.request().method() + " "
                    + response.uri().getPath() + " answered " + response.statusCode() + " instead of " + status);
        }
    }

    private HttpResponse<String> send(String method, String path, String body, String ifNoneMatch)
            throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(REQUEST_TIMEOUT)
                .header(WarmUpAuthentication.HEADER, authentication.secret());
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.method(method, HttpRequest.BodyPublishers.ofString(body))
                    .header("Content-Type", "application/json");
        }
        if (!method.equals("GET")) {
            request.header("Idempotency-Key", "warm-up-" + UUID.randomUUID());
        }
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        requests.incrementAndGet();
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
