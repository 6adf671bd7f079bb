package dev.resilient.shared.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class IfMatchTest {

    @Test
    void anyMatchesEveryVersion() {
        assertThat(IfMatch.any().matches(1)).isTrue();
        assertThat(IfMatch.any().matches(42)).isTrue();
    }

    @Test
    void aListMatchesOnlyItsVersionsByStrongComparison() {
        var ifMatch = IfMatch.oneOf(List.of("\"3\"", "\"5\"", "W/\"7\""));

        assertThat(ifMatch.matches(3)).isTrue();
        assertThat(ifMatch.matches(5)).isTrue();
        assertThat(ifMatch.matches(4)).isFalse();
        assertThat(ifMatch.matches(7)).as("a weak tag never matches If-Match").isFalse();
    }

    @Test
    void entityTagsAreQuotedVersions() {
        assertThat(EntityTags.of(12)).isEqualTo("\"12\"");
    }
}
