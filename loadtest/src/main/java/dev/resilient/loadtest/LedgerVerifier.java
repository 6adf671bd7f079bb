package dev.resilient.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compares the client's ledger of a load run (written by {@code TasksSimulation}) with PostgreSQL, once the run has
 * settled (queues drained, operations final), and exits non-zero on any lost or duplicated acknowledged write:
 *
 * <ul>
 *   <li>every task whose last acknowledged write is a create or an update exists, exactly once, with the name and
 *       status of that write (else: lost);
 *   <li>every task whose last acknowledged write is a delete is gone (else: resurrected);
 *   <li>no task of the run exists that the client never saw acknowledged (else: phantom, a duplicate or a write that
 *       was refused but applied), except creates whose outcome the client never learned (a timeout), which may or
 *       may not exist and are counted apart;
 *   <li>no two tasks of the run carry the same name (names are unique per write: a duplicate row is a create applied
 *       twice).
 * </ul>
 *
 * A task with a write of unknown outcome (a timeout, a gave-up retry) after its last acknowledged one is "uncertain":
 * its content is not checked, only that it exists at most once. The run's rows are told apart by their name prefix
 * {@code lt-<runId>-}.
 *
 * <p>Usage: {@code LedgerVerifier <ledger dir>}; PostgreSQL from DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD
 * (defaults 127.0.0.1, 5432, tasks, tasks, tasks).
 */
public final class LedgerVerifier {

    /** One line of a ledger file. */
    record Entry(long at, String user, String kind, String taskId, String name, String status, String reason) {

        static Entry parse(String line) {
            var f = line.split("\t", -1);
            return new Entry(Long.parseLong(f[0]), f[1], f[2], f[3], f[4], f[5], f.length > 8 ? f[8] : "");
        }

        boolean hasTask() {
            return !taskId.equals("-");
        }

        /** The status the task has after this write: a create without one gets the default. */
        String expectedStatus() {
            return status.equals("-") ? "pending" : status;
        }
    }

    record Row(String id, String name, String status) {}

    private LedgerVerifier() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: LedgerVerifier <ledger dir>");
            System.exit(2);
        }
        var ledger = Path.of(args[0]);
        var acknowledged = read(ledger.resolve("acknowledged.tsv"));
        var unknown = read(ledger.resolve("unknown.tsv"));
        var rejected = read(ledger.resolve("rejected.tsv"));
        var prefix = runPrefix(acknowledged, unknown, rejected);
        var rows = rows(prefix);
        var report = verify(acknowledged, unknown, rejected, rows);
        System.out.print(report.render(prefix));
        report.save(ledger.resolve("verdict.properties"));
        System.exit(report.failed() ? 1 : 0);
    }

    /** The outcome of a comparison: counts, and the problems found (each a line an operator can follow up). */
    static final class Report {
        final Map<String, Integer> counts = new TreeMap<>();
        final List<String> problems = new ArrayList<>();

        void count(String what) {
            counts.merge(what, 1, Integer::sum);
        }

        void problem(String kind, String detail) {
            count(kind);
            problems.add(kind + ": " + detail);
        }

        boolean failed() {
            return !problems.isEmpty();
        }

        /** The counts and the verdict as properties, for the chaos report. */
        void save(Path file) throws IOException {
            var properties = new java.util.Properties();
            counts.forEach((kind, count) -> properties.setProperty(kind, Integer.toString(count)));
            properties.setProperty("failed", Boolean.toString(failed()));
            try (var writer = Files.newBufferedWriter(file)) {
                properties.store(writer, "LedgerVerifier");
            }
        }

        String render(String prefix) {
            var out = new StringBuilder("Ledger check of run " + prefix + "*\n");
            for (var kind : List.of(
                    "acknowledged writes",
                    "tasks checked",
                    "tasks expected present",
                    "tasks expected deleted",
                    "tasks uncertain (a later write of unknown outcome)",
                    "writes of unknown outcome",
                    "creates of unknown outcome found applied",
                    "writes rejected",
                    "lost",
                    "wrong content",
                    "resurrected",
                    "duplicate",
                    "phantom")) {
                out.append(String.format("  %-52s %d%n", kind, counts.getOrDefault(kind, 0)));
            }
            problems.stream().limit(50).forEach(p -> out.append("  ! ").append(p).append('\n'));
            if (problems.size() > 50) {
                out.append("  ! ... and ").append(problems.size() - 50).append(" more\n");
            }
            out.append(failed() ? "VERDICT: FAILED\n" : "VERDICT: OK, nothing lost, nothing duplicated\n");
            return out.toString();
        }
    }

    static Report verify(List<Entry> acknowledged, List<Entry> unknown, List<Entry> rejected, List<Row> rows) {
        var report = new Report();
        acknowledged.forEach(entry -> report.count("acknowledged writes"));
        unknown.forEach(entry -> report.count("writes of unknown outcome"));
        rejected.forEach(entry -> report.count("writes rejected"));

        var byId = new HashMap<String, List<Row>>();
        var byName = new HashMap<String, List<Row>>();
        for (var row : rows) {
            byId.computeIfAbsent(row.id(), id -> new ArrayList<>()).add(row);
            byName.computeIfAbsent(row.name(), name -> new ArrayList<>()).add(row);
        }
        byName.forEach((name, same) -> {
            if (same.size() > 1) {
                report.problem("duplicate", same.size() + " tasks named " + name);
            }
        });

        var lastAcknowledged = new HashMap<String, Entry>();
        acknowledged.stream()
                .filter(Entry::hasTask)
                .sorted(Comparator.comparingLong(Entry::at))
                .forEach(entry -> lastAcknowledged.put(entry.taskId(), entry));
        var lastUnknown = new HashMap<String, Long>();
        unknown.stream()
                .filter(Entry::hasTask)
                .forEach(entry -> lastUnknown.merge(entry.taskId(), entry.at(), Math::max));

        lastAcknowledged.forEach((id, last) -> {
            report.count("tasks checked");
            var found = byId.getOrDefault(id, List.of());
            var uncertain = lastUnknown.getOrDefault(id, Long.MIN_VALUE) > last.at();
            if (uncertain) {
                report.count("tasks uncertain (a later write of unknown outcome)");
                return;
            }
            if (last.kind().equals("delete")) {
                report.count("tasks expected deleted");
                if (!found.isEmpty()) {
                    report.problem("resurrected", id + " was deleted (acknowledged) but exists as " + found.get(0));
                }
                return;
            }
            report.count("tasks expected present");
            if (found.isEmpty()) {
                report.problem("lost", id + " should exist as " + last.name() + "/" + last.expectedStatus());
            } else if (!found.get(0).name().equals(last.name())
                    || !found.get(0).status().equals(last.expectedStatus())) {
                report.problem(
                        "wrong content",
                        id + " is " + found.get(0).name() + "/" + found.get(0).status() + ", the last acknowledged "
                                + last.kind() + " says " + last.name() + "/" + last.expectedStatus());
            }
        });

        // Rows the client cannot account for.
        var knownIds = new HashSet<String>(lastAcknowledged.keySet());
        unknown.stream().filter(Entry::hasTask).forEach(entry -> knownIds.add(entry.taskId()));
        Set<String> unknownCreates = new HashSet<>();
        unknown.stream()
                .filter(entry -> entry.kind().equals("create"))
                .forEach(entry -> unknownCreates.add(entry.name()));
        for (var row : rows) {
            if (knownIds.contains(row.id())) {
                continue;
            }
            if (unknownCreates.contains(row.name())) {
                report.count("creates of unknown outcome found applied");
                continue;
            }
            report.problem("phantom", row + " was never acknowledged to the client");
        }
        return report;
    }

    private static List<Entry> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        return Files.readAllLines(file).stream()
                .skip(1) // the header
                .filter(line -> !line.isBlank())
                .map(Entry::parse)
                .toList();
    }

    /** {@code lt-<runId>-}, from the names the run wrote. */
    private static String runPrefix(List<Entry> acknowledged, List<Entry> unknown, List<Entry> rejected) {
        return java.util.stream.Stream.of(acknowledged, unknown, rejected)
                .flatMap(List::stream)
                .map(Entry::name)
                .filter(name -> name.startsWith("lt-"))
                .map(name -> name.substring(0, name.indexOf('-', 3) + 1))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the ledger holds no write of a run"));
    }

    private static List<Row> rows(String prefix) throws SQLException {
        var url = "jdbc:postgresql://" + env("DB_HOST", "127.0.0.1") + ":" + env("DB_PORT", "5432") + "/"
                + env("DB_NAME", "tasks");
        try (var connection = DriverManager.getConnection(url, env("DB_USER", "tasks"), env("DB_PASSWORD", "tasks"));
                var query = connection.prepareStatement("SELECT id, name, status FROM tasks WHERE name LIKE ?")) {
            query.setString(1, prefix.replace("_", "\\_") + "%");
            var rows = new ArrayList<Row>();
            try (var result = query.executeQuery()) {
                while (result.next()) {
                    rows.add(new Row(result.getString(1), result.getString(2), result.getString(3)));
                }
            }
            return rows;
        }
    }

    private static String env(String name, String fallback) {
        var value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
