package dev.resilient.shared.contract;

/**
 * A task together with its version, which never reaches a body but becomes the {@code ETag} and decides
 * {@code If-Match} preconditions.
 */
public record TaskSnapshot(TaskResponse task, long version) {

    /** The strong entity tag of this version, quotes included, as it appears in {@code ETag}. */
    public String entityTag() {
        return EntityTags.of(version);
    }
}
