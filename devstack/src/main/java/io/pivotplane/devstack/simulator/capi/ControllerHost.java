package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.pivotplane.devstack.infra.MultiClusterApiServer.ClusterApi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated controllers that run in one cluster, the management cluster or a workload cluster that manages
 * itself: every provider's controllers are there, each acting only while its provider runs in that cluster (a
 * workload cluster that received CAPI objects but no providers does nothing with them), and Kubernetes' own garbage
 * collector.
 */
public final class ControllerHost implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControllerHost.class);

    private final String name;
    private final Api api;
    private final Simulation simulation;
    private final ProviderGate gate;
    private final RemoteClusters remote;
    private final WorkQueue queue;
    private final List<Controller> controllers = new ArrayList<>();
    private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The management cluster's client, which the host watches; null for a workload cluster's. */
    private KubernetesClient client;
    /** The kinds watched so far, by their CRD's name. */
    private final java.util.Set<String> watched = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final java.util.Map<String, Kind> KNOWN_BY_CRD = Kind.knownKinds().stream()
            .collect(java.util.stream.Collectors.toMap(Kind::crdName, k -> k));
    private volatile boolean closed;

    private ControllerHost(String name, KubernetesClient client, Simulation simulation) {
        this.name = name;
        this.api = new Api(client);
        this.simulation = simulation;
        this.queue = new WorkQueue(name, simulation.scheduler(),
                controller -> controller.provider() == null || gate().running(controller.provider()));
        this.gate = new ProviderGate(name, this::resync);
        this.remote = new RemoteClusters(api, simulation, this::workloadChanged);
        controllers.addAll(List.of(
                new ClusterController(this), new MachineController(this), new MachineSetController(this),
                new MachineDeploymentController(this), new MachineHealthCheckController(this),
                new KubeadmConfigController(this),
                new KubeadmControlPlaneController(this),
                new AwsClusterController(this), new AwsMachineController(this), new AwsControllerIdentityCreator(this),
                new AzureClusterController(this), new AzureMachineController(this), new AzureJsonTemplateController(this),
                new GcpClusterController(this), new GcpMachineController(this),
                new VSphereClusterController(this), new VSphereMachineController(this), new VSphereVmController(this),
                new VSphereClusterIdentityController(this),
                new MaasClusterController(this), new MaasMachineController(this),
                new GarbageCollector(this)));
    }

    /**
     * The controllers of the management cluster behind {@code client}, woken by watches of the kinds they read: of
     * Deployments and CRDs from the start, of a provider's kind once its CRD exists (before, a real API server answers
     * it with 404), as a provider's manager starts only where its CRDs are.
     */
    public static ControllerHost inManagement(KubernetesClient client, Simulation simulation) {
        ControllerHost host = new ControllerHost("management", client, simulation);
        simulation.register(host);
        host.client = client;
        host.watch(Kind.DEPLOYMENT);
        host.watch(Kind.CUSTOM_RESOURCE_DEFINITION);
        return host;
    }

    private void watch(Kind kind) {
        if (closed || client == null || !watched.add(kind.crdName())) {
            return;
        }
        var resources = client.genericKubernetesResources(kind.context());
        SharedIndexInformer<GenericKubernetesResource> informer = kind.namespaced()
                ? resources.inAnyNamespace().runnableInformer(0) : resources.runnableInformer(0);
        informer.addEventHandler(new Handler());
        informer.exceptionHandler((started, error) -> !closed);
        informer.start();
        informers.add(informer);
    }

    /**
     * The controllers of a workload cluster, which act once providers are installed there (after its pivot), woken by
     * the changes its store reports in this JVM: no watch connections per simulated cluster.
     */
    public static ControllerHost inWorkload(ClusterApi workload, Simulation simulation) {
        ControllerHost host = new ControllerHost("workload " + workload.url(), workload.client(), simulation);
        workload.addChangeListener(host::changed);
        simulation.register(host);
        return host;
    }

    private final class Handler implements ResourceEventHandler<GenericKubernetesResource> {

        @Override
        public void onAdd(GenericKubernetesResource object) {
            changed(null, object);
        }

        @Override
        public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
            changed(before, after);
        }

        @Override
        public void onDelete(GenericKubernetesResource object, boolean deletedFinalStateUnknown) {
            changed(object, null);
        }
    }

    /** A change to an object of this cluster: {@code before} null when created, {@code after} null when deleted. */
    void changed(GenericKubernetesResource before, GenericKubernetesResource after) {
        if (closed) {
            return;
        }
        GenericKubernetesResource object = after != null ? after : before;
        gate.changed(before, after);
        if (after != null && Kind.CUSTOM_RESOURCE_DEFINITION.kind().equals(after.getKind())
                && KNOWN_BY_CRD.containsKey(after.getMetadata().getName())) {
            watch(KNOWN_BY_CRD.get(after.getMetadata().getName()));
        }
        for (Controller controller : controllers) {
            if (controller instanceof GarbageCollector collector) {
                if (after == null) {
                    collector.deleted(before);
                }
            } else if (controller.watches().contains(object.getKind())) {
                controller.keysFor(object).forEach(key -> queue.add(controller, key, Duration.ZERO));
            }
        }
    }

    /** A provider started running here: its controllers look at everything. */
    private void resync(CapiProvider provider) {
        for (Controller controller : controllers) {
            if (controller.provider() == provider) {
                execute(() -> controller.allKeys().forEach(key -> queue.add(controller, key, Duration.ZERO)));
            }
        }
    }

    void workloadChanged(Key cluster) {
        for (Controller controller : controllers) {
            if (controller.watchesWorkloads()) {
                queue.add(controller, cluster, Duration.ZERO);
            }
        }
    }

    void enqueue(Controller controller, Key key, Duration delay) {
        queue.add(controller, key, delay);
    }

    /** Wakes a controller of another kind for the key, as a watch of the object this one just wrote would. */
    void enqueue(Class<? extends Controller> type, Key key) {
        controllers.stream().filter(type::isInstance).forEach(c -> queue.add(c, key, Duration.ZERO));
    }

    private void execute(Runnable task) {
        if (closed) {
            return;
        }
        try {
            simulation.scheduler().execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    if (!closed) {
                        LOG.debug("[{}] {}", name, e.toString());
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    String name() {
        return name;
    }

    Api api() {
        return api;
    }

    ProviderGate gate() {
        return gate;
    }

    RemoteClusters remote() {
        return remote;
    }

    Simulation simulation() {
        return simulation;
    }

    boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        simulation.unregister(this);
        queue.close();
        remote.close();
        informers.forEach(SharedIndexInformer::close);
    }
}
