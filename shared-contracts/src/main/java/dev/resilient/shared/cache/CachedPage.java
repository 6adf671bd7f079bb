package dev.resilient.shared.cache;

import java.util.List;

import dev.resilient.shared.contract.TaskResponse;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

/**
 * A page of the task list as the fallback cache keeps it: its tasks and the cursor of the next page (null: none; the
 * services' JSON refuses nulls unless a field says otherwise).
 */
public record CachedPage(List<TaskResponse> tasks, @JsonSetter(nulls = Nulls.SET) String next) {}
