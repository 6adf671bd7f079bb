package dev.resilient.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A fault-injecting TCP proxy, in place of Toxiproxy: a client connects to {@link #port()} on 127.0.0.1 and the proxy
 * forwards its bytes to the real server (PostgreSQL, Redis, ...) and back, until a test switches it to a failure mode.
 *
 * <p>Modes, switchable at any time from any thread; each one applies to new and to already open connections:
 *
 * <ul>
 *   <li>{@link #pass()}: a transparent proxy (the default).
 *   <li>{@link #refuse()}: the server process died: connecting fails with "Connection refused" and open connections
 *       are reset.
 *   <li>{@link #blackhole()}: the server host hangs or a firewall drops packets: connections are accepted and stay
 *       open, but nothing is ever answered, so calls hang until the client's own timeout.
 *   <li>{@link #delay(Duration)}: network latency: every chunk of bytes, in either direction, arrives that much later.
 * </ul>
 *
 * <p>{@link #closeConnections()} drops the open connections without changing the mode. When either side closes its
 * connection, the proxy closes the other side. All methods are thread-safe. Each connection uses four daemon threads
 * (a reader and a writer per direction; the writer applies the delay), which suits test loads of a few hundred
 * connections; {@link #close()} ends them all. In {@code pass} mode, with nothing delayed still in flight, the reader
 * forwards what it read itself: no hand-over to the writer thread, so a proxied round trip costs two thread wake-ups
 * rather than four (under the chaos suite's load, on two cores, the hand-overs cost the proxied stack much of its
 * throughput).
 *
 * <p>{@link #main(String[])} runs it as a separate process, with an optional HTTP control endpoint (see {@link
 * #serveControl(int)}). It only ever binds to 127.0.0.1.
 */
public final class FaultProxy implements AutoCloseable {

    private static final InetAddress LOOPBACK = loopback();
    private static final int CHUNK_SIZE = 16 * 1024;
    /** Chunks in flight per direction before the reader stops reading (backpressure to the sender). */
    private static final int QUEUE_CAPACITY = 1024;

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final long ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final Duration MAX_DELAY = Duration.ofDays(1);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private enum Kind {
        PASS,
        REFUSE,
        BLACKHOLE,
        DELAY
    }

    /** The current mode, swapped as a whole so readers never see a kind with another mode's delay. */
    private record State(Kind kind, Duration delay) {
        @Override
        public String toString() {
            return kind == Kind.DELAY
                    ? "delay " + delay.toMillis() + "ms"
                    : kind.name().toLowerCase(Locale.ROOT);
        }
    }

    private final InetSocketAddress target;
    private final int port;
    private final Object lock = new Object();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final Set<ControlServer> controls = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionIds = new AtomicLong();

    // Changed under lock; volatile so that the acceptor and forwarding threads read them without locking.
    private volatile State state = new State(Kind.PASS, Duration.ZERO);
    private volatile boolean closed;
    // Guarded by lock; both null while refusing.
    private ServerSocket server;
    private Thread acceptor;

    private FaultProxy(int listenPort, String targetHost, int targetPort) {
        this.target = InetSocketAddress.createUnresolved(targetHost, targetPort);
        this.server = listen(listenPort);
        this.port = server.getLocalPort();
        this.acceptor = startAcceptor(server);
    }

    /**
     * Starts a proxy in {@code pass} mode on an ephemeral port of 127.0.0.1 (see {@link #port()}), forwarding to
     * {@code targetHost:targetPort}. The target is resolved and connected anew for each client connection; if it
     * cannot be reached, the client sees its connection closed right after it was accepted.
     *
     * @throws UncheckedIOException if it cannot listen
     */
    public static FaultProxy start(String targetHost, int targetPort) {
        return start(0, targetHost, targetPort);
    }

    /**
     * Starts a proxy in {@code pass} mode on 127.0.0.1:{@code listenPort} (0 for an ephemeral port), forwarding to
     * {@code targetHost:targetPort}, as {@link #start(String, int)}.
     *
     * @throws UncheckedIOException if it cannot listen, e.g. the port is taken
     */
    public static FaultProxy start(int listenPort, String targetHost, int targetPort) {
        if (listenPort < 0 || listenPort > 65535 || targetPort < 1 || targetPort > 65535) {
            throw new IllegalArgumentException("Bad port: listen " + listenPort + ", target " + targetPort);
        }
        return new FaultProxy(listenPort, targetHost, targetPort);
    }

    /** The port on 127.0.0.1 that clients connect to; it stays the same across all modes. */
    public int port() {
        return port;
    }

    /**
     * Forwards both ways, the default: clients see the real server. From {@code refuse} it listens again on the same
     * port; from {@code delay} the chunks already delayed still arrive first, in order; connections kept open through
     * a {@code blackhole} work again (the bytes dropped meanwhile stay lost).
     *
     * @throws UncheckedIOException if, after {@code refuse}, the port can no longer be bound (it stays {@code refuse})
     */
    public void pass() {
        switchTo(new State(Kind.PASS, Duration.ZERO));
    }

    /**
     * What a client sees when the server process dies: new connections fail with "Connection refused" (the proxy
     * stops listening) and open connections are reset, so a call in progress fails with a connection reset or EOF.
     */
    public void refuse() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            setState(new State(Kind.REFUSE, Duration.ZERO));
            stopListening();
        }
        for (var connection : connections) {
            connection.close(true);
        }
    }

    /**
     * What a client sees when the server host hangs or a firewall swallows the packets: new connections are accepted,
     * but nothing is forwarded or answered in either direction, so calls hang until the client's own timeout. Open
     * connections stay open and stop forwarding; bytes read from either side meanwhile are dropped. A close by the
     * server is held back until the mode changes; a close by the client closes the connection.
     */
    public void blackhole() {
        switchTo(new State(Kind.BLACKHOLE, Duration.ZERO));
    }

    /**
     * Adds latency: forwards both ways, but every chunk of bytes (and a close) arrives {@code latency} after the proxy
     * read it, so a request/response round trip takes at least twice that. It is not a bandwidth limit: chunks in
     * flight overlap, and the order within each direction is kept. Applies to the bytes read from now on.
     */
    public void delay(Duration latency) {
        if (latency == null || latency.isNegative() || latency.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("Delay must be from zero to a day: " + latency);
        }
        switchTo(new State(Kind.DELAY, latency));
    }

    /** The current mode: {@code pass}, {@code refuse}, {@code blackhole} or {@code delay <N>ms}. */
    public String mode() {
        return state.toString();
    }

    /**
     * Closes every open connection without changing the mode, as a server restart or a network blip would: clients
     * see EOF (or a reset) and a connection pool has to reconnect; new connections behave as the mode says.
     */
    public void closeConnections() {
        for (var connection : connections) {
            connection.close(false);
        }
    }

    /**
     * Chunks of bytes (or closes) read but not yet forwarded or dropped, over the open connections: those a delay
     * holds back; in {@code pass} mode zero once the chunks delayed earlier have been forwarded.
     */
    public int heldBackChunks() {
        return connections.stream().mapToInt(Connection::heldBack).sum();
    }

    /** Client connections currently open through the proxy (accepted and not yet closed by either side). */
    public int connectionCount() {
        return connections.size();
    }

    /**
     * Stops the proxy: it stops listening (clients then get "Connection refused"), resets all open connections, stops
     * the control endpoints it serves and waits briefly for its threads to end. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            stopListening();
            lock.notifyAll();
        }
        for (var control : controls) {
            control.close();
        }
        for (var connection : connections) {
            connection.close(true);
        }
        var deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        for (var thread : List.copyOf(threads)) {
            if (thread == Thread.currentThread()) {
                continue;
            }
            thread.interrupt();
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "fault-proxy 127.0.0.1:" + port + " -> " + target.getHostString() + ":" + target.getPort() + " ("
                + mode() + ")";
    }

    private void switchTo(State next) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (server == null) {
                server = listen(port); // back from refuse: the same port, so clients find it again
                acceptor = startAcceptor(server);
            }
            setState(next);
        }
    }

    private void setState(State next) {
        state = next;
        lock.notifyAll(); // wakes the closes held back by a blackhole
    }

    private static ServerSocket listen(int listenPort) {
        try {
            var socket = new ServerSocket();
            try {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(LOOPBACK, listenPort), 128);
                return socket;
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on 127.0.0.1:" + listenPort, e);
        }
    }

    /**
     * Closes the listening socket and waits for the acceptor to end: closing a socket that a thread is blocked on only
     * signals that thread, and until the blocked accept() returns the kernel still completes new connections. Once it
     * has ended, connecting is refused, and every connection it accepted is registered (or was turned away).
     */
    private void stopListening() {
        closeQuietly(server);
        server = null;
        if (acceptor != null) {
            try {
                acceptor.join(CLOSE_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            acceptor = null;
        }
    }

    private Thread startAcceptor(ServerSocket listening) {
        return spawn("fault-proxy-" + port + "-accept", () -> {
            while (!listening.isClosed()) {
                try {
                    admit(listening.accept());
                } catch (IOException e) {
                    if (!listening.isClosed()) {
                        LockSupport.parkNanos(ACCEPT_BACKOFF_NANOS); // e.g. out of file descriptors: do not spin
                    } // else closed by refuse() or close(): the loop ends
                }
            }
        });
    }

    /** Runs on the acceptor thread, which must not take the lock: refuse() and close() wait for it holding it. */
    private void admit(Socket client) {
        if (closed || state.kind() == Kind.REFUSE) {
            abort(client); // accepted just before the listening socket closed
            return;
        }
        var connection = new Connection(connectionIds.incrementAndGet(), client);
        connections.add(connection);
        connection.start();
    }

    private Thread spawn(String name, Runnable body) {
        var thread = new Thread(() -> {
            try {
                body.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        });
        thread.setName(name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        return thread;
    }

    /** Blocks while the mode is {@code blackhole}; false if interrupted (the connection or proxy is closing). */
    private boolean awaitNoBlackhole() {
        synchronized (lock) {
            try {
                while (state.kind() == Kind.BLACKHOLE && !closed) {
                    lock.wait();
                }
                return true;
            } catch (InterruptedException e) {
                return false;
            }
        }
    }

    /** One client connection and its connection to the target. */
    private final class Connection {

        private final String name;
        private final Socket client;
        // Guarded by this: every thread is started under it, so close() interrupts all of them.
        private final List<Thread> workers = new ArrayList<>();
        private Socket upstream;
        private boolean closed;
        // Set once both sockets are connected.
        private volatile Direction upstreamDirection;
        private volatile Direction clientDirection;

        Connection(long id, Socket client) {
            this.name = "fault-proxy-" + port + "-conn-" + id;
            this.client = client;
        }

        synchronized void start() {
            workers.add(spawn(name + "-up-read", this::run));
        }

        /** Connects to the target, starts the other three threads, then forwards client bytes as the up reader. */
        private void run() {
            var socket = new Socket();
            synchronized (this) {
                if (closed) {
                    return;
                }
                upstream = socket; // so that close() can abort the connect
            }
            Direction up;
            Direction down;
            try {
                client.setTcpNoDelay(true);
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(target.getHostString(), target.getPort()), CONNECT_TIMEOUT_MILLIS);
                up = new Direction(this, client.getInputStream(), socket.getOutputStream(), false);
                down = new Direction(this, socket.getInputStream(), client.getOutputStream(), true);
            } catch (IOException e) {
                close(false); // the target is unreachable: the client sees its connection closed
                return;
            }
            synchronized (this) {
                if (closed) {
                    return;
                }
                upstreamDirection = up;
                clientDirection = down;
                workers.add(spawn(name + "-up-write", up::write));
                workers.add(spawn(name + "-down-read", down::read));
                workers.add(spawn(name + "-down-write", down::write));
            }
            up.read();
        }

        int heldBack() {
            var upwards = upstreamDirection;
            var downwards = clientDirection;
            return (upwards == null ? 0 : upwards.heldBack()) + (downwards == null ? 0 : downwards.heldBack());
        }

        /** Closes both sockets (the client's with a reset if asked) and stops the connection's threads. */
        void close(boolean reset) {
            Socket target;
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                target = upstream;
            }
            connections.remove(this);
            if (reset) {
                abort(client);
            } else {
                closeQuietly(client);
            }
            closeQuietly(target);
            synchronized (this) {
                for (var worker : workers) {
                    if (worker != Thread.currentThread()) {
                        worker.interrupt();
                    }
                }
            }
        }
    }

    /** A chunk to forward at {@code due} (System.nanoTime()); no bytes means the sender closed. */
    private record Chunk(long due, byte[] bytes) {
        boolean isEnd() {
            return bytes == null;
        }
    }

    /**
     * One direction of a connection: a reader thread that timestamps chunks, a writer thread that forwards them when
     * due; in {@code pass} mode with nothing handed over, the reader forwards them itself.
     */
    private final class Direction {

        private final Connection connection;
        private final InputStream in;
        private final OutputStream out;
        private final boolean towardsClient;
        private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
        /**
         * Chunks handed to the writer and not yet forwarded or dropped. Only the reader adds to it, so once the reader
         * sees zero, nothing the writer holds can be overtaken by bytes the reader forwards itself.
         */
        private final AtomicInteger handedOver = new AtomicInteger();

        private long lastDue = Long.MIN_VALUE; // only the reader thread uses it (nanoTime may be negative)

        Direction(Connection connection, InputStream in, OutputStream out, boolean towardsClient) {
            this.connection = connection;
            this.in = in;
            this.out = out;
            this.towardsClient = towardsClient;
        }

        void read() {
            var buffer = new byte[CHUNK_SIZE];
            try {
                while (true) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        handOver(new Chunk(due(), null));
                        return;
                    }
                    var kind = state.kind();
                    if (kind == Kind.PASS && handedOver.get() == 0) {
                        out.write(buffer, 0, n);
                        out.flush();
                    } else if (kind != Kind.BLACKHOLE) {
                        handOver(new Chunk(due(), Arrays.copyOf(buffer, n)));
                    }
                }
            } catch (IOException e) {
                connection.close(false); // a reset by the sender, or the connection was closed meanwhile
            } catch (InterruptedException e) {
                // closing
            }
        }

        private void handOver(Chunk chunk) throws InterruptedException {
            handedOver.incrementAndGet();
            queue.put(chunk);
        }

        private void handedOn() {
            handedOver.decrementAndGet();
        }

        int heldBack() {
            return handedOver.get();
        }

        /** Never earlier than the chunk before, so that shortening the delay cannot reorder the bytes. */
        private long due() {
            var current = state;
            long due = System.nanoTime()
                    + (current.kind() == Kind.DELAY ? current.delay().toNanos() : 0);
            lastDue = Math.max(due, lastDue);
            return lastDue;
        }

        void write() {
            try {
                while (true) {
                    var chunk = queue.take();
                    long wait = chunk.due() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    if (chunk.isEnd()) {
                        // A hung server host sends no FIN either: the client sees the close once the blackhole lifts.
                        if (!towardsClient || awaitNoBlackhole()) {
                            connection.close(false);
                        }
                        handedOn();
                        return;
                    }
                    // in flight when the blackhole began: dropped too
                    if (state.kind() != Kind.BLACKHOLE) {
                        out.write(chunk.bytes());
                        out.flush();
                    }
                    handedOn();
                }
            } catch (IOException e) {
                connection.close(false);
            } catch (InterruptedException e) {
                // closing
            }
        }
    }

    // ---- the separate process and its HTTP control endpoint ----

    /**
     * Serves the HTTP control API on 127.0.0.1:{@code controlPort} (0 for an ephemeral port), for a test or load
     * suite that drives the proxy from another process. Each call answers 200 with the resulting mode as text/plain:
     * {@code POST /pass}, {@code POST /refuse}, {@code POST /blackhole}, {@code POST /delay?ms=N}, {@code POST
     * /close-connections}, {@code GET /mode}. A bad or missing {@code ms} answers 400, an unknown path 404, the wrong
     * method 405. It stops when the returned handle or the proxy is closed.
     *
     * @throws UncheckedIOException if it cannot listen on that port
     */
    public ControlServer serveControl(int controlPort) {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(LOOPBACK, controlPort), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on 127.0.0.1:" + controlPort, e);
        }
        http.createContext("/", this::control);
        var control = new ControlServer(http);
        controls.add(control);
        http.start();
        return control;
    }

    /** A running HTTP control endpoint of a proxy; closing it stops the endpoint, not the proxy. */
    public final class ControlServer implements AutoCloseable {

        private final HttpServer http;
        private final AtomicBoolean stopped = new AtomicBoolean();

        private ControlServer(HttpServer http) {
            this.http = http;
        }

        /** The port on 127.0.0.1 it listens on. */
        public int port() {
            return http.getAddress().getPort();
        }

        /** Stops listening; idempotent. */
        @Override
        public void close() {
            if (stopped.compareAndSet(false, true)) {
                controls.remove(this);
                http.stop(0);
            }
        }
    }

    private void control(HttpExchange exchange) throws IOException {
        int status = 200;
        String body;
        try {
            var path = exchange.getRequestURI().getPath();
            var expected = "/mode".equals(path) ? "GET" : "POST";
            if (!expected.equals(exchange.getRequestMethod())) {
                status = 405;
                exchange.getResponseHeaders().set("Allow", expected);
                body = "use " + expected;
            } else {
                switch (path) {
                    case "/mode" -> {}
                    case "/pass" -> pass();
                    case "/refuse" -> refuse();
                    case "/blackhole" -> blackhole();
                    case "/delay" ->
                        delay(Duration.ofMillis(
                                delayMillis(exchange.getRequestURI().getRawQuery())));
                    case "/close-connections" -> closeConnections();
                    default -> status = 404;
                }
                body = status == 404 ? "no such command: " + path : mode();
            }
        } catch (IllegalArgumentException e) {
            status = 400;
            body = e.getMessage();
        } catch (RuntimeException e) {
            status = 500;
            body = String.valueOf(e);
        }
        var bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (var responseBody = exchange.getResponseBody()) {
            responseBody.write(bytes);
        } finally {
            exchange.close();
        }
    }

    private static long delayMillis(String rawQuery) {
        if (rawQuery != null) {
            for (var parameter : rawQuery.split("&")) {
                if (parameter.startsWith("ms=")) {
                    var value = URLDecoder.decode(parameter.substring(3), StandardCharsets.UTF_8);
                    try {
                        long millis = Long.parseLong(value);
                        if (millis >= 0) {
                            return millis;
                        }
                    } catch (NumberFormatException e) {
                        // reported below
                    }
                    throw new IllegalArgumentException("ms must be a whole number of milliseconds >= 0: " + value);
                }
            }
        }
        throw new IllegalArgumentException("missing ms, e.g. /delay?ms=200");
    }

    /**
     * Runs a proxy as a separate process: {@code --listen PORT --target HOST:PORT [--control PORT]}. Prints one line
     * when ready, e.g. {@code fault-proxy 127.0.0.1:15432 -> 127.0.0.1:5432, control on 19000}, and runs until
     * killed; SIGTERM closes it. Bad arguments print the usage and exit with status 2.
     */
    public static void main(String[] args) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        var proxy = start(options.listenPort(), options.targetHost(), options.targetPort());
        Runtime.getRuntime().addShutdownHook(new Thread(proxy::close, "fault-proxy-shutdown"));
        var ready =
                "fault-proxy 127.0.0.1:" + proxy.port() + " -> " + options.targetHost() + ":" + options.targetPort();
        if (options.controlPort() != null) {
            ready += ", control on " + proxy.serveControl(options.controlPort()).port();
        }
        System.out.println(ready);
        System.out.flush();
        Thread.currentThread().join(); // all proxy threads are daemons: park the main thread until the JVM exits
    }

    /** The command line of {@link #main(String[])}. */
    record Options(int listenPort, String targetHost, int targetPort, Integer controlPort) {

        static final String USAGE = "usage: FaultProxy --listen PORT --target HOST:PORT [--control PORT]";

        static Options parse(String... args) {
            Integer listen = null;
            Integer control = null;
            String target = null;
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + args[i]);
                }
                var value = args[i + 1];
                switch (args[i]) {
                    case "--listen" -> listen = port(value, "--listen");
                    case "--control" -> control = port(value, "--control");
                    case "--target" -> target = value;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (listen == null || target == null) {
                throw new IllegalArgumentException("--listen and --target are required");
            }
            int colon = target.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--target must be HOST:PORT, not " + target);
            }
            int targetPort = port(target.substring(colon + 1), "--target");
            if (targetPort == 0) {
                throw new IllegalArgumentException("--target needs a port, not 0");
            }
            return new Options(listen, target.substring(0, colon), targetPort, control);
        }

        private static int port(String value, String option) {
            try {
                int port = Integer.parseInt(value);
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(option + " needs a port 0-65535, not " + value);
        }
    }

    private static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0); // close with a reset, as the kernel does when the server process dies
        } catch (IOException e) {
            // already closed
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing left to do with it
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
