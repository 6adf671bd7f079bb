package dev.resilient.common.idempotency;

import jakarta.ws.rs.core.MultivaluedMap;

import dev.resilient.common.problem.InvalidRequestException;

/**
 * The client's key for one logical write, from {@code Idempotency-Key} or, when that is absent, the seed's
 * {@code X-Idempotency-Key}. The IETF draft sends it as a structured-field string ({@code "abc"}); a bare value is
 * accepted too. Either way it is 1 to 255 visible ASCII characters.
 */
record IdempotencyKey(String value) {

    static final String HEADER = "Idempotency-Key";
    static final String LEGACY_HEADER = "X-Idempotency-Key";
    static final int MAX_LENGTH = 255;
    private static final String RULE = "must be 1 to " + MAX_LENGTH
            + " visible ASCII characters, e.g. a UUID; send one per logical write and reuse it when retrying";

    static IdempotencyKey from(MultivaluedMap<String, String> headers) {
        var header = headers.containsKey(HEADER) ? HEADER : LEGACY_HEADER;
        var raw = headers.getFirst(header);
        if (raw == null) {
            throw new InvalidRequestException(HEADER, "is required on every write; it " + RULE);
        }
        var value = raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"")
                ? raw.substring(1, raw.length() - 1)
                : raw;
        if (value.isEmpty() || value.length() > MAX_LENGTH || !value.chars().allMatch(c -> c >= 0x21 && c <= 0x7E)) {
            throw new InvalidRequestException(header, RULE);
        }
        return new IdempotencyKey(value);
    }
}
