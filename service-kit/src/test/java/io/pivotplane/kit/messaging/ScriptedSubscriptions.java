package io.pivotplane.kit.messaging;

import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.SpecsCreated;
import io.pivotplane.kit.config.MessagingConfig;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The kit's test application: one subscription to {@code cluster.requested} whose handler does what the requested
 * cluster's name says, and answers each request it handles with a {@code SpecsCreated} through the outbox.
 */
@ApplicationScoped
public class ScriptedSubscriptions {

    /** Fails with a transient error every time. */
    static final String FAILS_ALWAYS = "fails-always";
    /** Fails with an error that no retry mends. */
    static final String PERMANENTLY_WRONG = "permanently-wrong";
    /** Waits in its handler until the test releases it. */
    static final String WAITS_FOR_RELEASE = "waits-for-release";
    /** Throws an {@link Error} the first time, as a bug would that escapes every handler's catch, then succeeds. */
    static final String BREAKS_ITS_THREAD_ONCE = "breaks-its-thread-once";

    private final EventConsumers consumers;
    private final MessagingConfig messaging;
    private final Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Set<String> broken = ConcurrentHashMap.newKeySet();
    private final CountDownLatch released = new CountDownLatch(1);

    public ScriptedSubscriptions(EventConsumers consumers, MessagingConfig messaging) {
        this.consumers = consumers;
        this.messaging = messaging;
    }

    void start(@Observes StartupEvent startup) {
        consumers.subscribe("scripted", this::handle);
    }

    @Incoming("scripted")
    @Blocking
    public void scripted(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        consumers.process("scripted", record);
    }

    private List<EventEnvelope<?>> handle(EventEnvelope<?> event) throws InterruptedException {
        ClusterRequested requested = Payloads.expect(event, ClusterRequested.class);
        attempts.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet();
        switch (requested.spec().name()) {
            case FAILS_ALWAYS -> throw new IllegalStateException("the backend is down");
            case PERMANENTLY_WRONG -> throw new PermanentEventException("this request can never be handled");
            case WAITS_FOR_RELEASE -> released.await();
            case BREAKS_ITS_THREAD_ONCE -> {
                if (broken.add(event.id())) {
                    throw new ThreadBreakingBug();
                }
            }
            default -> {
            }
        }
        handled.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet();
        return List.of(EventEnvelope.causedBy(event, messaging.eventSource(),
                new SpecsCreated(requested.clusterId(), requested.spec().project(), List.of(), Instant.now())));
    }

    void release() {
        released.countDown();
    }

    /** Times the handler ran to its end for the event. */
    int handled(String eventId) {
        AtomicInteger count = handled.get(eventId);
        return count == null ? 0 : count.get();
    }

    /** Times the handler was called for the event, however it ended. */
    int attempts(String eventId) {
        AtomicInteger count = attempts.get(eventId);
        return count == null ? 0 : count.get();
    }

    /** Not an {@link Exception}: nothing inside the consumer's handling catches it. */
    static final class ThreadBreakingBug extends Error {
        ThreadBreakingBug() {
            super("a bug no handler catches");
        }
    }
}
