package io.pivotplane.spec.service;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ClusterRenderer;
import io.pivotplane.capi.DesiredSpecConfigMap;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.Renderers;
import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.SpecsCreated;
import io.pivotplane.events.Stage;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.ObjectReference;
import io.pivotplane.kit.config.MessagingConfig;
import io.pivotplane.capi.k8s.WriteResult;
import io.pivotplane.spec.k8s.ManagementCluster;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Step 2 of the order of operations: the CAPI objects of the first control-plane node, created in the
 * management cluster as desired state, and the cluster's full desired spec kept beside them for its agent.
 */
@ApplicationScoped
public class SpecService {

    public static final String REASON_UNSUPPORTED_INFRASTRUCTURE = "UnsupportedInfrastructure";
    public static final String REASON_NAME_TAKEN = "ClusterNameTaken";

    private static final Logger LOG = Logger.getLogger(SpecService.class);

    private final ManagementCluster management;
    private final MessagingConfig messaging;

    public SpecService(ManagementCluster management, MessagingConfig messaging) {
        this.management = management;
        this.messaging = messaging;
    }

    public EventEnvelope<?> createSpecs(EventEnvelope<?> event, ClusterRequested requested) {
        String clusterId = requested.clusterId();
        ClusterSpec spec = requested.spec();
        Optional<ClusterRenderer> renderer = Renderers.find(spec.infrastructure().provider());
        if (renderer.isEmpty()) {
            return failed(event, clusterId, REASON_UNSUPPORTED_INFRASTRUCTURE, "infrastructure provider '"
                    + spec.infrastructure().provider() + "' has no renderer yet; supported: "
                    + String.join(", ", Renderers.supportedProviders()));
        }
        Optional<String> owner = management.findCluster(spec.project(), spec.name())
                .map(cluster -> cluster.getMetadata().getLabels() == null ? null
                        : cluster.getMetadata().getLabels().get(Capi.CLUSTER_ID_LABEL));
        if (owner.isPresent() && !clusterId.equals(owner.get())) {
            return failed(event, clusterId, REASON_NAME_TAKEN, "the management cluster already has a Cluster "
                    + spec.project() + "/" + spec.name() + " that is not this request's (cluster id "
                    + owner.get() + ")");
        }

        management.ensureNamespace(spec.project());
        List<GenericKubernetesResource> objects = renderer.get().render(clusterId, spec, RenderPhase.MANAGEMENT);
        List<ObjectReference> created = new ArrayList<>();
        List<String> results = new ArrayList<>();
        for (GenericKubernetesResource object : objects) {
            WriteResult result = management.ensure(object);
            results.add(object.getKind() + " " + result);
            created.add(reference(object));
        }
        GenericKubernetesResource cluster = management.findCluster(spec.project(), spec.name()).orElseThrow(
                () -> new IllegalStateException("Cluster " + spec.name() + " vanished right after it was written"));
        var desiredSpec = ManagementCluster.ownedBy(DesiredSpecConfigMap.render(clusterId, spec), cluster);
        results.add("ConfigMap " + management.ensure(desiredSpec));
        created.add(new ObjectReference("v1", "ConfigMap", spec.project(), desiredSpec.getMetadata().getName()));
        LOG.infof("CAPI objects of %s/%s in the management cluster: %s", spec.project(), spec.name(), results);
        return EventEnvelope.causedBy(event, messaging.eventSource(),
                new SpecsCreated(clusterId, spec.project(), created, Instant.now()));
    }

    private EventEnvelope<?> failed(EventEnvelope<?> cause, String clusterId, String reason, String message) {
        LOG.warnf("Cluster %s cannot be specified: %s", clusterId, message);
        return EventEnvelope.causedBy(cause, messaging.eventSource(),
                new ProvisioningFailed(clusterId, Stage.SPECS_CREATED, reason, message, Instant.now()));
    }

    private static ObjectReference reference(GenericKubernetesResource object) {
        return new ObjectReference(object.getApiVersion(), object.getKind(), object.getMetadata().getNamespace(),
                object.getMetadata().getName());
    }
}
