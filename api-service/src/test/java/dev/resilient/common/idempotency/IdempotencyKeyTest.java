package dev.resilient.common.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.ws.rs.core.MultivaluedHashMap;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.resilient.common.problem.InvalidRequestException;

@Tag("unit")
class IdempotencyKeyTest {

    @Test
    void aBareKeyIsTakenAsItIs() {
        assertThat(IdempotencyKey.from(headers("Idempotency-Key", "abc-123")).value())
                .isEqualTo("abc-123");
    }

    @Test
    void aStructuredFieldStringLosesItsQuotes() {
        assertThat(IdempotencyKey.from(headers("Idempotency-Key", "\"abc\"")).value())
                .isEqualTo("abc");
    }

    @Test
    void theSeedsHeaderIsReadWhenTheStandardOneIsAbsent() {
        assertThat(IdempotencyKey.from(headers("X-Idempotency-Key", "legacy")).value())
                .isEqualTo("legacy");
    }

    @Test
    void theStandardHeaderWinsOverTheSeeds() {
        var both = headers("Idempotency-Key", "standard");
        both.add("X-Idempotency-Key", "legacy");

        assertThat(IdempotencyKey.from(both).value()).isEqualTo("standard");
    }

    @Test
    void aWriteWithoutAKeyIsRefusedNamingTheStandardHeader() {
        assertThatThrownBy(() -> IdempotencyKey.from(new MultivaluedHashMap<>()))
                .isInstanceOfSatisfying(InvalidRequestException.class, refused -> {
                    assertThat(refused.field()).isEqualTo("Idempotency-Key");
                    assertThat(refused.getMessage()).startsWith("is required");
                });
    }

    @Test
    void theLongestKeyIs255Characters() {
        assertThat(IdempotencyKey.from(headers("Idempotency-Key", "k".repeat(255)))
                        .value())
                .hasSize(255);
        assertThatThrownBy(() -> IdempotencyKey.from(headers("Idempotency-Key", "k".repeat(256))))
                .isInstanceOf(InvalidRequestException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\"\"", "with space", "tab\tkey", "caf\u00e9", "line\nbreak"})
    void onlyVisibleAsciiIsAKey(String key) {
        assertThatThrownBy(() -> IdempotencyKey.from(headers("X-Idempotency-Key", key)))
                .isInstanceOfSatisfying(InvalidRequestException.class, refused -> assertThat(refused.field())
                        .isEqualTo("X-Idempotency-Key"));
    }

    private static MultivaluedHashMap<String, String> headers(String name, String value) {
        var headers = new MultivaluedHashMap<String, String>();
        headers.add(name, value);
        return headers;
    }
}
