package dev.resilient.common.security;

/**
 * What a token's {@code scope} claim can grant (each one a role, through {@code smallrye.jwt.path.groups=scope}).
 * Separate scopes let an operator hand a dashboard a token that can only read, and keep wiping every task to a few.
 */
public final class Scopes {

    /** Reads and polls of deferred writes. */
    public static final String READ = "tasks:read";

    /** Creates, updates and deletes of one task. */
    public static final String WRITE = "tasks:write";

    /** DELETE /tasks: every task at once. */
    public static final String ADMIN = "tasks:admin";

    private Scopes() {}
}
