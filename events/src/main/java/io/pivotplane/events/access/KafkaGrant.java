package io.pivotplane.events.access;

import java.util.Set;

/**
 * One Kafka ACL that allows: a principal may do {@code operations} on the resource {@code name} of {@code type}, or on
 * every resource whose name starts with it when {@code prefixed}. Only allowing grants exist: what is not granted is
 * refused (the broker runs with {@code allow.everyone.if.no.acl.found=false}).
 */
public record KafkaGrant(Resource type, String name, boolean prefixed, Set<Operation> operations) {

    /** The resource types of Kafka's ACLs that the plane grants on. */
    public enum Resource { TOPIC, GROUP, TRANSACTIONAL_ID, CLUSTER }

    /** Kafka's ACL operations that the plane grants; READ and WRITE imply DESCRIBE on the broker. */
    public enum Operation { READ, WRITE, CREATE, DELETE, DESCRIBE, ALTER }

    public KafkaGrant {
        operations = Set.copyOf(operations);
        if (operations.isEmpty()) {
            throw new IllegalArgumentException("a grant on " + type + " " + name + " grants nothing");
        }
    }

    public static KafkaGrant topic(String name, Operation... operations) {
        return new KafkaGrant(Resource.TOPIC, name, false, Set.of(operations));
    }

    public static KafkaGrant topicsStartingWith(String prefix, Operation... operations) {
        return new KafkaGrant(Resource.TOPIC, prefix, true, Set.of(operations));
    }

    public static KafkaGrant group(String name) {
        return new KafkaGrant(Resource.GROUP, name, false, Set.of(Operation.READ));
    }

    public static KafkaGrant groupsStartingWith(String prefix) {
        return new KafkaGrant(Resource.GROUP, prefix, true, Set.of(Operation.READ));
    }

    public static KafkaGrant transactionalId(String name) {
        return new KafkaGrant(Resource.TRANSACTIONAL_ID, name, false, Set.of(Operation.WRITE));
    }

    public static KafkaGrant cluster(Operation... operations) {
        return new KafkaGrant(Resource.CLUSTER, "kafka-cluster", false, Set.of(operations));
    }
}
