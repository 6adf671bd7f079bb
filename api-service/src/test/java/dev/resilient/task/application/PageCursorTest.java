package dev.resilient.task.application;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("unit")
class PageCursorTest {

    private static final UUID ID = UUID.fromString("7fbccabe-0635-450d-92db-d0fe4829759a");
    private static final Instant CREATED = Instant.parse("2026-12-06T08:00:00.123456789Z");

    @Test
    void aTokenReadsBackAsTheSameCursorAtMicrosecondPrecision() {
        var cursor = PageCursor.after(3, CREATED, ID);

        var parsed = PageCursor.parse(cursor.token());

        assertThat(parsed).contains(cursor);
        assertThat(cursor.createdAt()).isEqualTo(Instant.parse("2026-12-06T08:00:00.123456Z"));
    }

    @Test
    void aTokenIsUrlSafeWithoutPadding() {
        var token = PageCursor.after(1, CREATED, ID).token();

        assertThat(token).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void theFirstPageHasNoCursor() {
        assertThat(PageCursor.parse(encode("1:0:0:" + ID))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "not base64!",
                "2:1:0:7fbccabe-0635-450d-92db-d0fe4829759a", // another version
                "1:01:0:7fbccabe-0635-450d-92db-d0fe4829759a", // a page number with a leading zero
                "1:1234567890:0:7fbccabe-0635-450d-92db-d0fe4829759a", // more pages than an int holds
                "1:1:-5:7fbccabe-0635-450d-92db-d0fe4829759a", // a time before 1970
                "1:1:253402300800000000:7fbccabe-0635-450d-92db-d0fe4829759a", // after year 9999
                "1:1:0:7FBCCABE-0635-450D-92DB-D0FE4829759A", // not how this API writes an id
                "1:1:0:7fbccabe-0635-450d-92db-d0fe4829759a:extra"
            })
    void aTokenThisApiDidNotGiveOutIsRefused(String text) {
        assertThat(PageCursor.parse(encode(text))).isEmpty();
    }

    @Test
    void theLatestTimePostgresqlStoresIsAccepted() {
        var token = encode("1:1:253402300799999999:" + ID);

        assertThat(PageCursor.parse(token))
                .get()
                .extracting(PageCursor::createdAt)
                .isEqualTo(Instant.parse("9999-12-31T23:59:59.999999Z"));
    }

    private static String encode(String text) {
        if (text.equals("not base64!")) {
            return text;
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
