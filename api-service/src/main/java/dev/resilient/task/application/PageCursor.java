package dev.resilient.task.application;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Where the next page of the task list starts: after the task created at {@code createdAt} with id {@code id} (the
 * list's order), as page number {@code page} (the first is 0). Clients get it as an opaque token, so its format can
 * change without breaking them; a position, not an offset, so a walk through the pages neither skips nor repeats a
 * task when others are created or deleted meanwhile.
 */
public record PageCursor(int page, Instant createdAt, UUID id) {

    private static final String VERSION = "1";
    private static final Pattern FORMAT = Pattern.compile(VERSION + ":([1-9][0-9]{0,8}):([0-9]{1,18}):([0-9a-f-]{36})");
    /** 9999-12-31T23:59:59.999999Z: no made-up cursor reaches PostgreSQL with a time it cannot store. */
    private static final long LATEST_MICROS = 253_402_300_799_999_999L;

    /** The cursor of the page after the one that ends with this task. */
    public static PageCursor after(int page, Instant createdAt, UUID id) {
        return new PageCursor(page, createdAt.truncatedTo(ChronoUnit.MICROS), id);
    }

    public String token() {
        var micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
        var text = VERSION + ":" + page + ":" + micros + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor a token stands for; empty when the token is not one this API gave out. */
    public static Optional<PageCursor> parse(String token) {
        try {
            var text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            var parts = FORMAT.matcher(text);
            if (!parts.matches()) {
                return Optional.empty();
            }
            var id = UUID.fromString(parts.group(3));
            if (!id.toString().equals(parts.group(3))) {
                return Optional.empty();
            }
            var micros = Long.parseLong(parts.group(2));
            if (micros > LATEST_MICROS) {
                return Optional.empty();
            }
            var createdAt = Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
            return Optional.of(new PageCursor(Integer.parseInt(parts.group(1)), createdAt, id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
