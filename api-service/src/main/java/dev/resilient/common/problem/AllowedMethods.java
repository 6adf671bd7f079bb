package dev.resilient.common.problem;

import java.util.Optional;

/** Knows which methods a path answers; each resource area provides one, so a 405 can carry its {@code Allow}. */
public interface AllowedMethods {

    Optional<String> forPath(String path);
}
