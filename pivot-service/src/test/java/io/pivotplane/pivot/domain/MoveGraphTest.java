package io.pivotplane.pivot.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MoveGraphTest {

    static GraphNode node(String kind, String name, String uid, String label, String... owners) {
        return new GraphNode("v1", kind, name, uid, List.of(owners), label);
    }

    @Test
    void takesWhatBelongsToTheClusterAndWhatItOwnsOwnersFirst() {
        List<GraphNode> namespace = List.of(
                node("Machine", "a-m1", "m1", "a", "kcp"),
                node("KubeadmConfig", "a-m1", "kc1", null, "m1"),
                node("KubeadmControlPlane", "a", "kcp", "a", "c"),
                node("Cluster", "a", "c", "a"),
                node("Secret", "a-kubeconfig", "s1", null, "kcp"),
                node("Cluster", "b", "cb", "b"),
                node("Machine", "b-m1", "mb", "b", "cb"));

        List<GraphNode> plan = MoveGraph.plan(namespace, n -> "a".equals(n.clusterNameLabel()));

        assertThat(plan).extracting(GraphNode::uid).containsExactly("c", "kcp", "s1", "m1", "kc1");
    }

    @Test
    void refusesOwnershipCycles() {
        List<GraphNode> cyclic = List.of(node("Machine", "x", "x", "a", "y"), node("Machine", "y", "y", "a", "x"));

        assertThatThrownBy(() -> MoveGraph.plan(cyclic, n -> true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cycle");
    }
}
