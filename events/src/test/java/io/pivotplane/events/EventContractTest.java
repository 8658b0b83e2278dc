package io.pivotplane.events;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pivotplane.events.kafka.EventEnvelopeDeserializer;
import io.pivotplane.events.kafka.EventEnvelopeSerializer;
import java.net.URI;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventContractTest {

    private static final URI SOURCE = URI.create("/pivotplane/test");

    private final EventEnvelopeSerializer serializer = new EventEnvelopeSerializer();
    private final EventEnvelopeDeserializer deserializer = new EventEnvelopeDeserializer();

    static Iterable<ClusterEvent> everyType() {
        return SampleEvents.everyType();
    }

    @Test
    void samplesCoverEveryEventType() {
        Set<EventType> covered = SampleEvents.everyType().stream().map(EventType::of).collect(Collectors.toSet());
        assertThat(covered).containsExactlyInAnyOrderElementsOf(EnumSet.allOf(EventType.class));
    }

    @ParameterizedTest
    @MethodSource("everyType")
    void everyEventSurvivesARoundTripThroughKafkaSerde(ClusterEvent event) {
        EventEnvelope<?> sent = EventEnvelope.create(SOURCE, "corr-1", event);
        Headers headers = new RecordHeaders();

        byte[] value = serializer.serialize(sent.topic(), headers, sent);
        EventEnvelope<?> received = deserializer.deserialize(sent.topic(), headers, value);

        assertThat(received).isEqualTo(sent);
        assertThat(received.payload()).isEqualTo(event);
    }

    @ParameterizedTest
    @MethodSource("everyType")
    void headersFollowCloudEventsBinaryMode(ClusterEvent event) {
        EventEnvelope<?> sent = EventEnvelope.create(SOURCE, "corr-1", event);
        Headers headers = new RecordHeaders();
        serializer.serialize(sent.topic(), headers, sent);

        assertThat(header(headers, CloudEventHeaders.SPEC_VERSION)).isEqualTo("1.0");
        assertThat(header(headers, CloudEventHeaders.ID)).isEqualTo(sent.id());
        assertThat(header(headers, CloudEventHeaders.TYPE)).matches("io\\.pivotplane\\.[a-z.-]+\\.v\\d+");
        assertThat(header(headers, CloudEventHeaders.SOURCE)).isEqualTo(SOURCE.toString());
        assertThat(header(headers, CloudEventHeaders.SUBJECT)).isEqualTo(SampleEvents.CLUSTER_ID);
        assertThat(header(headers, CloudEventHeaders.TIME)).isEqualTo(sent.time().toString());
        assertThat(header(headers, CloudEventHeaders.CORRELATION_ID)).isEqualTo("corr-1");
        assertThat(header(headers, CloudEventHeaders.CONTENT_TYPE)).isEqualTo("application/json");
    }

    @Test
    void everyNewEventGetsAUniqueId() {
        ClusterEvent event = SampleEvents.everyType().get(0);
        assertThat(EventEnvelope.create(SOURCE, "c", event).id())
                .isNotEqualTo(EventEnvelope.create(SOURCE, "c", event).id());
    }

    @Test
    void eachTypeHasItsOwnTopicAndAVersionedName() {
        assertThat(Arrays.stream(EventType.values()).map(type -> type.topic("c-1")).distinct().count())
                .isEqualTo(EventType.values().length);
        assertThat(Topics.ALL).containsAll(Arrays.stream(EventType.values())
                .filter(type -> type != EventType.AGENT_COMMAND_V1).map(type -> type.topic("c-1")).toList());
        assertThat(EventType.AGENT_COMMAND_V1.topic("c-1")).isEqualTo("agent.commands.c-1")
                .isNotEqualTo(EventType.AGENT_COMMAND_V1.topic("c-2"));
        assertThat(EventType.values()).allSatisfy(t -> assertThat(t.ceType()).endsWith(".v1"));
    }

    @Test
    void unknownFieldsFromANewerProducerAreTolerated() {
        String json = """
                {"clusterId":"c-1","stage":"Pivoted","reason":"AgentTimeout","message":"no heartbeat",
                 "failedAt":"2026-11-24T10:15:30Z","retryable":true,"details":{"attempts":3}}""";

        ProvisioningFailed event = EventJson.read(json.getBytes(UTF_8), ProvisioningFailed.class);

        assertThat(event.reason()).isEqualTo("AgentTimeout");
        assertThat(event.stage()).isEqualTo(Stage.PIVOTED);
    }

    @Test
    void unknownEnumValuesFromANewerProducerAreTolerated() {
        String json = """
                {"clusterId":"c-1","kind":"DRAINING","reportedAt":"2026-11-24T10:15:30Z"}""";

        AgentReport report = EventJson.read(json.getBytes(UTF_8), AgentReport.class);

        assertThat(report.kind()).isEqualTo(AgentReport.Kind.UNKNOWN);
    }

    @Test
    void aMissingRequiredFieldIsRejectedByName() {
        String json = """
                {"clusterId":"c-1","reason":"X","message":"m","failedAt":"2026-11-24T10:15:30Z"}""";

        assertThatThrownBy(() -> EventJson.read(json.getBytes(UTF_8), ProvisioningFailed.class))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("missing required field 'stage'");
    }

    @Test
    void aMissingNestedRequiredFieldIsRejectedByItsPath() {
        String json = """
                {"clusterId":"c-1","requestedAt":"2026-11-24T10:15:30Z",
                 "spec":{"name":"edge-42","project":"team-a","kubernetesVersion":"v1.30.5",
                         "infrastructure":{"provider":"aws"},"controlPlane":{"machine":{}}}}""";

        assertThatThrownBy(() -> EventJson.read(json.getBytes(UTF_8), ClusterRequested.class))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("missing required field 'spec.controlPlane.replicas'");
    }

    @Test
    void anUnknownEventTypeIsRejected() {
        Headers headers = new RecordHeaders();
        headers.add(CloudEventHeaders.TYPE, "io.pivotplane.cluster.exploded.v9".getBytes(UTF_8));

        assertThatThrownBy(() -> deserializer.deserialize("t", headers, "{}".getBytes(UTF_8)))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("unknown event type 'io.pivotplane.cluster.exploded.v9'");
    }

    @Test
    void aMissingCloudEventsHeaderIsRejectedByName() {
        EventEnvelope<?> sent = EventEnvelope.create(SOURCE, "corr-1", SampleEvents.everyType().get(0));
        Headers headers = new RecordHeaders();
        byte[] value = serializer.serialize(sent.topic(), headers, sent);
        headers.remove(CloudEventHeaders.ID);

        assertThatThrownBy(() -> deserializer.deserialize(sent.topic(), headers, value))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("missing required header 'ce_id'");
    }

    @Test
    void malformedJsonIsRejected() {
        assertThatThrownBy(() -> EventJson.read("{not json".getBytes(UTF_8), Pivoted.class))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("Pivoted");
    }

    @Test
    void anEnvelopeWhoseSubjectIsNotItsClusterIsRefused() {
        ClusterEvent event = SampleEvents.everyType().get(0);
        assertThatThrownBy(() -> new EventEnvelope<>("id", EventType.of(event), SOURCE, "another-cluster",
                SampleEvents.AT, "c", event))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("another-cluster");
    }

    private static String header(Headers headers, String name) {
        return new String(headers.lastHeader(name).value(), UTF_8);
    }
}
