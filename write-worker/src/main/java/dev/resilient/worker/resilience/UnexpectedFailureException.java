package dev.resilient.worker.resilience;

/**
 * Applying a write failed in a way the worker did not foresee ({@link ApplyFailure#UNEXPECTED}): not an outage, so it
 * does not count against the breaker; the write is tried a few more times on its own, then failed and dead-lettered.
 */
public class UnexpectedFailureException extends RuntimeException {

    public UnexpectedFailureException(Throwable cause) {
        super(cause.toString(), cause);
    }
}
