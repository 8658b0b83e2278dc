package io.pivotplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * pivotctl's API commands against a stand-in for request-service's REST API (the JDK's HTTP server answering as the
 * API documents), for what a running stack does not easily show: failures, problems and unreachable APIs. The
 * e2e PipelineTest runs the same commands against the real stack.
 */
class PivotctlApiTest {

    private static final String ID = "4f1c2b9e-7d0a-4e55-9c1f-2a7b3c4d5e6f";
    private static final String CLUSTER = """
            {"id":"%s","name":"edge-gcp","project":"team-a","provider":"gcp","kubernetesVersion":"v1.30.5",
             "stage":"Failed","createdAt":"2026-11-24T10:00:00Z",
             "timeline":[{"stage":"Requested","reachedAt":"2026-11-24T10:00:00Z"},
                         {"stage":"Failed","reachedAt":"2026-11-24T10:00:03Z","reason":"ControlPlaneTimeout",
                          "message":"CP-A never came up"}],
             "lastError":{"stage":"ControlPlaneReady","reason":"ControlPlaneTimeout","message":"CP-A never came up",
                          "at":"2026-11-24T10:00:03Z"}}""".formatted(ID);

    private static final String RUNNING_ID = "7a2d3c4b-1e0f-4a55-8b2c-3d4e5f6a7b8c";
    private static final String RUNNING = """
            {"id":"%s","name":"edge-aws","project":"team-a","provider":"aws","kubernetesVersion":"v1.30.5",
             "stage":"AddonsInstalled","createdAt":"2026-11-24T10:00:00Z",
             "spec":{"controlPlane":{"replicas":3,"machine":{"instanceType":"t3.large"}},
                     "workerPools":[{"name":"md-0","replicas":3,"machine":{"instanceType":"t3.large"}},
                                    {"name":"gpu","replicas":1,"machine":{"instanceType":"g5.xlarge"}}]},
             "change":{"generation":2,"summary":"pool md-0: 3 → 5 machines","state":"Applied",
                       "requestedAt":"2026-11-24T11:00:00Z","completedAt":"2026-11-24T11:04:00Z"}}"""
            .formatted(RUNNING_ID);
    private static final String PAUSED = """
            {"id":"%s","name":"edge-aws","project":"team-a","provider":"aws","kubernetesVersion":"v1.30.5",
             "stage":"AddonsInstalled","createdAt":"2026-11-24T10:00:00Z",
             "spec":{"controlPlane":{"replicas":3,"machine":{"instanceType":"t3.large"}},"workerPools":[]},
             "change":{"generation":3,"summary":"pool md-0: 5 → 6 machines","state":"Held",
                       "requestedAt":"2026-11-24T12:00:00Z"},
             "changes":[{"generation":3,"summary":"pool md-0: 5 → 6 machines","state":"Held",
                         "requestedAt":"2026-11-24T12:00:00Z"},
                        {"generation":2,"summary":"pool md-0: 3 → 5 machines","state":"Applied",
                         "requestedAt":"2026-11-24T11:00:00Z"}],
             "paused":{"since":"2026-11-24T11:30:00Z","reason":"firmware"},
             "agent":{"version":"0.3.1","supported":false,"reportedAt":"2026-11-24T11:00:00Z"}}""".formatted(RUNNING_ID);
    private final AtomicReference<String> patched = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicBoolean isPaused = new java.util.concurrent.atomic.AtomicBoolean();
    private HttpServer server;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    /** When set, the stand-in answers 401 to any other bearer token, and 403 to {@link #VIEWER_TOKEN}. */
    private final AtomicReference<String> acceptedToken = new AtomicReference<>();
    private static final String VIEWER_TOKEN = "viewer-token";
    private final AtomicReference<String> posted = new AtomicReference<>();
    @TempDir
    Path home;

    record Run(int exitCode, String out, String err) {
    }

    @BeforeEach
    void startApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/clusters", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getQuery();
            calls.computeIfAbsent(exchange.getRequestMethod() + " " + path, k -> new AtomicInteger()).incrementAndGet();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (acceptedToken.get() != null && ("Bearer " + VIEWER_TOKEN).equals(authorization)
                    && exchange.getRequestMethod().equals("DELETE")) {
                respond(exchange, 403, "application/problem+json", """
                        {"status":403,"detail":"viewer may not delete clusters in project 'team-a' (needs role editor)"}""");
            } else if (acceptedToken.get() != null && !("Bearer " + acceptedToken.get()).equals(authorization)
                    && !("Bearer " + VIEWER_TOKEN).equals(authorization)) {
                respond(exchange, 401, "text/plain", "");
            } else if (path.equals("/api/v1/clusters") && query != null && query.contains("name=edge-gcp")) {
                respond(exchange, 200, "application/json", query.contains("project=team-a")
                        ? "{\"items\":[" + CLUSTER + "],\"totalItems\":1}" : "{\"items\":[],\"totalItems\":0}");
            } else if (path.equals("/api/v1/clusters") && exchange.getRequestMethod().equals("GET")) {
                respond(exchange, 200, "application/json", "{\"items\":[],\"totalItems\":0,\"totalPages\":0}");
            } else if (path.equals("/api/v1/clusters/" + ID + "/events")) {
                respond(exchange, 200, "text/event-stream", """
                        data:{"stage":"Requested","reachedAt":"2026-11-24T10:00:00Z"}

                        data:{"stage":"Failed","reachedAt":"2026-11-24T10:00:03Z","reason":"ControlPlaneTimeout","message":"CP-A never came up"}

                        """);
            } else if (path.equals("/api/v1/clusters/" + RUNNING_ID) && exchange.getRequestMethod().equals("PATCH")) {
                patched.set(exchange.getRequestHeaders().getFirst("Content-Type") + " "
                        + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                respond(exchange, 202, "application/json", isPaused.get() ? PAUSED : RUNNING);
            } else if (path.startsWith("/api/v1/clusters/" + RUNNING_ID + "/") && exchange.getRequestMethod().equals("POST")) {
                patched.set(path.substring(path.lastIndexOf('/') + 1) + " "
                        + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                isPaused.set(path.endsWith("/pause"));
                respond(exchange, 200, "application/json", isPaused.get() ? PAUSED : RUNNING);
            } else if (path.equals("/api/v1/clusters/" + RUNNING_ID) && exchange.getRequestMethod().equals("DELETE")) {
                patched.set("DELETE " + query);
                respond(exchange, 202, "application/json", RUNNING);
            } else if (path.equals("/api/v1/clusters/" + RUNNING_ID)) {
                respond(exchange, 200, "application/json", isPaused.get() ? PAUSED : RUNNING);
            } else if (path.equals("/api/v1/clusters/" + ID)) {
                respond(exchange, 200, "application/json", CLUSTER);
            } else if (path.equals("/api/v1/clusters") && exchange.getRequestMethod().equals("POST")) {
                posted.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                respond(exchange, 400, "application/problem+json", """
                        {"type":"urn:pivotplane:problem:invalid-request","title":"Invalid cluster request","status":400,
                         "detail":"1 field is invalid","errors":[{"field":"name","message":"'edge-gcp' is taken"}]}""");
            } else {
                respond(exchange, 404, "application/problem+json", "{\"status\":404}");
            }
        });
        server.createContext("/api/v1/versions", exchange -> respond(exchange, 200, "application/json", """
                {"plane":"0.2.0","agents":"0.1.x to 0.2.x","clusterApi":"v1.9",
                 "kubernetes":{"aws":["v1.30"],"gcp":["v1.28","v1.29"]},"upgrades":"one minor at a time"}"""));
        server.start();
    }

    @AfterEach
    void stopApi() {
        server.stop(0);
    }

    @Test
    void watchingAClusterThatFailsPrintsWhyAndExitsFive() {
        Run run = pivotctl("watch", ID);

        assertThat(run.exitCode()).isEqualTo(ExitCodes.CLUSTER_FAILED);
        assertThat(run.out()).contains("1/5 Requested", "Failed", "FAILED: ControlPlaneTimeout — CP-A never came up");
    }

    @Test
    void getAsJsonIsTheApisOwnJsonAndDescribeShowsTheLastError() throws IOException {
        Run json = pivotctl("get", ID, "-o", "json");
        assertThat(new ObjectMapper().readTree(json.out())).isEqualTo(new ObjectMapper().readTree(CLUSTER));

        Run described = pivotctl("describe", ID);
        assertThat(described.out()).contains("Stage:      Failed", "ControlPlaneTimeout: CP-A never came up",
                "Objects: not created yet", "Last error: ControlPlaneTimeout at stage ControlPlaneReady");
    }

    @Test
    void scaleAndUpgradeSendAMergePatchOfTheSpecAndWaitForTheEndAndDeleteForceAsksForAForcedDeletion() throws IOException {
        Run scaled = pivotctl("scale", RUNNING_ID, "--pool", "md-0", "--replicas", "5", "--wait");
        assertThat(scaled.exitCode()).as(scaled.err()).isZero();
        assertThat(patched.get()).startsWith("application/merge-patch+json ");
        assertThat(new ObjectMapper().readTree(patched.get().substring(patched.get().indexOf(' ') + 1)))
                .as("the whole list of pools: the one left out would be removed")
                .isEqualTo(new ObjectMapper().readTree("""
                        {"workerPools":[{"name":"md-0","replicas":5},{"name":"gpu","replicas":1}]}"""));
        assertThat(scaled.out()).contains("cluster edge-aws, generation 2: pool md-0: 3 → 5 machines", "applied");

        pivotctl("scale", RUNNING_ID, "--pool", "gpu", "--remove");
        assertThat(new ObjectMapper().readTree(patched.get().substring(patched.get().indexOf(' ') + 1)))
                .isEqualTo(new ObjectMapper().readTree("""
                        {"workerPools":[{"name":"md-0","replicas":3}]}"""));
        pivotctl("scale", RUNNING_ID, "--pool", "batch", "--replicas", "2");
        assertThat(new ObjectMapper().readTree(patched.get().substring(patched.get().indexOf(' ') + 1))
                .path("workerPools").get(2).toString())
                .as("a new pool takes the first pool's machines").isEqualTo("""
                        {"name":"batch","replicas":2,"machine":{"instanceType":"t3.large"}}""");

        pivotctl("upgrade", RUNNING_ID, "--kubernetes-version", "v1.31.2");
        assertThat(patched.get()).endsWith("{\"kubernetesVersion\":\"v1.31.2\"}");
        pivotctl("upgrade", RUNNING_ID, "--kubernetes-version", "v1.31.2", "--image", "ami-0131");
        assertThat(new ObjectMapper().readTree(patched.get().substring(patched.get().indexOf(' ') + 1)))
                .as("an AWS machine names its image as amiId, merged into each machine as it is")
                .isEqualTo(new ObjectMapper().readTree("""
                        {"kubernetesVersion":"v1.31.2","controlPlane":{"machine":{"amiId":"ami-0131"}},
                         "workerPools":[{"name":"md-0","replicas":3,"machine":{"amiId":"ami-0131"}},
                                        {"name":"gpu","replicas":1,"machine":{"amiId":"ami-0131"}}]}"""));
        assertThat(pivotctl("describe", RUNNING_ID).out())
                .contains("Last change: generation 2, Applied", "pool md-0: 3 → 5 machines");
        assertThat(pivotctl("scale", RUNNING_ID, "--pool", "none", "--remove").exitCode())
                .isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(pivotctl("scale", RUNNING_ID, "--pool", "md-0").exitCode()).isEqualTo(ExitCodes.USAGE);

        assertThat(pivotctl("delete", RUNNING_ID, "--force").out()).startsWith("forced deletion of cluster edge-aws");
        assertThat(patched.get()).isEqualTo("DELETE force=true");
        pivotctl("delete", RUNNING_ID);
        assertThat(patched.get()).isEqualTo("DELETE null");
    }

    @Test
    void pauseSendsTheReasonResumeSendsNothingAndDescribeShowsThePauseAndTheHeldChange() throws IOException {
        Run paused = pivotctl("pause", RUNNING_ID, "--reason", "firmware");
        assertThat(paused.exitCode()).as(paused.err()).isZero();
        assertThat(patched.get()).startsWith("pause ");
        assertThat(new ObjectMapper().readTree(patched.get().substring("pause ".length())))
                .isEqualTo(new ObjectMapper().readTree("{\"reason\":\"firmware\"}"));
        assertThat(paused.out()).contains("cluster edge-aws paused since 2026-11-24T11:30:00Z");
        assertThat(pivotctl("describe", RUNNING_ID).out()).contains(
                "Paused: since 2026-11-24T11:30:00Z (firmware); changes are held until it is resumed",
                "Last change: generation 3, Held",
                "Agent: 0.3.1 — the plane does not drive it: changes are not sent")
                .containsPattern("2 +Applied +2026-11-24T11:00:00Z +pool md-0: 3 → 5 machines");
        Run held = pivotctl("scale", RUNNING_ID, "--pool", "md-0", "--replicas", "6", "--wait");
        assertThat(held.exitCode()).as(held.err()).isZero();
        assertThat(held.out()).contains("held: the cluster is paused; it rolls once resumed (pivotctl resume "
                + RUNNING_ID + ")");

        Run resumed = pivotctl("resume", RUNNING_ID);
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(patched.get()).isEqualTo("resume {}");
        assertThat(resumed.out()).startsWith("cluster edge-aws resumed");
    }

    @Test
    void versionsSaysWhichAgentsAndKubernetesMinorsThePlaneDrives() {
        Run run = pivotctl("versions");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Plane:       0.2.0", "Agents:      0.1.x to 0.2.x", "Cluster API: v1.9")
                .containsPattern("aws +v1.30").containsPattern("gcp +v1.28, v1.29");
    }

    @Test
    void editSendsWhatWasChangedInTheEditorOrTheFileAndNothingWhenNothingWas() throws IOException {
        Run edited = pivotctl("edit", RUNNING_ID, "--editor", "sed -i 's/instanceType: g5.xlarge/instanceType: g5.2xlarge/'");
        assertThat(edited.exitCode()).as(edited.err()).isZero();
        assertThat(new ObjectMapper().readTree(patched.get().substring(patched.get().indexOf(' ') + 1)))
                .as("the whole list of pools, each machine as a patch of what changed").isEqualTo(
                        new ObjectMapper().readTree("""
                        {"workerPools":[{"name":"md-0","replicas":3,"machine":{}},
                                        {"name":"gpu","replicas":1,"machine":{"instanceType":"g5.2xlarge"}}]}"""));
        assertThat(edited.out()).contains("cluster edge-aws, generation 2");

        patched.set(null);
        assertThat(pivotctl("edit", RUNNING_ID, "--editor", "true").out()).contains("Edit cancelled, no changes made.");
        assertThat(patched.get()).as("nothing sent").isNull();

        Path file = home.resolve("edge-aws.yaml");
        Files.writeString(file, """
                kubernetesVersion: v1.31.2
                controlPlane:
                  replicas: 3
                  machine: {}
                workerPools:
                - name: md-0
                  replicas: 3
                  machine: {instanceType: t3.large}
                - name: gpu
                  replicas: 1
                  machine: {instanceType: g5.xlarge}
                """);
        assertThat(pivotctl("edit", RUNNING_ID, "-f", file.toString()).exitCode()).isZero();
        assertThat(new ObjectMapper().readTree(patched.get().substring(patched.get().indexOf(' ') + 1)))
                .as("a field taken out of a machine is removed").isEqualTo(new ObjectMapper().readTree("""
                        {"kubernetesVersion":"v1.31.2","controlPlane":{"machine":{"instanceType":null}}}"""));
    }

    @Test
    void aRefusalOfTheApiNamesEachFieldAndExitsOne() {
        Run run = pivotctl("create", "-f", PivotctlTest.example("gcp").toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(run.err()).contains("Invalid cluster request: 1 field is invalid", "name: 'edge-gcp' is taken");
    }

    @Test
    void anInvalidFileIsRefusedBeforeTheApiIsCalled() {
        Run run = pivotctl("create", "-f", "no-such-request.yaml");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(calls).isEmpty();
    }

    @Test
    void anUnknownClusterExitsThreeAndAnUnreachableApiFour() {
        assertThat(pivotctl("get", "00000000-0000-0000-0000-000000000000").exitCode()).isEqualTo(ExitCodes.NOT_FOUND);

        Run unreachable = run(List.of("get", ID, "--api-url", "http://127.0.0.1:1",
                "--config", home.resolve("config.yaml").toString()));
        assertThat(unreachable.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(unreachable.err()).contains("cannot reach the pivotplane API");
    }

    @Test
    void aClusterIsNamedWithinTheProjectGivenOrTheContextsAndANameWithoutAProjectIsAUsageError() throws IOException {
        assertThat(new ObjectMapper().readTree(pivotctl("get", "edge-gcp", "-p", "team-a", "-o", "json").out())
                .path("id").asText()).isEqualTo(ID);
        Run inAnotherProject = pivotctl("describe", "edge-gcp", "-p", "team-b");
        assertThat(inAnotherProject.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(inAnotherProject.err()).contains("no cluster named edge-gcp in project team-b");
        Run withoutProject = pivotctl("watch", "edge-gcp");
        assertThat(withoutProject.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(withoutProject.err()).contains("say its project with -p");

        assertThat(pivotctl("login", "--token", "any", "-p", "team-a").exitCode()).isZero();
        assertThat(pivotctl("watch", "edge-gcp").out()).contains("cluster edge-gcp (" + ID + ")");
    }

    @Test
    void loginKeepsAContextOnlyForATokenTheApiAcceptsAndLaterCommandsSendIt() throws IOException {
        acceptedToken.set(token("ops@example.com", Instant.now().plusSeconds(3600)));

        Run refused = pivotctl("login", "--context", "lab", "--token", token("x", Instant.now().plusSeconds(60)));
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.UNAUTHENTICATED);
        assertThat(home.resolve("config.yaml")).doesNotExist();

        Run login = pivotctl("login", "--context", "lab", "--token", acceptedToken.get(), "-p", "team-a");
        assertThat(login.out()).contains("as ops@example.com, project team-a; context lab is current");
        assertThat(Files.getPosixFilePermissions(home.resolve("config.yaml")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(pivotctl("get", "edge-gcp").exitCode()).isZero();

        Run contexts = config("get-contexts");
        assertThat(contexts.out()).contains("*", "lab", "team-a", "ops@example.com")
                .doesNotContain(acceptedToken.get());
    }

    @Test
    void aMissingOrExpiredTokenIsNamedAsSuchAndARoleThatDoesNotAllowItIsForbidden() {
        acceptedToken.set(token("ops@example.com", Instant.now().plusSeconds(3600)));

        Run missing = pivotctl("get", ID);
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.UNAUTHENTICATED);
        assertThat(missing.err()).contains("needs a token and none is set", "pivotctl login");

        String expired = token("ops@example.com", Instant.parse("2026-01-01T00:00:00Z"));
        writeConfig("current-context: old\ncontexts:\n- name: old\n  api-url: " + api() + "\n  token: " + expired + "\n");
        Run late = pivotctl("get", ID);
        assertThat(late.exitCode()).isEqualTo(ExitCodes.UNAUTHENTICATED);
        assertThat(late.err()).contains("the token of context 'old' expired at 2026-01-01T00:00:00Z");

        writeConfig("current-context: viewer\ncontexts:\n- name: viewer\n  api-url: " + api() + "\n  token: "
                + VIEWER_TOKEN + "\n");
        Run forbidden = pivotctl("delete", ID);
        assertThat(forbidden.exitCode()).isEqualTo(ExitCodes.FORBIDDEN);
        assertThat(forbidden.err()).contains("may not delete clusters in project 'team-a'");
    }

    @Test
    void aRequestFileWithoutAProjectGoesToTheContextsAndOneNamingAnotherThanDashPIsRefused() throws IOException {
        Path withoutProject = home.resolve("edge.yaml");
        Files.writeString(withoutProject, Files.readString(PivotctlTest.example("gcp"))
                .replaceFirst("(?m)^  namespace: team-a\\n", ""));
        assertThat(Files.readString(withoutProject)).doesNotContain("namespace: team-a");
        assertThat(pivotctl("login", "--token", "any", "-p", "team-b").exitCode()).isZero();

        pivotctl("create", "-f", withoutProject.toString());
        assertThat(new ObjectMapper().readTree(posted.get()).path("project").asText()).isEqualTo("team-b");

        posted.set(null);
        Run mismatch = pivotctl("create", "-f", PivotctlTest.example("gcp").toString(), "-p", "team-c");
        assertThat(mismatch.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(mismatch.err()).contains("the file names project team-a, -p says team-c");
        assertThat(posted.get()).isNull();
    }

    @Test
    void useContextSwitchesOnlyToAContextThatExists() {
        writeConfig("current-context: a\ncontexts:\n- name: a\n  api-url: http://a\n- name: b\n  api-url: http://b\n");

        assertThat(config("use-context", "b").exitCode()).isZero();
        assertThat(config("current-context").out().strip()).isEqualTo("b");
        Run unknown = config("use-context", "c");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(unknown.err()).contains("no context 'c'");
        assertThat(config("current-context").out().strip()).isEqualTo("b");
    }

    /** An unsigned token with the claims pivotctl reads: the stand-in checks it by its text alone. */
    private static String token(String subject, Instant expiry) {
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        return encoder.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + encoder.encodeToString(("{\"sub\":\"" + subject + "\",\"exp\":" + expiry.getEpochSecond() + "}")
                .getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";
    }

    private void writeConfig(String yaml) {
        try {
            Files.writeString(home.resolve("config.yaml"), yaml);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String api() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private Run config(String... args) {
        List<String> withConfig = new java.util.ArrayList<>(List.of("config"));
        withConfig.addAll(List.of(args));
        withConfig.addAll(List.of("--config", home.resolve("config.yaml").toString()));
        return run(withConfig);
    }

    /** pivotctl with the stand-in's URL (unless a context is meant to give it) and a config file of this test's. */
    private Run pivotctl(String... args) {
        List<String> withApi = new java.util.ArrayList<>(List.of(args));
        if (!Files.exists(home.resolve("config.yaml")) || args[0].equals("login")) {
            withApi.addAll(List.of("--api-url", api()));
        }
        withApi.addAll(List.of("--config", home.resolve("config.yaml").toString()));
        return run(withApi);
    }

    private Run run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Pivotctl.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int exitCode = commandLine.execute(args.toArray(String[]::new));
        return new Run(exitCode, out.toString(), err.toString());
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
