package dev.resilient.common.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the HTTP API that are ours rather than Quarkus'. */
@ConfigMapping(prefix = "tasks.api")
public interface ApiConfig {

    /**
     * The largest request body accepted, in bytes; a larger declared {@code Content-Length} is a 413 problem before
     * the body is read. A task is at most 255 characters and a status, so 16 KiB leaves room for any JSON escaping.
     * (A body sent without {@code Content-Length} is capped by {@code quarkus.http.limits.max-body-size}.)
     */
    @WithDefault("16384")
    long maxBodyBytes();
}
