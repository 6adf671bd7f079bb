package dev.resilient.loadtest;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One line per request the virtual users made, and one per deferred operation they followed to its end, in
 * {@code requests.tsv} of the run's folder: what {@code ChaosReport} turns into throughput, percentiles, status counts
 * and the over-time chart, split at the fault window. Gatling's own simulation.log is binary since 3.10, so the
 * simulation keeps this plain record itself.
 *
 * <p>Columns: when the answer came (epoch ms), kind ({@code read}, {@code write}, {@code poll}, or {@code operation}
 * for a 202 followed to its end), status (the HTTP status, {@code -} for no answer; for an operation its final state
 * {@code completed}, {@code failed} or {@code unknown}), duration in ms, whether the answer carried Retry-After
 * ({@code 1}/{@code 0}), and the task it was about ({@code -} for a create, whose task is not known yet).
 */
final class RequestLog implements AutoCloseable {

    static final String FILE = "requests.tsv";
    static final String HEADER = "end_epoch_ms\tkind\tstatus\tmillis\tretry_after\ttask_id";

    private final BufferedWriter out;

    RequestLog(Path directory) {
        try {
            Files.createDirectories(directory);
            out = Files.newBufferedWriter(directory.resolve(FILE), StandardCharsets.UTF_8);
            out.write(HEADER);
            out.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the request log in " + directory, e);
        }
    }

    synchronized void record(
            long endEpochMs, String kind, String status, long millis, boolean retryAfter, String taskId) {
        try {
            out.write(endEpochMs + "\t" + kind + "\t" + status + "\t" + millis + "\t" + (retryAfter ? 1 : 0) + "\t"
                    + LedgerEntry.clean(taskId));
            out.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the request log", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the request log", e);
        }
    }
}
