package io.pivotplane.events.kafka;

import io.pivotplane.events.access.KafkaGrant;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

/** The plane's {@link KafkaGrant}s as Kafka's ACL bindings, for the Admin API. */
public final class KafkaAcls {

    private KafkaAcls() {
    }

    public static String userPrincipal(String name) {
        return "User:" + name;
    }

    /** One allowing binding per operation of each grant, for any host. */
    public static List<AclBinding> bindings(String principal, List<KafkaGrant> grants) {
        return grants.stream().flatMap(grant -> grant.operations().stream()
                        .sorted()
                        .map(operation -> new AclBinding(
                                new ResourcePattern(resourceType(grant.type()), grant.name(),
                                        grant.prefixed() ? PatternType.PREFIXED : PatternType.LITERAL),
                                new AccessControlEntry(userPrincipal(principal), "*", AclOperation.valueOf(operation.name()),
                                        AclPermissionType.ALLOW))))
                .toList();
    }

    /** Every binding of one principal, whatever its resource: what revoking a principal deletes. */
    public static AclBindingFilter allOf(String principal) {
        return new AclBindingFilter(ResourcePatternFilter.ANY,
                new AccessControlEntryFilter(userPrincipal(principal), null, AclOperation.ANY, AclPermissionType.ANY));
    }

    private static ResourceType resourceType(KafkaGrant.Resource resource) {
        return switch (resource) {
            case TOPIC -> ResourceType.TOPIC;
            case GROUP -> ResourceType.GROUP;
            case TRANSACTIONAL_ID -> ResourceType.TRANSACTIONAL_ID;
            case CLUSTER -> ResourceType.CLUSTER;
        };
    }
}
