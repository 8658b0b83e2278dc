package io.pivotplane.devstack.testing;

import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.infra.EmbeddedPostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A real Kafka broker and a real PostgreSQL for a {@code @QuarkusTest}, on free ports, removed after the tests:
 * {@code @WithTestResource(KafkaAndPostgresResource.class)}. The argument {@code database} names the service's
 * database (default {@code pivotplane}); {@code principal} the Kafka principal the service signs in as, one of
 * {@link io.pivotplane.events.access.PlaneAccess}'s services, so that its tests show its ACLs suffice (default the
 * broker's admin, for tests of shared code). Fields annotated {@link InjectInfrastructure} receive the broker and
 * the database server, so that a test can take Kafka down and bring it back.
 */
public class KafkaAndPostgresResource implements QuarkusTestResourceLifecycleManager {

    public static final String DATABASE_ARG = "database";
    public static final String PRINCIPAL_ARG = "principal";

    private String database = "pivotplane";
    private String principal = EmbeddedKafkaBroker.ADMIN;
    private EmbeddedKafkaBroker kafka;
    private EmbeddedPostgresServer postgres;

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault(DATABASE_ARG, database);
        principal = initArgs.getOrDefault(PRINCIPAL_ARG, principal);
    }

    @Override
    public Map<String, String> start() {
        CompletableFuture<EmbeddedKafkaBroker> startingKafka =
                CompletableFuture.supplyAsync(() -> EmbeddedKafkaBroker.start(0, null, 1));
        CompletableFuture<EmbeddedPostgresServer> startingPostgres =
                CompletableFuture.supplyAsync(() -> EmbeddedPostgresServer.start(0));
        kafka = startingKafka.join();
        postgres = startingPostgres.join();
        postgres.createDatabase(database);

        Map<String, String> config = new HashMap<>(kafka.serviceConfig(principal));
        config.put("quarkus.datasource.reactive.url", postgres.reactiveUrl(database));
        config.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl(database));
        config.put("quarkus.datasource.username", EmbeddedPostgresServer.USER);
        config.put("quarkus.datasource.password", EmbeddedPostgresServer.PASSWORD);
        return config;
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(kafka,
                new TestInjector.AnnotatedAndMatchesType(InjectInfrastructure.class, EmbeddedKafkaBroker.class));
        testInjector.injectIntoFields(postgres,
                new TestInjector.AnnotatedAndMatchesType(InjectInfrastructure.class, EmbeddedPostgresServer.class));
    }

    @Override
    public void stop() {
        try {
            if (kafka != null) {
                kafka.close();
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }
}
