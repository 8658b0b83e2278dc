package io.pivotplane.capi;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Cluster API's Go code reads them ({@code time.ParseDuration}: {@code 90s}, {@code 5m}, {@code 1h30m}),
 * in the units that matter for timeouts: hours, minutes, seconds, milliseconds.
 */
public final class GoDuration {

    private static final Pattern PART = Pattern.compile("([0-9]+)(h|ms|m|s)");

    private GoDuration() {
    }

    /** The duration {@code text} says; empty when Go would not read it (or it needs a unit not listed above). */
    public static Optional<Duration> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher part = PART.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (part.find() && part.start() == end) {
            long amount = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "h" -> Duration.ofHours(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "s" -> Duration.ofSeconds(amount);
                default -> Duration.ofMillis(amount);
            });
            end = part.end();
        }
        return end == text.length() && end > 0 ? Optional.of(total) : Optional.empty();
    }
}
