package io.pivotplane.events.kafka;

import io.pivotplane.events.Topics;
import io.pivotplane.events.access.PlaneAccess;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * An agent's Kafka principal, made and taken back through Kafka's Admin API: SCRAM-SHA-512 credentials, the command
 * topic of its cluster and the grants of {@link PlaneAccess#agent(String)}. Both operations may run again without harm.
 */
public final class AgentPrincipals {

    /** Kafka's default and the least it accepts for SCRAM-SHA-512. */
    private static final int SCRAM_ITERATIONS = 4096;
    private static final Duration IN_EFFECT_POLL = Duration.ofMillis(50);

    private AgentPrincipals() {
    }

    public static void issue(Admin admin, String clusterId, String password, Duration timeout) throws Exception {
        String principal = PlaneAccess.agentPrincipal(clusterId);
        // one partition: the agent's commands are in order, and it reads no one else's
        ignoring(TopicExistsException.class, admin.createTopics(List.of(
                new NewTopic(Topics.agentCommands(clusterId), Optional.of(1), Optional.empty()))).all(), timeout);
        await(admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(principal,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password))).all(), timeout);
        List<AclBinding> grants = KafkaAcls.bindings(principal, PlaneAccess.agent(clusterId));
        await(admin.createAcls(grants).all(), timeout);
        awaitInEffect(admin, principal, grants, timeout);
    }

    /**
     * The Admin API answers once the controller has committed the records; a broker applies them a moment later. An
     * agent started at once would be refused its sign-in or its topics and stop reading, so this waits until the
     * broker answering describes the credentials and every grant.
     */
    private static void awaitInEffect(Admin admin, String principal, List<AclBinding> grants, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean credentials = admin.describeUserScramCredentials(List.of(principal)).description(principal)
                    .toCompletionStage().handle((description, failure) -> failure == null).toCompletableFuture()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            boolean granted = credentials && admin.describeAcls(KafkaAcls.allOf(principal)).values()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).containsAll(grants);
            if (granted) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the broker does not yet know the credentials and grants of " + principal);
            }
            Thread.sleep(IN_EFFECT_POLL.toMillis());
        }
    }

    public static void revoke(Admin admin, String clusterId, Duration timeout) throws Exception {
        String principal = PlaneAccess.agentPrincipal(clusterId);
        await(admin.deleteAcls(List.of(KafkaAcls.allOf(principal))).all(), timeout);
        ignoring(ResourceNotFoundException.class, admin.alterUserScramCredentials(List.of(
                new UserScramCredentialDeletion(principal, ScramMechanism.SCRAM_SHA_512))).all(), timeout);
        ignoring(UnknownTopicOrPartitionException.class,
                admin.deleteTopics(List.of(Topics.agentCommands(clusterId))).all(), timeout);
    }

    private static void await(KafkaFuture<?> future, Duration timeout) throws Exception {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static void ignoring(Class<? extends Exception> harmless, KafkaFuture<?> future, Duration timeout)
            throws Exception {
        try {
            await(future, timeout);
        } catch (Exception e) {
            if (!harmless.isInstance(e)) {
                throw e;
            }
        }
    }
}
