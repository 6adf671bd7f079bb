package dev.resilient.worker.resilience;

/**
 * PostgreSQL is up but refused this write (a constraint, a serialisation failure): not an outage, so it does not count
 * against the breaker; the write is retried through the wait queues and dead-lettered if it keeps failing.
 */
public class WriteRejectedException extends RuntimeException {

    public WriteRejectedException(Throwable cause) {
        super(cause.getMessage(), cause);
    }
}
