package dev.resilient.common.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the HTTP API that are ours rather than Quarkus'. */
@ConfigMapping(prefix = "tasks.api")
public interface ApiConfig {

    /**
     * The largest request body accepted, in bytes: a larger one is a 413 problem, refused before it is read when its
     * length is declared, as soon as it passes the limit when it is chunked ({@code BodyLimit}). A task is at most 255
     * characters and a status, so 16 KiB leaves room for any JSON escaping.
     */
    @WithDefault("16384")
    long maxBodyBytes();
}
