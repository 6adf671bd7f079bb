package dev.resilient.task.api;

import java.util.UUID;

/** The body of a 202: the operation a deferred write became, and where and how often to poll it. */
public record DeferredResponse(UUID id, String status, String location, int retryAfter) {}
