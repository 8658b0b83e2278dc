package io.pivotplane.events;

import java.util.List;
import java.util.Map;

/**
 * Checks used by the compact constructors of the event records, so that an event can neither be built nor
 * deserialized without its required fields, and optional collections are never null.
 */
public final class Fields {

    private Fields() {
    }

    public static <T> T required(T value, String field) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw new MissingFieldException(field);
        }
        return value;
    }

    public static <T> List<T> listOrEmpty(List<T> value) {
        return value == null ? List.of() : List.copyOf(value);
    }

    public static <K, V> Map<K, V> mapOrEmpty(Map<K, V> value) {
        return value == null ? Map.of() : Map.copyOf(value);
    }
}
