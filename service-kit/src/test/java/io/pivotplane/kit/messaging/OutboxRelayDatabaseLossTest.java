package io.pivotplane.kit.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.testing.InjectInfrastructure;
import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.SpecsCreated;
import io.pivotplane.events.Topics;
import io.pivotplane.kit.persistence.Transactions;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay's database connection drops just after Kafka committed a batch, before the rows are marked, as when
 * PostgreSQL stops or restarts under it: a trigger ends the relay's own session as it marks a row the first time.
 * The relay must neither send those rows again nor lose the marks it recovers when the batch after them fails too.
 */
@QuarkusTest
@TestProfile(OutboxRelayDatabaseLossTest.OneRowPerBatch.class)
@WithTestResource(value = KafkaAndPostgresResource.class,
        initArgs = @ResourceArg(name = KafkaAndPostgresResource.DATABASE_ARG, value = "kit-database-loss"))
class OutboxRelayDatabaseLossTest {

    /** Each row is its own Kafka transaction, so that the second connection drop falls on the batch after the first. */
    public static class OneRowPerBatch implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pivotplane.messaging.outbox.batch-size", "1");
        }
    }

    private static final URI SOURCE = URI.create("/pivotplane/test");

    @InjectInfrastructure
    EmbeddedKafkaBroker kafka;

    @Inject
    Outbox outbox;

    @Inject
    Transactions transactions;

    @Inject
    AgroalDataSource dataSource;

    @BeforeEach
    void dropTheRelaysConnectionOnceForEachChosenRow() throws SQLException {
        execute("""
                CREATE TABLE connection_drop (record_key text PRIMARY KEY, marks text NOT NULL);
                CREATE FUNCTION drop_connection_on_first_mark() RETURNS trigger AS $$
                DECLARE
                    counter text;
                BEGIN
                    SELECT marks INTO counter FROM connection_drop WHERE record_key = NEW.record_key;
                    -- a sequence counts outside the transaction the dropped connection rolls back
                    IF counter IS NOT NULL AND OLD.published_at IS NULL AND NEW.published_at IS NOT NULL
                            AND nextval(counter::regclass) = 1 THEN
                        PERFORM pg_terminate_backend(pg_backend_pid());
                    END IF;
                    RETURN NEW;
                END $$ LANGUAGE plpgsql;
                CREATE TRIGGER drop_connection_on_first_mark BEFORE UPDATE ON outbox_event
                    FOR EACH ROW EXECUTE FUNCTION drop_connection_on_first_mark();
                """);
    }

    @AfterEach
    void removeTheTrigger() throws SQLException {
        execute("""
                DROP TRIGGER drop_connection_on_first_mark ON outbox_event;
                DROP FUNCTION drop_connection_on_first_mark();
                DROP TABLE connection_drop;
                """);
    }

    @Test
    void rowsKafkaCommittedAsTheDatabaseConnectionDroppedArePublishedOnceEachInOrder() throws Exception {
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        String firstMarks = dropConnectionOnFirstMark(first);
        String secondMarks = dropConnectionOnFirstMark(second);

        transactions.inTransaction(connection -> {
            outbox.append(connection, specsCreated(first));
            outbox.append(connection, specsCreated(second));
            return null;
        });
        outbox.wakeUp();

        await().atMost(Duration.ofSeconds(60)).until(() -> published(first) && published(second));
        assertThat(marksAttempted(firstMarks)).as("the connection dropped as %s was first marked", first)
                .isGreaterThanOrEqualTo(2);
        assertThat(marksAttempted(secondMarks)).as("the connection dropped as %s was first marked", second)
                .isGreaterThanOrEqualTo(2);
        assertThat(TopicReader.readAll(kafka.bootstrapServers(), Topics.CLUSTER_SPECS_CREATED).stream()
                .map(ConsumerRecord::key).filter(key -> key.equals(first) || key.equals(second)).toList())
                .as("each event once, in the order of its commit")
                .containsExactly(first, second);
    }

    private String dropConnectionOnFirstMark(String clusterId) throws SQLException {
        String counter = "marks_" + clusterId.replace("-", "_");
        try (Connection connection = dataSource.getConnection();
             Statement create = connection.createStatement();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO connection_drop (record_key, marks) VALUES (?, ?)")) {
            create.execute("CREATE SEQUENCE " + counter);
            insert.setString(1, clusterId);
            insert.setString(2, counter);
            insert.executeUpdate();
        }
        return counter;
    }

    private long marksAttempted(String counter) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             Statement select = connection.createStatement();
             ResultSet row = select.executeQuery("SELECT last_value, is_called FROM " + counter)) {
            row.next();
            return row.getBoolean(2) ? row.getLong(1) : 0;
        }
    }

    private boolean published(String clusterId) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT published_at IS NOT NULL FROM outbox_event WHERE record_key = ?")) {
            select.setString(1, clusterId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static EventEnvelope<SpecsCreated> specsCreated(String clusterId) {
        return EventEnvelope.create(SOURCE, clusterId, new SpecsCreated(clusterId, "team-kit", List.of(),
                Instant.now()));
    }
}
