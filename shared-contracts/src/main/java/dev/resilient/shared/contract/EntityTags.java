package dev.resilient.shared.contract;

/** The one place that knows how a task version is written as an HTTP entity tag: a quoted decimal. */
public final class EntityTags {

    private EntityTags() {}

    public static String of(long version) {
        return "\"" + version + "\"";
    }
}
