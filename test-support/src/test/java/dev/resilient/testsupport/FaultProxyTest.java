package dev.resilient.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each test puts a {@link FaultProxy} in front of a tiny echo server and asserts what a client observes. Every socket
 * read has a timeout and the class has a preemptive one, so no test can hang; time is only asserted as a lower bound.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@Tag("unit")
class FaultProxyTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int READ_TIMEOUT_MILLIS = 5_000;
    /** Long enough that a forwarded byte would have arrived on loopback: used only to prove that none did. */
    private static final int SILENCE_MILLIS = 300;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private EchoServer echo;
    private FaultProxy proxy;

    @BeforeEach
    void startEchoAndProxy() throws IOException {
        echo = closeLater(new EchoServer());
        proxy = closeLater(FaultProxy.start("127.0.0.1", echo.port()));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeAfter.size() - 1; i >= 0; i--) {
            closeAfter.get(i).close();
        }
    }

    @Test
    void passForwardsBytesBothWays() throws IOException {
        assertThat(proxy.mode()).isEqualTo("pass");
        var client = connect(proxy.port());

        assertEchoes(client, "hello");
        assertEchoes(client, "and again");
        eventually("one open connection", () -> proxy.connectionCount() == 1);
    }

    @Test
    void passForwardsALargePayloadInOrder() throws Exception {
        assertLargePayloadEchoes(connect(proxy.port()));
    }

    @Test
    void refuseRefusesNewConnectionsAndResetsOpenOnes() throws IOException {
        var open = connect(proxy.port());
        assertEchoes(open, "before");

        proxy.refuse();

        assertThat(proxy.mode()).isEqualTo("refuse");
        assertClosedByPeer(open);
        assertThatThrownBy(() -> connect(proxy.port())).isInstanceOf(ConnectException.class);
        eventually("no open connection", () -> proxy.connectionCount() == 0);
    }

    @Test
    void passAfterRefuseListensAgainOnTheSamePort() throws IOException {
        int port = proxy.port();
        proxy.refuse();
        assertThatThrownBy(() -> connect(port)).isInstanceOf(ConnectException.class);

        proxy.pass();

        assertThat(proxy.port()).isEqualTo(port);
        assertThat(proxy.mode()).isEqualTo("pass");
        assertEchoes(connect(port), "back again");
    }

    @Test
    void blackholeAcceptsButNeverAnswersUntilPass() throws IOException {
        var open = connect(proxy.port());
        assertEchoes(open, "before");

        proxy.blackhole();

        assertThat(proxy.mode()).isEqualTo("blackhole");
        var fresh = connect(proxy.port()); // accepted
        send(fresh, "anyone?");
        assertReadTimesOut(fresh);
        send(open, "still there?");
        assertReadTimesOut(open);
        eventually("both connections open", () -> proxy.connectionCount() == 2);

        proxy.pass();

        // both stayed open; what was sent during the blackhole is lost, what is sent now gets through
        assertEchoes(open, "after");
        assertEchoes(fresh, "after too");
    }

    @Test
    void blackholeHoldsBackAServerCloseUntilItLifts() throws IOException {
        var client = connect(proxy.port());
        assertEchoes(client, "hi");
        proxy.blackhole();

        echo.closeAcceptedSockets();

        assertReadTimesOut(client);
        proxy.pass();
        assertClosedByPeer(client);
    }

    @Test
    void delayAddsAtLeastTheDelayEachWay() throws IOException {
        var open = connect(proxy.port());
        assertEchoes(open, "warm up");
        var latency = Duration.ofMillis(150);

        proxy.delay(latency);

        assertThat(proxy.mode()).isEqualTo("delay 150ms");
        var fresh = connect(proxy.port());
        for (var client : List.of(open, fresh)) {
            long start = System.nanoTime();
            assertEchoes(client, "slow");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(latency.multipliedBy(2));
        }
    }

    @Test
    void delayKeepsTheOrderOfManySmallChunks() throws IOException {
        proxy.delay(Duration.ofMillis(20));
        var client = connect(proxy.port());
        var expected = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            var message = i + ",";
            send(client, message); // a write per message, TCP_NODELAY: many chunks in flight at once
            expected.append(message);
        }
        assertThat(read(client, expected.length())).isEqualTo(expected.toString());
    }

    /** The reader forwards by itself in pass mode, but never ahead of the chunks still delayed. */
    @Test
    void passAfterDelayForwardsWhatIsStillDelayedFirst() throws IOException {
        proxy.delay(Duration.ofMillis(300));
        var client = connect(proxy.port());
        var expected = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            if (i == 200) {
                eventually("the proxy holds back a delayed chunk", () -> proxy.heldBackChunks() > 0);
                proxy.pass(); // what it holds back is still on its way
            }
            var message = i + ",";
            send(client, message);
            expected.append(message);
        }
        assertThat(read(client, expected.length())).isEqualTo(expected.toString());
        assertEchoes(client, "and then at once");
    }

    @Test
    void delayForwardsALargePayloadInOrder() throws Exception {
        proxy.delay(Duration.ofMillis(5));
        assertLargePayloadEchoes(connect(proxy.port()));
    }

    @Test
    void delayRejectsANegativeDuration() {
        assertThatThrownBy(() -> proxy.delay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(proxy.mode()).isEqualTo("pass");
    }

    @Test
    void closeConnectionsClosesOpenOnesButNewOnesWork() throws IOException {
        var first = connect(proxy.port());
        var second = connect(proxy.port());
        assertEchoes(first, "one");
        assertEchoes(second, "two");
        eventually("two open connections", () -> proxy.connectionCount() == 2);

        proxy.closeConnections();

        assertClosedByPeer(first);
        assertClosedByPeer(second);
        eventually("no open connection", () -> proxy.connectionCount() == 0);
        assertThat(proxy.mode()).isEqualTo("pass");
        assertEchoes(connect(proxy.port()), "new");
    }

    @Test
    void aClientCloseClosesTheServerSide() throws IOException {
        var client = connect(proxy.port());
        assertEchoes(client, "bye");
        eventually("the echo server has the connection", () -> echo.openSockets() == 1);

        client.close();

        eventually("the echo server saw the close", () -> echo.openSockets() == 0);
        eventually("no open connection", () -> proxy.connectionCount() == 0);
    }

    @Test
    void anUnreachableTargetClosesTheClientConnection() throws IOException {
        int freePort;
        try (var probe = new ServerSocket(0, 1, LOOPBACK)) {
            freePort = probe.getLocalPort();
        }
        var toNowhere = closeLater(FaultProxy.start("127.0.0.1", freePort));

        assertClosedByPeer(connect(toNowhere.port()));
        eventually("no open connection", () -> toNowhere.connectionCount() == 0);
    }

    @Test
    void closeFreesThePortClosesConnectionsAndEndsItsThreads() throws IOException {
        int port = proxy.port();
        var client = connect(port);
        assertEchoes(client, "last words");

        proxy.close();
        proxy.close(); // idempotent

        assertClosedByPeer(client);
        assertThatThrownBy(() -> connect(port)).isInstanceOf(ConnectException.class);
        try (var rebound = new ServerSocket()) {
            rebound.bind(new InetSocketAddress(LOOPBACK, port));
        }
        assertThat(Thread.getAllStackTraces().keySet())
                .filteredOn(thread -> thread.getName().startsWith("fault-proxy-" + port + "-"))
                .isEmpty();
    }

    @Test
    void controlEndpointSwitchesModes() throws Exception {
        var control = proxy.serveControl(0);
        var client = connect(proxy.port());
        assertEchoes(client, "hi");

        assertThat(call("POST", control, "/blackhole")).isEqualTo("200 blackhole");
        assertThat(proxy.mode()).isEqualTo("blackhole");
        assertThat(call("POST", control, "/delay?ms=250")).isEqualTo("200 delay 250ms");
        assertThat(proxy.mode()).isEqualTo("delay 250ms");
        assertThat(call("GET", control, "/mode")).isEqualTo("200 delay 250ms");
        assertThat(call("POST", control, "/pass")).isEqualTo("200 pass");
        assertEchoes(client, "through");

        assertThat(call("POST", control, "/close-connections")).isEqualTo("200 pass");
        assertClosedByPeer(client);

        assertThat(call("POST", control, "/refuse")).isEqualTo("200 refuse");
        assertThatThrownBy(() -> connect(proxy.port())).isInstanceOf(ConnectException.class);
        assertThat(call("POST", control, "/pass")).isEqualTo("200 pass");
        assertEchoes(connect(proxy.port()), "works");
    }

    @Test
    void controlEndpointRejectsBadRequests() throws Exception {
        var control = proxy.serveControl(0);

        assertThat(call("POST", control, "/delay")).startsWith("400 ");
        assertThat(call("POST", control, "/delay?ms=abc")).startsWith("400 ");
        assertThat(call("POST", control, "/delay?ms=-5")).startsWith("400 ");
        assertThat(call("GET", control, "/pass")).startsWith("405 ");
        assertThat(call("POST", control, "/mode")).startsWith("405 ");
        assertThat(call("POST", control, "/explode")).startsWith("404 ");
        assertThat(proxy.mode()).isEqualTo("pass");
    }

    @Test
    void closingTheProxyStopsItsControlEndpoint() throws Exception {
        int controlPort = proxy.serveControl(0).port();

        proxy.close();

        assertThatThrownBy(() -> connect(controlPort)).isInstanceOf(ConnectException.class);
    }

    @Test
    void commandLineOptions() {
        var options = FaultProxy.Options.parse("--listen", "15432", "--target", "db.local:5432", "--control", "19000");
        assertThat(options).isEqualTo(new FaultProxy.Options(15432, "db.local", 5432, 19000));
        assertThat(FaultProxy.Options.parse("--target", "127.0.0.1:6379", "--listen", "0")
                        .controlPort())
                .isNull();

        for (var bad : List.of(
                new String[] {"--listen", "15432"},
                new String[] {"--target", "127.0.0.1:5432"},
                new String[] {"--listen", "x", "--target", "127.0.0.1:5432"},
                new String[] {"--listen", "1", "--target", "127.0.0.1"},
                new String[] {"--listen", "1", "--target", "127.0.0.1:70000"},
                new String[] {"--listen", "1", "--target", "127.0.0.1:5432", "--control"},
                new String[] {"--listen", "1", "--target", "127.0.0.1:5432", "--verbose", "yes"})) {
            assertThatThrownBy(() -> FaultProxy.Options.parse(bad))
                    .as(String.join(" ", bad))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    // ---- what a client does and sees ----

    private Socket connect(int port) throws IOException {
        var socket = closeLater(new Socket());
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.connect(new InetSocketAddress(LOOPBACK, port), READ_TIMEOUT_MILLIS);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    private static String read(Socket socket, int length) throws IOException {
        var bytes = socket.getInputStream().readNBytes(length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void assertEchoes(Socket socket, String text) throws IOException {
        send(socket, text);
        assertThat(read(socket, text.length())).isEqualTo(text);
    }

    /** Writes 2 MiB from another thread while reading the echo, so neither side's buffers can deadlock the test. */
    private static void assertLargePayloadEchoes(Socket socket) throws Exception {
        var payload = new byte[2 * 1024 * 1024];
        new Random(42).nextBytes(payload);
        var writeFailure = new AtomicReference<Throwable>();
        var writer = new Thread(() -> {
            try {
                socket.getOutputStream().write(payload);
                socket.getOutputStream().flush();
            } catch (Throwable e) {
                writeFailure.set(e);
            }
        });
        writer.setDaemon(true);
        writer.start();

        var echoed = socket.getInputStream().readNBytes(payload.length);

        writer.join(READ_TIMEOUT_MILLIS);
        assertThat(writeFailure.get()).isNull();
        assertThat(echoed).isEqualTo(payload);
    }

    /** Proves silence: no byte (and no close) arrives within a short window. */
    private static void assertReadTimesOut(Socket socket) throws IOException {
        socket.setSoTimeout(SILENCE_MILLIS);
        try {
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        } finally {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        }
    }

    /** The peer closed or reset the connection: a read sees EOF or an error, not a timeout and not data. */
    private static void assertClosedByPeer(Socket socket) {
        int read;
        try {
            read = socket.getInputStream().read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection is still open", e);
        } catch (IOException e) {
            return; // reset
        }
        assertThat(read).as("read after the close").isEqualTo(-1);
    }

    private static String call(String method, FaultProxy.ControlServer control, String pathAndQuery)
            throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + control.port() + pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(5))
                .build();
        var response = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .build()
                .send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        }
        return response.statusCode() + " " + response.body().trim();
    }

    private static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        closeAfter.add(closeable);
        return closeable;
    }

    /** Echoes every byte back on each accepted connection, one daemon thread per connection. */
    private static final class EchoServer implements AutoCloseable {

        private final ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
        private final Set<Socket> accepted = ConcurrentHashMap.newKeySet();

        EchoServer() throws IOException {
            daemon(() -> {
                while (!server.isClosed()) {
                    try {
                        var socket = server.accept();
                        accepted.add(socket);
                        daemon(() -> echo(socket));
                    } catch (IOException e) {
                        // closed
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        int openSockets() {
            return accepted.size();
        }

        void closeAcceptedSockets() throws IOException {
            for (var socket : accepted) {
                socket.close();
            }
        }

        private void echo(Socket socket) {
            try (socket;
                    InputStream in = socket.getInputStream()) {
                var buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    socket.getOutputStream().write(buffer, 0, n);
                }
            } catch (IOException e) {
                // closed
            } finally {
                accepted.remove(socket);
            }
        }

        private static void daemon(Runnable body) {
            var thread = new Thread(body, "echo-server");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
            closeAcceptedSockets();
        }
    }
}
