package dev.resilient.loadtest;

/**
 * One write as the client saw it end: one line of a ledger file.
 *
 * @param epochMs when the client learned the outcome (or gave up)
 * @param user the Gatling virtual user id
 * @param kind create, update or delete
 * @param taskId the task written, or {@code -} for a create whose id the client never saw
 * @param name the name sent, {@code -} for a delete
 * @param status the status sent (update) or created with (create), {@code -} when none
 * @param http the final HTTP status: of the request, or the resultStatus of a deferred operation; {@code -} if none
 * @param operationId the deferred operation's id, {@code -} for a write answered directly
 */
record LedgerEntry(
        long epochMs,
        long user,
        String kind,
        String taskId,
        String name,
        String status,
        String http,
        String operationId) {

    static final String NONE = "-";

    static final String HEADER = "ack_epoch_ms\tuser\tkind\ttask_id\tname\tstatus\thttp\toperation_id";

    String toTsv() {
        return String.join(
                "\t",
                Long.toString(epochMs),
                Long.toString(user),
                kind,
                clean(taskId),
                clean(name),
                clean(status),
                clean(http),
                clean(operationId));
    }

    /** Keeps one entry on one line with the right number of columns, whatever the server sent back. */
    static String clean(String value) {
        if (value == null || value.isBlank()) {
            return NONE;
        }
        return value.replaceAll("[\\t\\r\\n]+", " ");
    }
}
