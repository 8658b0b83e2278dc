package io.pivotplane.events.kafka;

import io.pivotplane.events.EventEnvelope;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.header.Headers;

/**
 * Writes an event as {@link EventEnvelopeSerializer} does and adds the {@link AgentMacs} of the records that go to
 * an agent or come from one: those of the topics given, under the key its function gives for the record's cluster.
 */
public class SigningEventSerializer extends EventEnvelopeSerializer {

    private final Predicate<String> signedTopics;
    private final AgentMacs.Direction direction;
    private final Function<String, byte[]> keyOfCluster;

    public SigningEventSerializer(Predicate<String> signedTopics, AgentMacs.Direction direction,
                                  Function<String, byte[]> keyOfCluster) {
        this.signedTopics = signedTopics;
        this.direction = direction;
        this.keyOfCluster = keyOfCluster;
    }

    @Override
    public byte[] serialize(String topic, Headers headers, EventEnvelope<?> envelope) {
        byte[] value = super.serialize(topic, headers, envelope);
        if (envelope != null && signedTopics.test(topic)) {
            AgentMacs.sign(headers, value, keyOfCluster.apply(envelope.subject()), direction);
        }
        return value;
    }
}
