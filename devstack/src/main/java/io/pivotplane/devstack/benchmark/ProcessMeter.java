package io.pivotplane.devstack.benchmark;

import com.sun.management.OperatingSystemMXBean;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * CPU time and heap of each JVM of the run, read from its own MXBeans: the services through the attach API and
 * JMX (nothing is sampled, so measuring costs them nothing while they work), this JVM (Kafka, the simulator and
 * the agents) directly. The peak heap is the sum of each heap pool's peak since {@link #start()}.
 */
final class ProcessMeter implements AutoCloseable {

    static final String SELF = "devstack (Kafka, simulator, agents)";

    private final Map<String, Jvm> jvms = new LinkedHashMap<>();
    private final Map<String, Long> cpuAtStart = new LinkedHashMap<>();

    /** @param services the name and process id of each service */
    ProcessMeter(Map<String, Long> services) throws IOException {
        for (Map.Entry<String, Long> service : services.entrySet()) {
            jvms.put(service.getKey(), Jvm.attach(service.getValue()));
        }
        jvms.put(SELF, Jvm.self());
    }

    /** Counts CPU time and heap peaks from now. */
    void start() {
        jvms.forEach((name, jvm) -> {
            cpuAtStart.put(name, jvm.cpuNanos());
            jvm.heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
        });
    }

    /** Each JVM's CPU, in cores, over {@code period} from now: its idle cost, when nothing is asked of it meanwhile. */
    Map<String, Double> coresOver(Duration period) throws InterruptedException {
        start();
        long begin = System.nanoTime();
        Thread.sleep(period.toMillis());
        double seconds = (System.nanoTime() - begin) / 1e9;
        Map<String, Double> cores = new LinkedHashMap<>();
        figures().forEach((name, figures) -> cores.put(name, figures.get("cpuSeconds") / seconds));
        return cores;
    }

    /** The service's heap right after a full collection: what it holds on to. */
    long heapAfterFullGc(String name) {
        MemoryMXBean memory = jvms.get(name).memory();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** CPU seconds and peak heap (MiB) of each JVM since {@link #start()}. */
    Map<String, Map<String, Double>> figures() {
        Map<String, Map<String, Double>> figures = new LinkedHashMap<>();
        jvms.forEach((name, jvm) -> figures.put(name, Map.of(
                "cpuSeconds", (jvm.cpuNanos() - cpuAtStart.getOrDefault(name, 0L)) / 1e9,
                "peakHeapMiB", jvm.heapPools().stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum()
                        / 1048576.0)));
        return figures;
    }

    @Override
    public void close() {
        jvms.values().forEach(Jvm::close);
    }

    private record Jvm(JMXConnector connector, MBeanServerConnection server) {

        static Jvm attach(long pid) throws IOException {
            try {
                VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
                try {
                    JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
                    return new Jvm(connector, connector.getMBeanServerConnection());
                } finally {
                    vm.detach();
                }
            } catch (AttachNotSupportedException e) {
                throw new IOException("cannot attach to process " + pid, e);
            }
        }

        static Jvm self() {
            return new Jvm(null, ManagementFactory.getPlatformMBeanServer());
        }

        long cpuNanos() {
            return proxy(ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME, OperatingSystemMXBean.class).getProcessCpuTime();
        }

        MemoryMXBean memory() {
            return proxy(ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
        }

        List<MemoryPoolMXBean> heapPools() {
            try {
                return ManagementFactory.getPlatformMXBeans(server, MemoryPoolMXBean.class).stream()
                        .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private <T> T proxy(String name, Class<T> type) {
            try {
                return ManagementFactory.newPlatformMXBeanProxy(server, name, type);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        void close() {
            if (connector != null) {
                try {
                    connector.close();
                } catch (IOException e) {
                    // the process is gone already
                }
            }
        }
    }
}
