package dev.resilient.task.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.resilient.common.problem.InvalidRequestException;
import dev.resilient.shared.contract.IfMatch;

@Tag("unit")
class EntityTagHeadersTest {

    @Test
    void noHeaderIsNoPrecondition() {
        assertThat(EntityTagHeaders.ifMatch(null)).isNull();
    }

    @Test
    void aStarMatchesAnyCurrentVersion() {
        assertThat(EntityTagHeaders.ifMatch(" * ")).isEqualTo(IfMatch.any());
    }

    @Test
    void aListOfTagsIsKeptInOrderWithoutTheSpaces() {
        assertThat(EntityTagHeaders.ifMatch("\"3\", W/\"4\" ,\"5\""))
                .isEqualTo(IfMatch.oneOf(List.of("\"3\"", "W/\"4\"", "\"5\"")));
    }

    @Test
    void weakTagsNeverMatchBecauseIfMatchComparesStrongly() {
        var weak = EntityTagHeaders.ifMatch("W/\"3\"");

        assertThat(weak.matches(3)).isFalse();
        assertThat(EntityTagHeaders.ifMatch("\"3\"").matches(3)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"3", "\"3", "\"3\"\"", "\"a b\"", "w/\"3\"", ""})
    void anythingButTagsOrAStarIsA400NamingTheHeader(String header) {
        assertThatThrownBy(() -> EntityTagHeaders.ifMatch(header))
                .isInstanceOfSatisfying(InvalidRequestException.class, refused -> assertThat(refused.field())
                        .isEqualTo("If-Match"));
    }

    @Test
    void ifNoneMatchComparesWeaklySoAGetCanAnswer304() {
        assertThat(EntityTagHeaders.noneMatchFails("\"3\"", "\"3\"")).isTrue();
        assertThat(EntityTagHeaders.noneMatchFails("W/\"3\"", "\"3\"")).isTrue();
        assertThat(EntityTagHeaders.noneMatchFails("\"1\", \"3\"", "\"3\"")).isTrue();
        assertThat(EntityTagHeaders.noneMatchFails("*", "\"3\"")).isTrue();
    }

    @Test
    void ifNoneMatchThatMatchesNothingGetsTheFullAnswer() {
        assertThat(EntityTagHeaders.noneMatchFails(null, "\"3\"")).isFalse();
        assertThat(EntityTagHeaders.noneMatchFails("\"2\"", "\"3\"")).isFalse();
        assertThat(EntityTagHeaders.noneMatchFails("garbage", "\"3\"")).isFalse();
    }
}
