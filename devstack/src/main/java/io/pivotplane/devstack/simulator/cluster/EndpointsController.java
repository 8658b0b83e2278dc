package io.pivotplane.devstack.simulator.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.EndpointSubsetBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The endpoints controller: each Service with a selector gets the Endpoints of the pods it selects, ready ones as
 * addresses, the others as not-ready addresses. The API server reaches admission webhooks through them: a webhook
 * whose Service has no ready address fails its requests.
 */
final class EndpointsController {

    /** What the endpoints controller annotates its Endpoints with; also how it knows its own. */
    static final String TRIGGER_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";

    private final KubernetesClient client;
    private final Retries retries;

    EndpointsController(KubernetesClient client, Retries retries) {
        this.client = client;
        this.retries = retries;
    }

    void reconcile(ClusterObjects objects, List<ClusterInternals.Workload> workloads, List<Node> nodes) {
        for (Service service : objects.all(ClusterObjects.SERVICE, Service.class)) {
            Map<String, String> selector = service.getSpec() == null ? null : service.getSpec().getSelector();
            if (selector == null || selector.isEmpty()) {
                continue;
            }
            String namespace = service.getMetadata().getNamespace();
            List<EndpointAddress> ready = new ArrayList<>();
            List<EndpointAddress> notReady = new ArrayList<>();
            PodTemplate selected = null;
            for (ClusterInternals.Workload workload : workloads) {
                if (!workload.namespace().equals(namespace)
                        || !workload.template().labels().entrySet().containsAll(selector.entrySet())) {
                    continue;
                }
                selected = workload.template();
                for (Pods.Pod pod : workload.pods()) {
                    if (pod.node == null) {
                        continue;
                    }
                    EndpointAddress address = new EndpointAddressBuilder()
                            .withIp(podIp(pod, workload.template().hostNetwork(), nodes)).withNodeName(pod.node)
                            .withNewTargetRef().withKind("Pod").withName(pod.name).withNamespace(namespace)
                            .endTargetRef().build();
                    (pod.running ? ready : notReady).add(address);
                }
            }
            ready.sort(Comparator.comparing(EndpointAddress::getIp));
            notReady.sort(Comparator.comparing(EndpointAddress::getIp));
            List<EndpointSubset> subsets = ready.isEmpty() && notReady.isEmpty() ? List.of()
                    : List.of(new EndpointSubsetBuilder().withAddresses(ready).withNotReadyAddresses(notReady)
                    .withPorts(ports(service, selected)).build());
            write(objects, service, subsets);
        }
        for (GenericKubernetesResource endpoints : objects.all(ClusterObjects.ENDPOINTS)) {
            String namespace = endpoints.getMetadata().getNamespace();
            String name = endpoints.getMetadata().getName();
            boolean ours = endpoints.getMetadata().getAnnotations() != null
                    && endpoints.getMetadata().getAnnotations().containsKey(TRIGGER_ANNOTATION);
            if (ours && !objects.exists(ClusterObjects.SERVICE, namespace, name)) {
                try {
                    client.endpoints().inNamespace(namespace).withName(name).delete();
                } catch (KubernetesClientException e) {
                    retries.failed("deleting the endpoints of " + namespace + "/" + name, e);
                }
            }
        }
    }

    private void write(ClusterObjects objects, Service service, List<EndpointSubset> subsets) {
        String namespace = service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        Endpoints current = objects.get(ClusterObjects.ENDPOINTS, namespace, name, Endpoints.class).orElse(null);
        if (current != null && Objects.equals(current.getSubsets(), subsets)) {
            return;
        }
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            if (current == null) {
                client.endpoints().inNamespace(namespace).resource(new EndpointsBuilder().withNewMetadata()
                        .withName(name).withNamespace(namespace).withLabels(service.getMetadata().getLabels())
                        .addToAnnotations(TRIGGER_ANNOTATION, now).endMetadata().withSubsets(subsets).build())
                        .create();
            } else {
                Endpoints updated = new EndpointsBuilder(current).editMetadata()
                        .addToAnnotations(TRIGGER_ANNOTATION, now).endMetadata().withSubsets(subsets).build();
                client.endpoints().inNamespace(namespace).resource(updated).update();
            }
        } catch (KubernetesClientException e) {
            retries.failed("the endpoints of " + namespace + "/" + name, e);
        }
    }

    /** The Service's ports as the pods serve them: a named target port is the container port of that name. */
    private static List<EndpointPort> ports(Service service, PodTemplate template) {
        List<EndpointPort> ports = new ArrayList<>();
        for (ServicePort port : Objects.requireNonNullElse(service.getSpec().getPorts(), List.<ServicePort>of())) {
            IntOrString target = port.getTargetPort();
            Integer number = port.getPort();
            if (target != null && target.getIntVal() != null) {
                number = target.getIntVal();
            } else if (target != null && target.getStrVal() != null && template != null) {
                for (Container container : Objects.requireNonNullElse(template.spec().getContainers(),
                        List.<Container>of())) {
                    for (ContainerPort containerPort : Objects.requireNonNullElse(container.getPorts(),
                            List.<ContainerPort>of())) {
                        if (target.getStrVal().equals(containerPort.getName())) {
                            number = containerPort.getContainerPort();
                        }
                    }
                }
            }
            ports.add(new EndpointPort(null, port.getName(), number,
                    Objects.requireNonNullElse(port.getProtocol(), "TCP")));
        }
        return ports;
    }

    private static String podIp(Pods.Pod pod, boolean hostNetwork, List<Node> nodes) {
        if (hostNetwork) {
            for (Node node : nodes) {
                if (node.getMetadata().getName().equals(pod.node) && node.getStatus() != null
                        && node.getStatus().getAddresses() != null) {
                    for (var address : node.getStatus().getAddresses()) {
                        if ("InternalIP".equals(address.getType())) {
                            return address.getAddress();
                        }
                    }
                }
            }
        }
        int hash = pod.name.hashCode();
        return "10.244." + ((hash >>> 8) & 0xff) + "." + Math.max(2, hash & 0xfe);
    }
}
