package io.pivotplane.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pivotplane.devstack.infra.EmbeddedPostgresServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A local stack killed with SIGKILL leaves nothing running, and nothing on disk after the next start. */
class StackLeftoversTest {

    @TempDir
    Path project;

    final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void theReaperStopsAndDeletesWhatAStackRecordedOnceItsJvmIsGone() throws Exception {
        Process jvm = sleeper();
        Process service = sleeper();
        Path dataDir = Files.createDirectories(project.resolve("pivotplane-kafka-1"));
        StackLeftovers leftovers = recorded(jvm, service, dataDir);
        started.add(leftovers.startReaper(jvm.toHandle()));

        jvm.destroyForcibly();

        await().atMost(Duration.ofSeconds(15)).until(() -> !service.isAlive() && !Files.exists(dataDir)
                && !leftovers.exists());
    }

    @Test
    void theNextStartRemovesWhatAKilledStackAndItsKilledReaperLeft() throws Exception {
        Process jvm = sleeper();
        Process service = sleeper();
        Path dataDir = Files.createDirectories(project.resolve("pivotplane-pg-1"));
        StackLeftovers leftovers = recorded(jvm, service, dataDir);
        jvm.destroyForcibly();
        jvm.waitFor();

        List<String> removed = StackLeftovers.removeAbandoned(project);

        assertThat(removed).contains("process " + service.pid(), dataDir.toAbsolutePath().toString());
        assertThat(service.isAlive()).isFalse();
        assertThat(dataDir).doesNotExist();
        assertThat(leftovers.exists()).isFalse();
    }

    @Test
    void theRecordOfAStackThatStillRunsIsLeftAlone() throws Exception {
        Process service = sleeper();
        StackLeftovers running = StackLeftovers.create(project);
        running.process("spec-service", service.toHandle());

        assertThat(StackLeftovers.removeAbandoned(project)).isEmpty();
        assertThat(service.isAlive()).isTrue();
        assertThat(running.exists()).isTrue();
    }

    @Test
    void aFixedPortSomethingListensOnIsRefusedSayingWhich() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> LocalStack.requireFree(taken.getLocalPort(), "Kafka", "--kafka-port"))
                    .hasMessageContaining("port " + taken.getLocalPort() + " for Kafka is taken")
                    .hasMessageContaining("--kafka-port");
        }
    }

    @Test
    void postgresStoppedAndStartedAgainKeepsItsDatabases() throws Exception {
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(0)) {
            postgres.createDatabase("kept");
            postgres.stop();
            assertThat(postgres.isRunning()).isFalse();

            postgres.restart();

            try (var connection = DriverManager.getConnection(postgres.jdbcUrl("kept"), EmbeddedPostgresServer.USER,
                    EmbeddedPostgresServer.PASSWORD)) {
                assertThat(connection.isValid(5)).isTrue();
            }
        }
    }

    /** A stack run by {@code jvm}, with one service and one data directory. */
    private StackLeftovers recorded(Process jvm, Process service, Path dataDir) {
        StackLeftovers leftovers = StackLeftovers.create(project, jvm.toHandle());
        leftovers.process("pivot-service", service.toHandle());
        leftovers.directory(dataDir);
        return leftovers;
    }

    private Process sleeper() throws IOException {
        Process process = new ProcessBuilder("sleep", "600").start();
        started.add(process);
        return process;
    }
}
