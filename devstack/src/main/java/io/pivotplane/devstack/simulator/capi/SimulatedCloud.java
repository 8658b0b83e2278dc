package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pivotplane.capi.Manifests;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.devstack.infra.MultiClusterApiServer.ClusterApi;
import io.pivotplane.devstack.simulator.cluster.ClusterInternals;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clouds behind the simulated infrastructure providers: each cluster's network infrastructure (ready after the
 * infrastructure delay), VMs that boot after the machine delay and run their bootstrap data as cloud-init would
 * (kubeadm init starts the cluster's API server and uploads kubeadm's ConfigMap; the kubelet registers the Node), and
 * the API server that runs as long as one of its control-plane VMs does. The clouds outlive a pivot: the workload
 * cluster's providers find the VMs and networks the management cluster's made, by their ids.
 */
final class SimulatedCloud {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedCloud.class);
    private static final Duration JOIN_RETRY = Duration.ofSeconds(1);
    private static final int JOIN_ATTEMPTS = 300;

    /** A cluster's network, load balancer and the like in one provider's cloud. */
    record Network(CapiProvider provider, Key cluster, Instant readyAt, String endpointHost, int endpointPort) {

        boolean ready() {
            return !Instant.now().isBefore(readyAt);
        }
    }

    /** A VM and what cloud-init did on it. */
    final class Vm {
        final CapiProvider provider;
        final Key cluster;
        final String name;
        final String hostname;
        final String providerId;
        final String address;
        final Instant runningAt;
        final String userData;
        private volatile boolean deleted;
        private volatile boolean booted;
        private volatile String nodeName;
        private volatile boolean controlPlane;
        private volatile ScheduledFuture<?> boot;

        private Vm(CapiProvider provider, Key cluster, String name, String hostname, String providerId, String address,
                   String userData) {
            this.provider = provider;
            this.cluster = cluster;
            this.name = name;
            this.hostname = hostname;
            this.providerId = providerId;
            this.address = address;
            this.userData = userData;
            this.runningAt = Instant.now().plus(simulation.settings().machineDelay());
        }

        boolean running() {
            return !deleted && !Instant.now().isBefore(runningAt);
        }

        /** How long until it runs; zero once it does. */
        Duration untilRunning() {
            Duration left = Duration.between(Instant.now(), runningAt);
            return left.isNegative() ? Duration.ZERO : left;
        }

        Optional<String> nodeName() {
            return Optional.ofNullable(nodeName);
        }
    }

    /** A workload cluster's API server and the control-plane VMs that serve it. */
    private record ApiServer(ClusterApi api, Set<Vm> controlPlane) {
    }

    private final Simulation simulation;
    private final Map<String, Network> networks = new ConcurrentHashMap<>();
    private final Map<String, Vm> vms = new ConcurrentHashMap<>();
    private final Map<Key, ApiServer> apiServers = new ConcurrentHashMap<>();

    SimulatedCloud(Simulation simulation) {
        this.simulation = simulation;
    }

    // networks

    /** The cluster's network infrastructure, made now if it does not exist, with its load balancer's address. */
    Network network(CapiProvider provider, Key cluster, Supplier<String> endpointHost, int endpointPort) {
        return networks.computeIfAbsent(provider + "/" + cluster, k -> {
            LOG.info("{}: creating the infrastructure of {} (ready in {})", provider.labelValue(), cluster,
                    simulation.settings().infrastructureDelay());
            return new Network(provider, cluster, Instant.now().plus(simulation.settings().infrastructureDelay()),
                    endpointHost.get(), endpointPort);
        });
    }

    void deleteNetwork(CapiProvider provider, Key cluster) {
        if (networks.remove(provider + "/" + cluster) != null) {
            LOG.info("{}: deleted the infrastructure of {}", provider.labelValue(), cluster);
        }
    }

    // VMs

    Optional<Vm> vm(String providerId) {
        return Optional.ofNullable(providerId).map(vms::get).filter(vm -> !vm.deleted);
    }

    /** The VM made for the named infrastructure machine, as a provider finds it by its tags. */
    Optional<Vm> vm(CapiProvider provider, Key cluster, String name) {
        return vms.values().stream().filter(vm -> !vm.deleted && vm.provider == provider && vm.cluster.equals(cluster)
                && vm.name.equals(name)).findFirst();
    }

    boolean hasVms(CapiProvider provider, Key cluster) {
        return vms.values().stream().anyMatch(vm -> !vm.deleted && vm.provider == provider && vm.cluster.equals(cluster));
    }

    /** Makes a VM that boots with {@code userData} after the machine delay. */
    Vm createVm(CapiProvider provider, Key cluster, String name, String hostname, String providerId, String address,
                String userData) {
        Vm vm = new Vm(provider, cluster, name, hostname, providerId, address, userData);
        vms.put(providerId, vm);
        LOG.info("{}: VM {} of {} ({}) boots in {}", provider.labelValue(), name, cluster, providerId,
                simulation.settings().machineDelay());
        schedule(vm, () -> boot(vm, 0), vm.untilRunning());
        return vm;
    }

    private void schedule(Vm vm, Runnable task, Duration delay) {
        try {
            vm.boot = simulation.scheduler().schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the simulator is shutting down
        }
    }

    /** cloud-init: runs kubeadm from the bootstrap data; the kubelet registers its Node. */
    private void boot(Vm vm, int attempt) {
        if (vm.deleted || vm.booted) {
            return;
        }
        try {
            Optional<CloudConfig> parsed = CloudConfig.parse(vm.userData);
            if (parsed.isEmpty()) {
                LOG.warn("{}: VM {} has no kubeadm bootstrap data, nothing runs on it", vm.provider.labelValue(), vm.name);
                vm.booted = true;
                return;
            }
            CloudConfig config = parsed.get();
            ApiServer server;
            if (config.init()) {
                server = initControlPlane(vm, config);
            } else {
                server = apiServers.get(config.cluster());
                if (server == null) {
                    if (attempt < JOIN_ATTEMPTS) {
                        schedule(vm, () -> boot(vm, attempt + 1), JOIN_RETRY);
                    } else {
                        LOG.warn("{}: VM {} gave up joining {}: its API server does not answer", vm.provider.labelValue(),
                                vm.name, config.cluster());
                    }
                    return;
                }
            }
            vm.controlPlane = config.controlPlane();
            if (vm.controlPlane) {
                server.controlPlane().add(vm);
            }
            register(vm, config, server);
            vm.booted = true;
            if (config.init()) {
                simulation.apiServerStarted(config.cluster());
            }
        } catch (RuntimeException e) {
            if (!vm.deleted) {
                LOG.debug("{}: cloud-init of VM {} failed, retrying: {}", vm.provider.labelValue(), vm.name, e.toString());
                schedule(vm, () -> boot(vm, attempt + 1), JOIN_RETRY);
            }
        }
    }

    /** kubeadm init: the cluster's API server starts, kubeadm uploads its configuration. */
    private ApiServer initControlPlane(Vm vm, CloudConfig config) {
        ApiServer existing = apiServers.get(config.cluster());
        if (existing != null) {
            return existing;
        }
        ClusterApi api = simulation.workloads().start();
        ApiServer server = new ApiServer(api, ConcurrentHashMap.newKeySet());
        apiServers.put(config.cluster(), server);
        try {
            api.client().configMaps().inNamespace("kube-system").resource(new ConfigMapBuilder().withNewMetadata()
                    .withName("kubeadm-config").withNamespace("kube-system").endMetadata()
                    .addToData("ClusterConfiguration", Manifests.yaml(config.clusterConfiguration())).build()).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
        LOG.info("{}: kubeadm init on {} started the API server of {} at {}", vm.provider.labelValue(), vm.name,
                config.cluster(), api.url());
        return server;
    }

    /**
     * The kubelet registers the Node, with the VM's provider id when the kubelet sets it itself (its
     * {@code provider-id} argument, or the in-tree {@code gce} cloud provider); the cloud tells the cluster the VM's
     * id, for its cloud-controller-manager.
     */
    private void register(Vm vm, CloudConfig config, ApiServer server) {
        ClusterInternals internals = simulation.internals(server.api()).orElseThrow(() ->
                new IllegalStateException("no cluster internals for " + server.api().url()));
        Map<String, Object> registration = config.nodeRegistration();
        String nodeName = nodeName(registration, vm);
        Map<?, ?> kubeletArgs = registration.get("kubeletExtraArgs") instanceof Map<?, ?> m ? m : Map.of();
        boolean kubeletSetsId = kubeletArgs.containsKey("provider-id") || "gce".equals(kubeletArgs.get("cloud-provider"));
        vm.nodeName = nodeName;
        internals.registerNode(nodeName, vm.controlPlane, registration,
                kubeletSetsId ? Optional.of(vm.providerId) : Optional.empty(), config.kubernetesVersion());
        vm.provider.infrastructureId().ifPresent(id -> internals.machineProviderId(nodeName, vm.providerId, id));
        LOG.info("{}: kubelet on {} registered Node {} in {}", vm.provider.labelValue(), vm.name, nodeName, config.cluster());
    }

    /** The kubelet's node name: kubeadm's {@code nodeRegistration.name}, rendered on the VM (its hostname). */
    private static String nodeName(Map<String, Object> registration, Vm vm) {
        String name = Objects.toString(registration.get("name"), "");
        return name.isEmpty() || name.contains("{{") ? vm.hostname : name;
    }

    /**
     * Deletes the VM: its kubelet goes, and with the last control-plane VM of a cluster its API server (the URL
     * answers 404 from then on; the cluster's simulated controllers, internals and agents stop).
     */
    void deleteVm(String providerId) {
        Vm vm = vms.remove(providerId);
        if (vm == null || vm.deleted) {
            return;
        }
        vm.deleted = true;
        ScheduledFuture<?> boot = vm.boot;
        if (boot != null) {
            boot.cancel(false);
        }
        LOG.info("{}: deleted VM {} of {}", vm.provider.labelValue(), vm.name, vm.cluster);
        ApiServer server = apiServers.get(vm.cluster);
        if (server == null || !vm.booted) {
            return;
        }
        if (vm.controlPlane) {
            server.controlPlane().remove(vm);
            if (server.controlPlane().isEmpty()) {
                apiServers.remove(vm.cluster);
                LOG.info("{}: the last control-plane VM of {} is gone, and with it its API server {}",
                        vm.provider.labelValue(), vm.cluster, server.api().url());
                simulation.workloads().stop(server.api());
                return;
            }
        }
        simulation.internals(server.api()).ifPresent(internals -> vm.nodeName().ifPresent(internals::removeNode));
    }

    /** The API server of the cluster, while one of its control-plane VMs runs. */
    Optional<ClusterApi> apiServer(Key cluster) {
        return Optional.ofNullable(apiServers.get(cluster)).map(ApiServer::api);
    }

    static String address(int third, int fourth) {
        return "10.0." + third + "." + fourth;
    }

    static Map<String, Object> addresses(Vm vm) {
        return ObjectMaps.map("type", "InternalIP", "address", vm.address);
    }
}
