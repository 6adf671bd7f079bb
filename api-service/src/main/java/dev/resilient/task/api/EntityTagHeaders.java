package dev.resilient.task.api;

import java.util.ArrayList;
import java.util.regex.Pattern;

import dev.resilient.common.problem.InvalidRequestException;
import dev.resilient.shared.contract.IfMatch;

/** Reads the {@code If-Match} header (RFC 9110 section 13.1.1) into the precondition a write command carries. */
final class EntityTagHeaders {

    /** An entity tag: optional weakness prefix, then visible characters except the quote between quotes. */
    private static final Pattern ENTITY_TAG = Pattern.compile("(W/)?\"[\\x21\\x23-\\x7E\\x80-\\xFF]*\"");

    private EntityTagHeaders() {}

    /**
     * The precondition, or null when the header is absent. Weak tags are kept but can never match, since
     * {@code If-Match} uses strong comparison.
     */
    static IfMatch ifMatch(String header) {
        if (header == null) {
            return null;
        }
        var value = header.strip();
        if (value.equals("*")) {
            return IfMatch.any();
        }
        var tags = new ArrayList<String>();
        for (var part : value.split(",")) {
            var tag = part.strip();
            if (!ENTITY_TAG.matcher(tag).matches()) {
                throw new InvalidRequestException(
                        "If-Match", "must be * or a comma-separated list of entity tags such as \"3\"");
            }
            tags.add(tag);
        }
        return IfMatch.oneOf(tags);
    }

    /**
     * Whether {@code If-None-Match} matches the current tag, so a GET can answer 304. Weak comparison (RFC 9110
     * section 13.1.2): {@code W/"3"} matches {@code "3"}. An unreadable header matches nothing, so the client simply
     * gets the full answer.
     */
    static boolean noneMatchFails(String header, String currentTag) {
        if (header == null) {
            return false;
        }
        for (var part : header.split(",")) {
            var tag = part.strip();
            if (tag.equals("*") || tag.equals(currentTag) || tag.equals("W/" + currentTag)) {
                return true;
            }
        }
        return false;
    }
}
