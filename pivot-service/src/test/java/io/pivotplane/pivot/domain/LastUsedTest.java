package io.pivotplane.pivot.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LastUsedTest {

    @Test
    void aKeptValueIsNotComputedAgainAndTheKeyUsedLongestAgoGoesFirst() {
        AtomicInteger computed = new AtomicInteger();
        LastUsed<String, String> kept = new LastUsed<>(2);

        assertThat(kept.get("a", key -> key + computed.incrementAndGet())).isEqualTo("a1");
        assertThat(kept.get("b", key -> key + computed.incrementAndGet())).isEqualTo("b2");
        assertThat(kept.get("a", key -> key + computed.incrementAndGet())).isEqualTo("a1");
        // a was used after b: b goes to make room for c
        assertThat(kept.get("c", key -> key + computed.incrementAndGet())).isEqualTo("c3");
        assertThat(kept.get("a", key -> key + computed.incrementAndGet())).isEqualTo("a1");
        assertThat(kept.get("b", key -> key + computed.incrementAndGet())).isEqualTo("b4");

        kept.remove("b");
        assertThat(kept.get("b", key -> key + computed.incrementAndGet())).isEqualTo("b5");
    }
}
