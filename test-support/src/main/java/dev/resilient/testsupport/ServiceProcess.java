package dev.resilient.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service (write-worker, or a second api-service) as the separate process it is in production ({@code java -jar
 * quarkus-run.jar}), for end-to-end tests that run several instances, stop one gracefully or kill it outright. Its
 * output goes to the log file given.
 */
public final class ServiceProcess implements AutoCloseable {

    private final Path jar;
    private final Map<String, String> environment;
    private final Path log;
    private final int port;
    private final int managementPort;
    private Process process;

    private ServiceProcess(Path jar, Map<String, String> environment, Path log, int port, int managementPort) {
        this.jar = jar;
        this.environment = environment;
        this.log = log;
        this.port = port;
        this.managementPort = managementPort;
    }

    /**
     * A service from {@code jar} (its module's {@code target/quarkus-app/quarkus-run.jar}, built by {@code mvn
     * package}), configured by environment variables as in production, with the local stack's passwords and token issuer
     * (the production profile has no defaults for them; {@code environment} can replace them); HTTP and management on free
     * ports.
     */
    public static ServiceProcess of(Path jar, Map<String, String> environment, Path log) {
        var all = new HashMap<>(localCredentials());
        all.putAll(environment);
        return withExactly(jar, all, log);
    }

    /** The same without the local passwords: only {@code environment}, as a deployment that forgot one would run. */
    public static ServiceProcess withExactly(Path jar, Map<String, String> environment, Path log) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build its module first (./mvnw package -DskipTests)");
        }
        var port = freePort();
        var managementPort = freePort();
        var all = new HashMap<>(environment);
        all.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        all.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        return new ServiceProcess(jar, all, log, port, managementPort);
    }

    /** The service's HTTP port (api-service: the API; the worker has none). */
    public int port() {
        return port;
    }

    /** The port of its management interface (health, metrics). */
    public int managementPort() {
        return managementPort;
    }

    /** Starts the service and waits until it is ready (a worker: its consumers connected). */
    public ServiceProcess start() {
        launch();
        awaitReady(Duration.ofSeconds(60));
        return this;
    }

    /**
     * Starts the service expecting it to refuse to run: its exit status, once it has ended by itself within {@code
     * timeout} (else it is killed and this fails). Its output is in the log.
     */
    public int startExpectingExit(Duration timeout) {
        launch();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                throw new IllegalStateException("The service (" + jar + ") was still running after " + timeout);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The local stack's passwords and token issuer, as config/local.env gives them to the scripts (passwords from the
     * environment when set there).
     */
    private static Map<String, String> localCredentials() {
        return Map.of(
                "DB_PASSWORD", Env.get("DB_PASSWORD", "tasks"),
                "RABBITMQ_PASSWORD", Env.get("RABBITMQ_PASSWORD", "guest"),
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION", Tokens.publicKey().toString(),
                "MP_JWT_VERIFY_ISSUER", Tokens.ISSUER);
    }

    private void launch() {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var builder = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start " + jar, e);
        }
    }

    /** {@code kill -9}: no shutdown hook, nothing finished, nothing acknowledged. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitForExit();
        }
    }

    /** {@code kill} (SIGTERM): a graceful stop (a worker stops taking messages and finishes what it has in hand). */
    public int stop() {
        if (process == null) {
            return 0;
        }
        process.destroy();
        return waitForExit();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        if (isAlive()) {
            kill();
        }
    }

    private int waitForExit() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitReady(Duration timeout) {
        var client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2))
                .build();
        var deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "The service (" + jar + ") exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(200); // polling a process that has no other way to say it is ready
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("The service was not ready within " + timeout + "; see " + log);
    }

    private static int freePort() {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
