package dev.resilient.task.application;

import java.util.List;

import dev.resilient.shared.contract.TaskResponse;

/** All tasks as read: from PostgreSQL, or from the fallback cache while PostgreSQL cannot answer. */
public record TaskList(List<TaskResponse> tasks, boolean fromFallback) {}
