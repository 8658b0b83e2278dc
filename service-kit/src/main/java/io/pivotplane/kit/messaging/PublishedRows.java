package io.pivotplane.kit.messaging;

import java.util.ArrayList;
import java.util.List;

/**
 * The outbox rows one Kafka transaction published, written as ranges ({@code 12-40,43}) into the metadata of the
 * relay's progress offset, which the broker keeps to {@code offset.metadata.max.bytes} (4096 by default).
 */
final class PublishedRows {

    static final int MAX_LENGTH = 3072;

    private PublishedRows() {
    }

    /** Row ids in ascending order, as ranges. */
    static String encode(List<Long> rowIds) {
        StringBuilder ranges = new StringBuilder();
        int i = 0;
        while (i < rowIds.size()) {
            int end = i;
            while (end + 1 < rowIds.size() && rowIds.get(end + 1) == rowIds.get(end) + 1) {
                end++;
            }
            if (!ranges.isEmpty()) {
                ranges.append(',');
            }
            ranges.append(rowIds.get(i));
            if (end > i) {
                ranges.append('-').append(rowIds.get(end));
            }
            i = end + 1;
        }
        return ranges.toString();
    }

    static List<Long> decode(String ranges) {
        List<Long> rowIds = new ArrayList<>();
        if (ranges == null || ranges.isBlank()) {
            return rowIds;
        }
        for (String range : ranges.split(",")) {
            int dash = range.indexOf('-');
            long first = Long.parseLong(dash < 0 ? range : range.substring(0, dash));
            long last = dash < 0 ? first : Long.parseLong(range.substring(dash + 1));
            for (long id = first; id <= last; id++) {
                rowIds.add(id);
            }
        }
        return rowIds;
    }

    /** The longest prefix of the rows whose ranges fit in the offset's metadata. */
    static int fitting(List<Long> rowIds) {
        int fits = rowIds.size();
        while (fits > 1 && encode(rowIds.subList(0, fits)).length() > MAX_LENGTH) {
            fits = fits / 2;
        }
        return fits;
    }
}
