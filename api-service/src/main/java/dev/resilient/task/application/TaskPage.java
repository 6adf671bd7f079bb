package dev.resilient.task.application;

import java.util.List;

import dev.resilient.shared.contract.TaskResponse;

/**
 * A page of the task list, oldest first, as read: from PostgreSQL, or from the fallback cache while PostgreSQL cannot
 * answer. {@code next} is where the following page starts, null when this is the last.
 */
public record TaskPage(List<TaskResponse> tasks, PageCursor next, boolean fromFallback) {}
