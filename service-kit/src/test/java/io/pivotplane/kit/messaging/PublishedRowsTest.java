package io.pivotplane.kit.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublishedRowsTest {

    @Test
    void rowsAreWrittenAsRangesAndReadBackAsTheyWere() {
        List<Long> rows = List.of(12L, 13L, 14L, 15L, 17L, 20L, 21L);

        assertThat(PublishedRows.encode(rows)).isEqualTo("12-15,17,20-21");
        assertThat(PublishedRows.decode(PublishedRows.encode(rows))).isEqualTo(rows);
        assertThat(PublishedRows.decode("")).isEmpty();
    }

    @Test
    void aBatchOfScatteredRowsIsCutToWhatTheOffsetMetadataHolds() {
        List<Long> scattered = new ArrayList<>();
        for (long id = 1_000_000_000L; scattered.size() < 1000; id += 2) {
            scattered.add(id);
        }

        int fits = PublishedRows.fitting(scattered);

        assertThat(fits).isGreaterThan(100).isLessThan(scattered.size());
        assertThat(PublishedRows.encode(scattered.subList(0, fits)).length())
                .isLessThanOrEqualTo(PublishedRows.MAX_LENGTH);
        assertThat(PublishedRows.fitting(List.of(1L, 2L, 3L))).isEqualTo(3);
    }
}
