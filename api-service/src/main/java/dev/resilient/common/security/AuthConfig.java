package dev.resilient.common.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Whether the API asks for a token at all (docs/security.md). */
@ConfigMapping(prefix = "tasks.auth")
public interface AuthConfig {

    /**
     * On in every profile. Off ({@code TASKS_AUTH_ENABLED=false}) anyone who reaches the port can read, write and
     * delete every task: for a network that already authenticates its callers, never by default; a warning says so
     * at every start.
     */
    @WithDefault("true")
    boolean enabled();
}
