package io.pivotplane.agent.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.pivotplane.agent.core.ReportStore;
import io.pivotplane.agent.install.AgentManifests;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.EventFormatException;
import io.pivotplane.events.EventJson;
import io.pivotplane.events.EventType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the agent's unsent reports in a ConfigMap of its own namespace: in the cluster's etcd, which outlives the
 * agent's pod and its node and needs no volume. A ConfigMap holds at most 1 MiB; when the reports would not fit, the
 * oldest are left out, and said so.
 */
public final class ConfigMapReportStore implements ReportStore {

    public static final String NAME = "pivotplane-agent-reports";
    static final String KEY = "reports.json";
    /** Below the API server's 1 MiB for a whole object, with room for its metadata. */
    static final int MAX_BYTES = 900 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ConfigMapReportStore.class);
    private static final ObjectMapper JSON = EventJson.mapper();

    private final KubernetesClient client;
    private final String clusterName;

    public ConfigMapReportStore(KubernetesClient client, String clusterName) {
        this.client = client;
        this.clusterName = clusterName;
    }

    @Override
    public List<EventEnvelope<AgentReport>> load() {
        ConfigMap stored = configMap().get();
        if (stored == null || stored.getData() == null || stored.getData().get(KEY) == null) {
            return List.of();
        }
        List<EventEnvelope<AgentReport>> reports = new ArrayList<>();
        try {
            for (JsonNode entry : JSON.readTree(stored.getData().get(KEY))) {
                try {
                    reports.add(envelope(entry));
                } catch (RuntimeException e) {
                    LOG.error("Agent of {} passes over a stored report it cannot read: {}", clusterName, e.toString());
                }
            }
        } catch (JsonProcessingException e) {
            LOG.error("Agent of {} cannot read its stored reports, ConfigMap {}/{}: {}", clusterName,
                    AgentManifests.NAMESPACE, NAME, e.getOriginalMessage());
        }
        return reports;
    }

    @Override
    public void save(List<EventEnvelope<AgentReport>> reports) {
        if (reports.isEmpty()) {
            configMap().delete();
            return;
        }
        List<String> entries = new ArrayList<>();
        int bytes = 2;
        // newest first, so that what is left out when they do not fit is the oldest
        for (int i = reports.size() - 1; i >= 0; i--) {
            String entry = write(reports.get(i));
            int size = entry.getBytes(StandardCharsets.UTF_8).length + 1;
            if (bytes + size > MAX_BYTES) {
                LOG.error("Agent of {} keeps only its newest {} of {} unsent reports: the others do not fit in"
                        + " ConfigMap {}/{}", clusterName, entries.size(), reports.size(), AgentManifests.NAMESPACE,
                        NAME);
                break;
            }
            entries.add(0, entry);
            bytes += size;
        }
        ConfigMap desired = new ConfigMapBuilder().withNewMetadata().withName(NAME)
                .withNamespace(AgentManifests.NAMESPACE).withLabels(Map.of(AgentManifests.APP_LABEL,
                        AgentManifests.NAME)).endMetadata()
                .withData(Map.of(KEY, "[" + String.join(",", entries) + "]")).build();
        client.configMaps().inNamespace(AgentManifests.NAMESPACE).resource(desired)
                .createOr(NonDeletingOperation::update);
    }

    private Resource<ConfigMap> configMap() {
        return client.configMaps().inNamespace(AgentManifests.NAMESPACE).withName(NAME);
    }

    private static String write(EventEnvelope<AgentReport> report) {
        ObjectNode entry = JSON.createObjectNode()
                .put("id", report.id())
                .put("type", report.type().ceType())
                .put("source", report.source().toString())
                .put("subject", report.subject())
                .put("time", report.time().toString())
                .put("correlationId", report.correlationId());
        entry.set("payload", JSON.valueToTree(report.payload()));
        return entry.toString();
    }

    private static EventEnvelope<AgentReport> envelope(JsonNode entry) {
        String ceType = entry.path("type").asText();
        EventType type = EventType.fromCeType(ceType)
                .orElseThrow(() -> new EventFormatException("unknown event type '" + ceType + "'"));
        AgentReport report = EventJson.read(entry.path("payload").toString().getBytes(StandardCharsets.UTF_8),
                AgentReport.class);
        return new EventEnvelope<>(entry.path("id").asText(), type, URI.create(entry.path("source").asText()),
                entry.path("subject").asText(), Instant.parse(entry.path("time").asText()),
                entry.path("correlationId").asText(), report);
    }
}
