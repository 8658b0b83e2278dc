package io.pivotplane.addon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.testing.AgentIdentity;
import io.pivotplane.devstack.testing.InjectInfrastructure;
import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.devstack.testing.TopicWriter;
import io.pivotplane.events.AddonsInstalled;
import io.pivotplane.events.AgentCommand;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.AgentVersionReported;
import io.pivotplane.events.AgentVersions;
import io.pivotplane.events.ClusterEvent;
import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Pivoted;
import io.pivotplane.events.ClusterChangeRequested;
import io.pivotplane.events.ClusterChanged;
import io.pivotplane.events.ProfileChanged;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.Condition;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.Stage;
import io.pivotplane.events.Topics;
import io.pivotplane.events.model.Addon;
import io.pivotplane.events.access.PlaneAccess;
import io.pivotplane.events.kafka.AgentMacs;
import io.pivotplane.events.kafka.KafkaSasl;
import io.pivotplane.events.model.AddonResult;
import io.pivotplane.events.model.Profile;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** addon-service against a real broker and PostgreSQL; the test plays the agent. */
@QuarkusTest
@WithTestResource(value = KafkaAndPostgresResource.class,
        initArgs = {@ResourceArg(name = KafkaAndPostgresResource.DATABASE_ARG, value = "addons"),
                @ResourceArg(name = KafkaAndPostgresResource.PRINCIPAL_ARG, value = "addon-service")})
class AddonServiceTest {

    static final URI SOURCE = URI.create("/pivotplane/test");

    @InjectInfrastructure
    EmbeddedKafkaBroker kafka;
    @ConfigProperty(name = "pivotplane.agent-keys.secret")
    String planeSecret;

    @Test
    void installsLayerByLayerAfterThePivotAndTheScalingThenReportsAddonsInstalled() {
        String clusterId = UUID.randomUUID().toString();
        publish(new Pivoted(clusterId, "http://127.0.0.1:1/", List.of(), Instant.now()));
        publish(new ClusterRequested(clusterId, TestClusters.vsphere("team-addons", "layers", 1, 0, List.of(
                new Addon("prometheus", null, "1.0", List.of("kind: ConfigMap")),
                new Addon("vsphere-csi", "csi", "3.3", List.of("kind: DaemonSet")))), Instant.now()));
        publish(report(clusterId, AgentReport.Kind.HEARTBEAT, null, null));
        assertThat(commandsFor(clusterId)).isEmpty();

        publish(report(clusterId, AgentReport.Kind.SCALED, null, null));
        AgentCommand csi = awaitCommands(clusterId, 1).get(0);
        assertThat(csi.addon().name()).isEqualTo("vsphere-csi");
        assertThat(csi.kind()).isEqualTo(AgentCommand.Kind.INSTALL_ADDON);

        publish(report(clusterId, AgentReport.Kind.ADDON_RESULT, csi.commandId(),
                new AddonResult("vsphere-csi", AddonResult.State.INSTALLED, "ok")));
        AgentCommand next = awaitCommands(clusterId, 2).get(1);
        assertThat(next.addon().name()).isEqualTo("prometheus");
        publish(report(clusterId, AgentReport.Kind.ADDON_RESULT, next.commandId(),
                new AddonResult("prometheus", AddonResult.State.INSTALLED, "ok")));

        AddonsInstalled installed = awaitOne(Topics.CLUSTER_ADDONS_INSTALLED, clusterId, AddonsInstalled.class);
        assertThat(installed.addons()).extracting(AddonResult::name)
                .containsExactly("flannel", "vsphere-csi", "prometheus");
        assertThat(installed.addons().get(0).message()).contains("bootstrap layer");
        // the network plugin went onto the cluster with pivot-service's bootstrap layer: it is never sent again
        assertThat(commandsFor(clusterId)).extracting(command -> command.addon().name())
                .containsExactly("vsphere-csi", "prometheus");
    }

    @Test
    void anAddonThatKeepsFailingEndsInProvisioningFailedNamingItAndTheReason() {
        String clusterId = UUID.randomUUID().toString();
        publish(new ClusterRequested(clusterId, TestClusters.vsphere("team-addons", "broken", 1, 0, List.of(
                new Addon("flaky-csi", "csi", "0.1", List.of()))), Instant.now()));
        publish(new Pivoted(clusterId, "http://127.0.0.1:1/", List.of(), Instant.now()));
        publish(report(clusterId, AgentReport.Kind.SCALED, null, null));

        for (int attempt = 1; attempt <= 2; attempt++) {
            AgentCommand command = awaitCommands(clusterId, attempt).get(attempt - 1);
            publish(report(clusterId, AgentReport.Kind.ADDON_RESULT, command.commandId(),
                    new AddonResult("flaky-csi", AddonResult.State.FAILED, "StorageClass refused")));
        }

        ProvisioningFailed failed = awaitOne(Topics.CLUSTER_FAILED, clusterId, ProvisioningFailed.class);
        assertThat(failed.stage()).isEqualTo(Stage.ADDONS_INSTALLED);
        assertThat(failed.reason()).isEqualTo("AddonFailed");
        assertThat(failed.message()).contains("'flaky-csi'", "StorageClass refused");
        assertThat(events(Topics.CLUSTER_ADDONS_INSTALLED, clusterId)).isEmpty();
        assertThat(commandsFor(clusterId)).hasSize(2);
    }

    @Test
    void aReportNotSignedByTheClustersOwnAgentIsDeadLetteredAndChangesNothingWhileCommandsCarryTheAgentsMac() {
        String clusterId = UUID.randomUUID().toString();
        publish(new ClusterRequested(clusterId, TestClusters.vsphere("team-addons", "forged", 1, 0, List.of(
                new Addon("csi", "csi", "1.0", List.of("kind: DaemonSet")))), Instant.now()));
        publish(new Pivoted(clusterId, "http://127.0.0.1:1/", List.of(), Instant.now()));
        EventEnvelope<?> unsigned = EventEnvelope.create(SOURCE, "corr", report(clusterId, AgentReport.Kind.SCALED,
                null, null));
        TopicWriter.send(kafka.bootstrapServers(), unsigned);
        // another cluster's agent, signed in as itself, speaking for this cluster with the only key it has
        String another = UUID.randomUUID().toString();
        byte[] secret = AgentMacs.decodeKey(planeSecret, "the test's secret");
        AgentIdentity.issue(kafka.bootstrapServers(), another, secret);
        EventEnvelope<?> byAnotherAgent = EventEnvelope.create(SOURCE, "corr", report(clusterId,
                AgentReport.Kind.SCALED, null, null));
        TopicWriter.sendAsAgent(kafka.bootstrapServers(), KafkaSasl.scram(KafkaSasl.LOCAL_PROTOCOL,
                        PlaneAccess.agentPrincipal(another), AgentMacs.agentKafkaPassword(secret, another)),
                byAnotherAgent, TestEvents.agentKey(planeSecret, another));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                TopicReader.readRaw(kafka.bootstrapServers(), Topics.deadLetter(Topics.AGENT_REPORTS)).stream()
                        .filter(record -> clusterId.equals(record.key()))
                        .map(record -> new String(record.headers().lastHeader("dlq_reason").value())))
                .hasSize(2).allSatisfy(reason -> assertThat(reason)
                        .contains("not signed by the agent of cluster '" + clusterId + "'")));
        assertThat(commandsFor(clusterId)).isEmpty();

        publish(report(clusterId, AgentReport.Kind.SCALED, null, null));
        AgentCommand csi = awaitCommands(clusterId, 1).get(0);
        var sent = TopicReader.readRaw(kafka.bootstrapServers(), Topics.agentCommands(clusterId)).stream()
                .filter(record -> clusterId.equals(record.key())).findFirst().orElseThrow();
        assertThat(AgentMacs.verify(sent.headers(), sent.value(), TestEvents.agentKey(planeSecret, clusterId),
                AgentMacs.Direction.COMMAND)).as("the command %s carries its agent's MAC", csi.commandId()).isTrue();
    }

    @Test
    void anAddonWaitsForWhatItDependsOnWhileIndependentOnesOfItsPriorityGoTogether() {
        String clusterId = UUID.randomUUID().toString();
        Addon widgets = addon("widgets", 0, List.of(), false);
        Addon firstWidget = addon("first-widget", 0, List.of("widgets"), false);
        Addon dashboards = addon("dashboards", 0, List.of(), false);
        Addon backup = addon("backup", 5, List.of(), false);
        requestedPivotedAndScaled(clusterId, "ordered", List.of(backup, firstWidget, widgets, dashboards));

        List<AgentCommand> first = awaitCommands(clusterId, 2);
        assertThat(first).extracting(command -> command.addon().name())
                .containsExactlyInAnyOrder("widgets", "dashboards");
        answer(clusterId, first, "dashboards", AddonResult.State.INSTALLED);
        assertThat(commandsFor(clusterId)).as("first-widget waits for widgets, backup for priority 0").hasSize(2);

        answer(clusterId, first, "widgets", AddonResult.State.INSTALLED);
        AgentCommand dependant = awaitCommands(clusterId, 3).get(2);
        assertThat(dependant.addon().name()).isEqualTo("first-widget");
        answer(clusterId, List.of(dependant), "first-widget", AddonResult.State.INSTALLED);

        AgentCommand last = awaitCommands(clusterId, 4).get(3);
        assertThat(last.addon().name()).isEqualTo("backup");
        answer(clusterId, List.of(last), "backup", AddonResult.State.INSTALLED);
        assertThat(awaitOne(Topics.CLUSTER_ADDONS_INSTALLED, clusterId, AddonsInstalled.class).addons())
                .allSatisfy(result -> assertThat(result.state()).isEqualTo(AddonResult.State.INSTALLED));
    }

    @Test
    void anAddonThatMayFailIsRetriedThenDegradedAndTheRestOfTheProfileStillInstalls() {
        String clusterId = UUID.randomUUID().toString();
        Addon monitoring = addon("monitoring", 0, List.of(), true);
        Addon alerts = addon("alerts", 1, List.of("monitoring"), true);
        Addon ingress = addon("ingress", 1, List.of(), false);
        requestedPivotedAndScaled(clusterId, "degraded", List.of(monitoring, alerts, ingress));

        for (int attempt = 1; attempt <= 2; attempt++) {
            AgentCommand command = awaitCommands(clusterId, attempt).get(attempt - 1);
            Instant answered = Instant.now();
            answer(clusterId, List.of(command), "monitoring", AddonResult.State.FAILED);
            if (attempt == 1) {
                AgentCommand retry = awaitCommands(clusterId, 2).get(1);
                assertThat(retry.issuedAt()).as("sent again after the back-off").isAfterOrEqualTo(
                        answered.plusMillis(100));
            }
        }
        AgentCommand ingressCommand = awaitCommands(clusterId, 3).get(2);
        assertThat(ingressCommand.addon().name()).as("alerts needs monitoring, which failed: never sent")
                .isEqualTo("ingress");
        answer(clusterId, List.of(ingressCommand), "ingress", AddonResult.State.INSTALLED);

        AddonsInstalled installed = awaitOne(Topics.CLUSTER_ADDONS_INSTALLED, clusterId, AddonsInstalled.class);
        assertThat(installed.addons()).filteredOn(r -> r.state() == AddonResult.State.DEGRADED)
                .extracting(AddonResult::name).containsExactlyInAnyOrder("monitoring", "alerts");
        assertThat(installed.addons()).filteredOn(r -> r.name().equals("monitoring")).singleElement()
                .satisfies(r -> assertThat(r.message()).contains("failed 2 time(s)", "monitoring refused"));
        assertThat(installed.addons()).filteredOn(r -> r.name().equals("alerts")).singleElement()
                .satisfies(r -> assertThat(r.message()).contains("depends on 'monitoring'"));
        assertThat(installed.addons()).filteredOn(r -> r.name().equals("ingress")).singleElement()
                .satisfies(r -> assertThat(r.state()).isEqualTo(AddonResult.State.INSTALLED));
        assertThat(events(Topics.CLUSTER_FAILED, clusterId)).isEmpty();
        assertThat(commandsFor(clusterId)).hasSize(3);
    }

    @Test
    void aDependantThatMayNotFailFailsTheClusterWhenItsDependencyIsDegraded() {
        String clusterId = UUID.randomUUID().toString();
        requestedPivotedAndScaled(clusterId, "blocked", List.of(addon("operator", 0, List.of(), true),
                addon("operand", 1, List.of("operator"), false)));

        for (int attempt = 1; attempt <= 2; attempt++) {
            answer(clusterId, List.of(awaitCommands(clusterId, attempt).get(attempt - 1)), "operator",
                    AddonResult.State.FAILED);
        }

        ProvisioningFailed failed = awaitOne(Topics.CLUSTER_FAILED, clusterId, ProvisioningFailed.class);
        assertThat(failed.message()).contains("'operand'", "depends on 'operator'");
        assertThat(commandsFor(clusterId)).extracting(command -> command.addon().name())
                .containsExactly("operator", "operator");
    }

    @Test
    void aClusterMovedToANewProfileVersionUninstallsWhatItDropsThenUpgradesAndInstallsAndReportsAgain() {
        String clusterId = UUID.randomUUID().toString();
        Addon widgets = addon("widgets", 0, List.of(), false);
        Addon firstWidget = addon("first-widget", 1, List.of("widgets"), false);
        Addon namespace = addon("team-namespace", 0, List.of(), false);
        requestedPivotedAndScaled(clusterId, "moves", List.of(widgets, firstWidget, namespace));
        List<AgentCommand> first = awaitCommands(clusterId, 2);
        answer(clusterId, first, "widgets", AddonResult.State.INSTALLED);
        answer(clusterId, first, "team-namespace", AddonResult.State.INSTALLED);
        answer(clusterId, List.of(awaitCommands(clusterId, 3).get(2)), "first-widget", AddonResult.State.INSTALLED);
        awaitOne(Topics.CLUSTER_ADDONS_INSTALLED, clusterId, AddonsInstalled.class);

        Addon widgetsUpgraded = new Addon("widgets", "addon", "1.1", List.of("kind: ConfigMap"), null, 0, List.of(),
                false, 60);
        Addon dashboard = addon("widget-dashboard", 1, List.of("widgets"), false);
        publish(new ProfileChanged(clusterId, 1, new Profile("baseline", "1.1.0", List.of(
                TestClusters.flannel(), widgetsUpgraded, dashboard, namespace)), Instant.now()));

        AgentCommand removal = awaitCommands(clusterId, 4).get(3);
        assertThat(removal.kind()).isEqualTo(AgentCommand.Kind.UNINSTALL_ADDON);
        assertThat(removal.addon().name()).isEqualTo("first-widget");
        assertThat(commandsFor(clusterId)).as("nothing installs before what is dropped is gone").hasSize(4);
        publish(report(clusterId, AgentReport.Kind.ADDON_RESULT, removal.commandId(),
                new AddonResult("first-widget", AddonResult.State.REMOVED, "1 object(s) deleted")));

        AgentCommand upgrade = awaitCommands(clusterId, 5).get(4);
        assertThat(upgrade.kind()).isEqualTo(AgentCommand.Kind.INSTALL_ADDON);
        assertThat(upgrade.addon()).isEqualTo(widgetsUpgraded);
        answer(clusterId, List.of(upgrade), "widgets", AddonResult.State.INSTALLED);
        AgentCommand added = awaitCommands(clusterId, 6).get(5);
        assertThat(added.addon().name()).isEqualTo("widget-dashboard");
        answer(clusterId, List.of(added), "widget-dashboard", AddonResult.State.INSTALLED);

        await().atMost(Duration.ofSeconds(30)).until(() -> events(Topics.CLUSTER_ADDONS_INSTALLED, clusterId).size() == 2);
        AddonsInstalled again = (AddonsInstalled) events(Topics.CLUSTER_ADDONS_INSTALLED, clusterId).get(1);
        assertThat(again.generation()).isEqualTo(1);
        assertThat(again.addons()).extracting(AddonResult::name)
                .containsExactly("flannel", "widgets", "team-namespace", "widget-dashboard");
        assertThat(again.addons()).filteredOn(r -> r.name().equals("team-namespace")).singleElement()
                .satisfies(r -> assertThat(r.message()).contains("unchanged since generation 0"));
        assertThat(commandsFor(clusterId)).as("the unchanged add-on is not sent again").hasSize(6);

        publish(new ProfileChanged(clusterId, 1, new Profile("baseline", "1.1.0", List.of()), Instant.now()));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(commandsFor(clusterId)).as("a repeated change changes nothing").hasSize(6));
    }

    @Test
    void aClusterWithOnlyItsNetworkPluginIsDoneOnceItHasScaled() {
        String clusterId = UUID.randomUUID().toString();
        publish(new ClusterRequested(clusterId, TestClusters.vsphere("team-addons", "bare", 1, 0, List.of()),
                Instant.now()));
        publish(new Pivoted(clusterId, "http://127.0.0.1:1/", List.of(), Instant.now()));
        publish(report(clusterId, AgentReport.Kind.SCALED, null, null));

        assertThat(awaitOne(Topics.CLUSTER_ADDONS_INSTALLED, clusterId, AddonsInstalled.class).addons())
                .extracting(AddonResult::name).containsExactly("flannel");
        assertThat(commandsFor(clusterId)).isEmpty();
    }

    @Test
    void aSpecChangeGoesToTheAgentAsItsNewestGenerationAndItsAnswerEndsIt() {
        String clusterId = UUID.randomUUID().toString();
        requestedPivotedAndScaled(clusterId, "changing", List.of());
        awaitOne(Topics.CLUSTER_ADDONS_INSTALLED, clusterId, AddonsInstalled.class);
        ClusterSpec scaled = TestClusters.vsphere("team-addons", "changing", 1, 3, List.of());
        publish(new ClusterChangeRequested(clusterId, 1, scaled, "pool default: 0 → 3 machines", Instant.now()));
        publish(new ClusterChangeRequested(clusterId, 1, scaled, "the same change, read again", Instant.now()));

        AgentCommand first = awaitCommands(clusterId, 1).get(0);
        assertThat(first.kind()).isEqualTo(AgentCommand.Kind.APPLY_SPEC);
        assertThat(first.generation()).isEqualTo(1);
        assertThat(first.spec()).isEqualTo(scaled);

        ClusterSpec grown = TestClusters.vsphere("team-addons", "changing", 3, 3, List.of());
        publish(new ClusterChangeRequested(clusterId, 2, grown, "control plane: 1 → 3 machines", Instant.now()));
        AgentCommand second = awaitCommands(clusterId, 2).get(1);
        assertThat(second.generation()).isEqualTo(2);
        // the first change's answer comes after the second superseded it: nothing ends with it
        publish(report(clusterId, AgentReport.Kind.CHANGE_APPLIED, first.commandId(), null));
        Instant now = Instant.now();
        publish(new AgentReport(clusterId, AgentReport.Kind.CHANGE_FAILED, now, null, List.of(
                new Condition(AgentReport.CONDITION_CHANGED, "False", "Refused", "webhook said no", now)),
                second.commandId(), null, List.of()).fromAgent(AgentVersions.current()));

        ClusterChanged changed = awaitOne(Topics.CLUSTER_CHANGED, clusterId, ClusterChanged.class);
        assertThat(changed.generation()).isEqualTo(2);
        assertThat(changed.outcome()).isEqualTo(ClusterChanged.Outcome.FAILED);
        assertThat(changed.message()).isEqualTo("webhook said no");
        assertThat(events(Topics.CLUSTER_CHANGED, clusterId)).hasSize(1);
        assertThat(commandsFor(clusterId)).hasSize(2);
    }

    @Test
    void theVersionOfEachAgentIsPublishedWhenItChangesAndAnAgentThePlaneDoesNotDriveIsSentNoChange() {
        String clusterId = UUID.randomUUID().toString();
        publish(new ClusterRequested(clusterId, TestClusters.vsphere("team-addons", "old-agent", 1, 0, List.of()),
                Instant.now()));
        publish(new Pivoted(clusterId, "http://127.0.0.1:1/", List.of(), Instant.now()));
        // an agent from before version reporting
        publish(new AgentReport(clusterId, AgentReport.Kind.SCALED, Instant.now(), null, List.of(), null, null,
                List.of()));
        awaitOne(Topics.CLUSTER_ADDONS_INSTALLED, clusterId, AddonsInstalled.class);
        AgentVersionReported old = awaitOne(Topics.CLUSTER_AGENT_VERSIONS, clusterId, AgentVersionReported.class);
        assertThat(old.agentVersion()).isNull();
        assertThat(old.supported()).isFalse();
        assertThat(old.supportedRange()).isEqualTo(AgentVersions.supportedRange());

        ClusterSpec scaled = TestClusters.vsphere("team-addons", "old-agent", 1, 3, List.of());
        publish(new ClusterChangeRequested(clusterId, 1, scaled, "pool default: 0 → 3 machines", Instant.now()));
        ClusterChanged refused = awaitOne(Topics.CLUSTER_CHANGED, clusterId, ClusterChanged.class);
        assertThat(refused.outcome()).isEqualTo(ClusterChanged.Outcome.FAILED);
        assertThat(refused.message()).contains("reports no version", AgentVersions.supportedRange());
        assertThat(commandsFor(clusterId)).noneMatch(c -> c.kind() == AgentCommand.Kind.APPLY_SPEC);

        // the agent is upgraded: its next report says so, once, and the next change goes to it
        publish(report(clusterId, AgentReport.Kind.SCALED, null, null));
        publish(report(clusterId, AgentReport.Kind.SCALED, null, null));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events(Topics.CLUSTER_AGENT_VERSIONS,
                clusterId)).hasSize(2).last().satisfies(event -> {
                    AgentVersionReported upgraded = (AgentVersionReported) event;
                    assertThat(upgraded.agentVersion()).isEqualTo(AgentVersions.current());
                    assertThat(upgraded.supported()).isTrue();
                }));
        publish(new ClusterChangeRequested(clusterId, 2, scaled, "pool default: 0 → 3 machines", Instant.now()));
        assertThat(awaitCommands(clusterId, 1)).singleElement().satisfies(command -> {
            assertThat(command.kind()).isEqualTo(AgentCommand.Kind.APPLY_SPEC);
            assertThat(command.generation()).isEqualTo(2);
        });
        assertThat(events(Topics.CLUSTER_AGENT_VERSIONS, clusterId)).hasSize(2);
    }

    private static Addon addon(String name, int priority, List<String> dependsOn, boolean continueOnError) {
        return new Addon(name, "addon", "1.0", List.of("kind: ConfigMap"), null, priority, dependsOn,
                continueOnError, 60);
    }

    private void requestedPivotedAndScaled(String clusterId, String name, List<Addon> addons) {
        publish(new ClusterRequested(clusterId, TestClusters.vsphere("team-addons", name, 1, 0, addons),
                Instant.now()));
        publish(new Pivoted(clusterId, "http://127.0.0.1:1/", List.of(), Instant.now()));
        publish(report(clusterId, AgentReport.Kind.SCALED, null, null));
    }

    /** The agent's answer to the command of {@code addon} among {@code commands}. */
    private void answer(String clusterId, List<AgentCommand> commands, String addon, AddonResult.State state) {
        AgentCommand command = commands.stream().filter(c -> c.addon().name().equals(addon)).findFirst()
                .orElseThrow();
        publish(report(clusterId, AgentReport.Kind.ADDON_RESULT, command.commandId(), new AddonResult(addon, state,
                state == AddonResult.State.FAILED ? addon + " refused by the API server" : "ready")));
    }

    private void publish(ClusterEvent payload) {
        TestEvents.publish(kafka.bootstrapServers(), planeSecret, payload);
    }

    /** A report of an agent of the plane's own release. */
    private static AgentReport report(String clusterId, AgentReport.Kind kind, String commandId, AddonResult result) {
        return new AgentReport(clusterId, kind, Instant.now(), null, List.of(), commandId, result, List.of())
                .fromAgent(AgentVersions.current());
    }

    private List<ClusterEvent> events(String topic, String clusterId) {
        return TopicReader.payloads(kafka.bootstrapServers(), topic, clusterId);
    }

    private List<AgentCommand> commandsFor(String clusterId) {
        return events(Topics.agentCommands(clusterId), clusterId).stream().map(AgentCommand.class::cast).toList();
    }

    private List<AgentCommand> awaitCommands(String clusterId, int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> commandsFor(clusterId).size() >= count);
        return commandsFor(clusterId);
    }

    private <T> T awaitOne(String topic, String clusterId, Class<T> type) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !events(topic, clusterId).isEmpty());
        return type.cast(events(topic, clusterId).get(0));
    }
}
