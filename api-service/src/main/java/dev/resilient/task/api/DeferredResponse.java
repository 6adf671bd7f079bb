package dev.resilient.task.api;

import java.util.UUID;

/** The body of a 202: the deferred write's id, and where and how often to poll its state. */
public record DeferredResponse(UUID id, String status, String location, int retryAfter) {}
