package dev.resilient.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of a test's own (the binary of the machine's Redis, {@code redis-server} on the PATH or
 * {@code REDIS_SERVER}), on a free port, with the settings the test asks for, so a test can fill it up or restart it
 * without touching the Redis everything else shares. Keeps nothing on disk.
 */
public final class PrivateRedis implements AutoCloseable {

    private final int port;
    private final List<String> settings;
    private final Path log;
    private Process process;

    private PrivateRedis(int port, List<String> settings, Path log) {
        this.port = port;
        this.settings = settings;
        this.log = log;
    }

    /**
     * Starts one with these extra {@code redis-server} arguments ({@code "--maxmemory", "2mb"}, ...); its log goes to
     * {@code log}.
     */
    public static PrivateRedis start(Path log, String... settings) {
        var redis = new PrivateRedis(freePort(), List.of(settings), log);
        redis.launch();
        return redis;
    }

    public int port() {
        return port;
    }

    /** Stops it without saving and starts it again on the same port: empty, as a Redis without persistence restarts. */
    public void restartEmpty() {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
    }

    private void launch() {
        var command = new ArrayList<>(List.of(
                Env.get("REDIS_SERVER", "redis-server"),
                "--port",
                String.valueOf(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                System.getProperty("java.io.tmpdir")));
        command.addAll(settings);
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server could not start", e);
        }
        var deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!accepts()) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new IllegalStateException("redis-server did not start on port " + port + " (log: " + log + ")");
            }
            sleep();
        }
    }

    private void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private boolean accepts() {
        try (var socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
