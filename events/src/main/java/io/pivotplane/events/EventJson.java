package io.pivotplane.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.util.stream.Collectors;

/**
 * The JSON form of event payloads. Readers tolerate fields and enum values they do not know, so an older
 * consumer keeps working when a newer producer adds to a v1 event; a missing required field is an error that
 * names the field by its path.
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();

    private EventJson() {
    }

    /** The mapper events are written with; shared so that services format payloads the same way. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Writes an event, or a value that events carry (e.g. a {@code ClusterSpec}). */
    public static byte[] write(Object event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new EventFormatException("cannot write " + event.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static <T> T read(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonMappingException e) {
            throw new EventFormatException(describe(type, e), e);
        } catch (JsonProcessingException e) {
            throw new EventFormatException(type.getSimpleName() + ": malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new EventFormatException(type.getSimpleName() + ": unreadable JSON: " + e.getMessage(), e);
        }
    }

    private static String describe(Class<?> type, JsonMappingException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
        MissingFieldException missing = findCause(e, MissingFieldException.class);
        if (missing != null) {
            String field = path.isEmpty() ? missing.field() : path + "." + missing.field();
            return type.getSimpleName() + ": missing required field '" + field + "'";
        }
        String where = path.isEmpty() ? "" : " at '" + path + "'";
        return type.getSimpleName() + ": invalid JSON" + where + ": " + e.getOriginalMessage();
    }

    private static <X extends Throwable> X findCause(Throwable t, Class<X> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
