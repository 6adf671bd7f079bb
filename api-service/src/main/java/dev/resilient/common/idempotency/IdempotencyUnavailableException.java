package dev.resilient.common.idempotency;

/** Redis could not be asked in time: the write is refused (503), since it could not be deduplicated. */
public class IdempotencyUnavailableException extends RuntimeException {

    IdempotencyUnavailableException(Throwable cause) {
        super("Idempotency store unavailable", cause);
    }
}
