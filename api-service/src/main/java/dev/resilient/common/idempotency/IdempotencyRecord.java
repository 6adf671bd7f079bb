package dev.resilient.common.idempotency;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What Redis holds for one key: a claim while the first request runs, then its response for replay.
 *
 * @param claim random per claim, so only the request that made the claim can complete or release it
 * @param fingerprint SHA-256 of the request body: the same key with another body is a client error (422)
 * @param status null while in flight
 * @param headers the response headers a replay repeats
 * @param body the response body, Base64, exactly as first sent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record IdempotencyRecord(String claim, String fingerprint, Integer status, Map<String, String> headers, String body) {

    static IdempotencyRecord inFlight(String claim, String fingerprint) {
        return new IdempotencyRecord(claim, fingerprint, null, null, null);
    }

    boolean completed() {
        return status != null;
    }
}
