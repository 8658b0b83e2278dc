package io.pivotplane.devstack.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A selector as a custom resource's fields hold it (the providers' identities) is read as the webhooks' JSON is. */
class LabelSelectorsTest {

    private static final Map<String, String> LABELS = Map.of("tier", "edge", "zone", "a");

    @Test
    void matchLabelsNeedEveryLabelWithItsValue() {
        assertThat(LabelSelectors.matches(Map.of("matchLabels", Map.of("tier", "edge")), LABELS)).isTrue();
        assertThat(LabelSelectors.matches(Map.of("matchLabels", Map.of("tier", "edge", "zone", "b")), LABELS)).isFalse();
        assertThat(LabelSelectors.matches(Map.of("matchLabels", Map.of("team", "a")), LABELS)).isFalse();
    }

    @Test
    void matchExpressionsByTheirOperator() {
        assertThat(LabelSelectors.matches(expression("tier", "In", "edge", "core"), LABELS)).isTrue();
        assertThat(LabelSelectors.matches(expression("tier", "In", "core"), LABELS)).isFalse();
        assertThat(LabelSelectors.matches(expression("tier", "NotIn", "core"), LABELS)).isTrue();
        assertThat(LabelSelectors.matches(expression("team", "NotIn", "core"), LABELS)).isTrue();
        assertThat(LabelSelectors.matches(expression("zone", "Exists"), LABELS)).isTrue();
        assertThat(LabelSelectors.matches(expression("zone", "DoesNotExist"), LABELS)).isFalse();
        assertThat(LabelSelectors.matches(expression("zone", "Unknown"), LABELS)).isFalse();
    }

    @Test
    void anEmptySelectorOrNoneAtAllSelectsEverything() {
        assertThat(LabelSelectors.matches(Map.of(), LABELS)).isTrue();
        assertThat(LabelSelectors.matches(null, Map.of())).isTrue();
    }

    private static Map<String, Object> expression(String key, String operator, String... values) {
        return Map.of("matchExpressions", List.of(Map.of("key", key, "operator", operator, "values", List.of(values))));
    }
}
