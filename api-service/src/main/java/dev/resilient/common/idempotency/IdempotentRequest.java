package dev.resilient.common.idempotency;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import jakarta.enterprise.context.RequestScoped;

/**
 * The identity of the write being served, as the Idempotency-Key filter saw it: method, path, key and body
 * fingerprint, the same for every resend of the request. A create takes its task id from it, so a resend names the
 * same task as the first attempt. That matters when the first attempt committed although the client was answered 503
 * (its PostgreSQL call timed out, then deferring it failed too): the resend finds that task (shared-contracts
 * TaskWriter#apply) instead of creating a second one. Found by {@code make load} on a cold start.
 *
 * <p>Consequence: the task id is a function of the request, so the same key and body sent again after the
 * idempotency record expired (24 h) answer the task made the first time, if it still exists.
 */
@RequestScoped
public class IdempotentRequest {

    private String identity;

    void identify(String method, String path, String key, String fingerprint) {
        identity = method + ' ' + path + '\n' + key + '\n' + fingerprint;
    }

    /** The id of the task a create makes: the same for every resend; random when idempotency is off. */
    public UUID taskId() {
        return identity == null
                ? UUID.randomUUID()
                : UUID.nameUUIDFromBytes(("task\n" + identity).getBytes(StandardCharsets.UTF_8));
    }
}
