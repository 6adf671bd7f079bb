package dev.resilient.loadtest;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The client's record of every write it finished, in three TSV files the verifier compares with PostgreSQL:
 * acknowledged (must be in the database exactly once), rejected (must have had no effect) and unknown (may or may
 * not have been applied). Virtual users run on many threads, so every method is synchronized.
 */
final class Ledger implements AutoCloseable {

    private final BufferedWriter acknowledged;
    private final BufferedWriter rejected;
    private final BufferedWriter unknown;

    Ledger(Path directory) {
        try {
            Files.createDirectories(directory);
            acknowledged = open(directory.resolve("acknowledged.tsv"), LedgerEntry.HEADER);
            rejected = open(directory.resolve("rejected.tsv"), LedgerEntry.HEADER + "\treason");
            unknown = open(directory.resolve("unknown.tsv"), LedgerEntry.HEADER + "\treason");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the ledger in " + directory, e);
        }
    }

    /** The server said the write took effect: 201/200/204, directly or as a completed deferred operation. */
    synchronized void acknowledged(LedgerEntry entry) {
        write(acknowledged, entry.toTsv());
    }

    /** The server said the write had no effect: a 4xx, or a deferred operation that ended failed. */
    synchronized void rejected(LedgerEntry entry, String reason) {
        write(rejected, entry.toTsv() + "\t" + LedgerEntry.clean(reason));
    }

    /** The client never learned the outcome: a timeout, an unexpected status, or it gave up retrying or polling. */
    synchronized void unknown(LedgerEntry entry, String reason) {
        write(unknown, entry.toTsv() + "\t" + LedgerEntry.clean(reason));
    }

    @Override
    public synchronized void close() {
        try (acknowledged;
                rejected;
                unknown) {
            acknowledged.flush();
            rejected.flush();
            unknown.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the ledger", e);
        }
    }

    private static BufferedWriter open(Path file, String header) throws IOException {
        var writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        writer.write(header);
        writer.newLine();
        return writer;
    }

    private static void write(BufferedWriter writer, String line) {
        try {
            writer.write(line);
            writer.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ledger", e);
        }
    }
}
