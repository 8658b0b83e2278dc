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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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

    private HttpServer server;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    record Run(int exitCode, String out, String err) {
    }

    @BeforeEach
    void startApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/clusters", exchange -> {
            String path = exchange.getRequestURI().getPath();
            calls.computeIfAbsent(exchange.getRequestMethod() + " " + path, k -> new AtomicInteger()).incrementAndGet();
            if (path.equals("/api/v1/clusters/" + ID + "/events")) {
                respond(exchange, 200, "text/event-stream", """
                        data:{"stage":"Requested","reachedAt":"2026-11-24T10:00:00Z"}

                        data:{"stage":"Failed","reachedAt":"2026-11-24T10:00:03Z","reason":"ControlPlaneTimeout","message":"CP-A never came up"}

                        """);
            } else if (path.equals("/api/v1/clusters/" + ID)) {
                respond(exchange, 200, "application/json", CLUSTER);
            } else if (path.equals("/api/v1/clusters") && exchange.getRequestMethod().equals("POST")) {
                respond(exchange, 400, "application/problem+json", """
                        {"type":"urn:pivotplane:problem:invalid-request","title":"Invalid cluster request","status":400,
                         "detail":"1 field is invalid","errors":[{"field":"name","message":"'edge-gcp' is taken"}]}""");
            } else {
                respond(exchange, 404, "application/problem+json", "{\"status\":404}");
            }
        });
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

        Run unreachable = new PivotctlApiTest().run(List.of("get", ID, "--api-url", "http://127.0.0.1:1"));
        assertThat(unreachable.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(unreachable.err()).contains("cannot reach the pivotplane API");
    }

    private Run pivotctl(String... args) {
        List<String> withApi = new java.util.ArrayList<>(List.of(args));
        withApi.addAll(List.of("--api-url", "http://127.0.0.1:" + server.getAddress().getPort()));
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
