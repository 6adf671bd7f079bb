package dev.resilient.common.idempotency;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import jakarta.enterprise.context.RequestScoped;

/**
 * The identity of the write being served, as the Idempotency-Key filter saw it: client, method, path, key and body
 * fingerprint, the same for every resend of the request. The write's operation id and a create's task id are derived
 * from it, so a resend carries the same ones as the first attempt. That matters when the first attempt committed
 * although the client was answered 503 (its PostgreSQL call timed out, then deferring it failed too): the resend finds
 * the first attempt's record and answers what committed (shared-contracts {@code TaskWriter#apply}) instead of
 * applying the write a second time.
 *
 * <p>Consequence: both ids are functions of the request, so the same key and body sent again after the idempotency
 * record expired (24 h) answer what the first attempt did, as long as PostgreSQL still holds its record.
 */
@RequestScoped
public class IdempotentRequest {

    private String identity;

    void identify(String client, String method, String path, String key, String fingerprint) {
        identity = client + '\n' + method + ' ' + path + '\n' + key + '\n' + fingerprint;
    }

    /** The id of the task a create makes: the same for every resend; random when idempotency is off. */
    public UUID taskId() {
        return derived("task");
    }

    /** The id the write is applied and recorded under: the same for every resend; random when idempotency is off. */
    public UUID operationId() {
        return derived("operation");
    }

    private UUID derived(String kind) {
        return identity == null
                ? UUID.randomUUID()
                : UUID.nameUUIDFromBytes((kind + "\n" + identity).getBytes(StandardCharsets.UTF_8));
    }
}
