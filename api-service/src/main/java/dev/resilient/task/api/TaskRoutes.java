package dev.resilient.task.api;

import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import dev.resilient.common.problem.AllowedMethods;

/** The methods each task route answers, for the {@code Allow} header of a 405 (RFC 9110 section 15.5.6). */
@ApplicationScoped
class TaskRoutes implements AllowedMethods {

    private static final Pattern DEFERRED_WRITE = Pattern.compile(DeferredWriteResource.PATH + "/[^/]+/?");
    private static final Pattern ITEM = Pattern.compile(TaskResource.PATH + "/[^/]+/?");
    private static final Pattern COLLECTION = Pattern.compile(TaskResource.PATH + "/?");

    @Override
    public Optional<String> forPath(String path) {
        if (COLLECTION.matcher(path).matches()) {
            return Optional.of("GET, POST, DELETE");
        }
        if (DEFERRED_WRITE.matcher(path).matches()) {
            return Optional.of("GET");
        }
        if (ITEM.matcher(path).matches()) {
            return Optional.of("GET, PUT, DELETE");
        }
        return Optional.empty();
    }
}
