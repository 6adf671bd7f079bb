package dev.resilient.loadtest.chaos;

/**
 * One line of the simulation's request log ({@code requests.tsv}): a request's answer, or a deferred operation's end.
 *
 * @param endMs when the answer came (epoch ms)
 * @param kind {@code read}, {@code write}, {@code poll}, or {@code operation} (a 202 followed to its end)
 * @param status the HTTP status, {@code -} when none came (timeout, connection error); for an operation its final
 *     state ({@code completed}, {@code failed}, {@code unknown})
 * @param millis how long it took
 * @param retryAfter whether the answer carried Retry-After
 * @param taskId the task it was about, {@code -} for a create (and in logs written before the column existed)
 */
record Request(long endMs, String kind, String status, long millis, boolean retryAfter, String taskId) {

    static final String READ = "read";
    static final String WRITE = "write";
    static final String POLL = "poll";
    static final String OPERATION = "operation";

    static Request parse(String line) {
        var f = line.split("\t", -1);
        return new Request(
                Long.parseLong(f[0]), f[1], f[2], Long.parseLong(f[3]), "1".equals(f[4]), f.length > 5 ? f[5] : "-");
    }

    /** An HTTP request, as opposed to an operation's summary line. */
    boolean isHttp() {
        return !kind.equals(OPERATION);
    }

    /** No answer at all, or a server error other than the designed 503: what the API must never do. */
    boolean isError() {
        return isHttp() && (status.equals("-") || (status.startsWith("5") && !status.equals("503")));
    }

    /** The API declined to serve it now (503), or it failed outright: the client did not get what it asked for. */
    boolean isRefusedOrFailed() {
        return isError() || status.equals("503");
    }

    boolean isSuccess() {
        return status.startsWith("2");
    }

    boolean within(long fromMs, long toMs) {
        return endMs >= fromMs && endMs <= toMs;
    }
}
