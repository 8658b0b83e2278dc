package io.pivotplane.request.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Of two replicas, one does the work; when it stops, the other takes over. */
class LeaderOnlyTest {

    static final LeaderOnly.Timing QUICK = new LeaderOnly.Timing(Duration.ofSeconds(3), Duration.ofSeconds(2),
            Duration.ofMillis(300));

    final KubernetesApiServer server = KubernetesApiServer.start(0);
    final AtomicInteger working = new AtomicInteger();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void oneReplicaWorksAtATimeAndAnotherTakesOverWhenItStops() {
        server.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("pivotplane")
                .endMetadata().build()).create();
        LeaderOnly first = replica("replica-a");
        LeaderOnly second = replica("replica-b");
        first.start();
        second.start();

        await().atMost(Duration.ofSeconds(15)).until(() -> first.isLeading() || second.isLeading());
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> working.get() == 1 && first.isLeading() != second.isLeading());
        LeaderOnly leader = first.isLeading() ? first : second;
        LeaderOnly other = leader == first ? second : first;

        leader.close();

        await().atMost(Duration.ofSeconds(15)).until(other::isLeading);
        assertThat(working.get()).isEqualTo(1);
        assertThat(server.client().leases().inNamespace("pivotplane").withName("cluster-requests").get()
                .getSpec().getHolderIdentity()).isEqualTo(other == first ? "replica-a" : "replica-b");
        other.close();
        assertThat(working.get()).isZero();
    }

    private LeaderOnly replica(String identity) {
        return new LeaderOnly(server.client(), "pivotplane", "cluster-requests", identity, QUICK,
                working::incrementAndGet, working::decrementAndGet);
    }
}
