package dev.resilient.shared.contract;

import java.util.List;

/**
 * The {@code If-Match} precondition of a write (RFC 9110 section 13.1.1), carried inside the command so that it is
 * checked in the same transaction as the change, also when the write is deferred.
 *
 * @param anyVersion {@code If-Match: *}: the task must exist, in any version
 * @param entityTags the strong entity tags (quotes included) of which the current one must be one
 */
public record IfMatch(boolean anyVersion, List<String> entityTags) {

    public IfMatch {
        entityTags = List.copyOf(entityTags);
    }

    public static IfMatch any() {
        return new IfMatch(true, List.of());
    }

    public static IfMatch oneOf(List<String> entityTags) {
        return new IfMatch(false, entityTags);
    }

    /** Whether a task at {@code version} satisfies the precondition (strong comparison). */
    public boolean matches(long version) {
        return anyVersion || entityTags.contains(EntityTags.of(version));
    }
}
