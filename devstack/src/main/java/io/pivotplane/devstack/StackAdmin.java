package io.pivotplane.devstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.net.URLDecoder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The local stack's admin endpoint, on the loopback interface only: {@code POST /<part>/<action>} takes a part down
 * or brings it back, so anyone can watch the system recover. Parts: each service by its module name, {@code kafka},
 * {@code postgres}. Actions: {@code kill} (a service: SIGKILL, and its supervisor starts it again), {@code stop},
 * {@code start}, {@code restart}. {@code POST /token} answers a bearer token of the stack's identity provider: a
 * platform admin's, or with {@code ?project=<p>&role=<viewer|editor|admin>} one project's role alone. Whoever
 * can reach the loopback interface may do all of this: it is a developer's machine.
 */
final class StackAdmin implements AutoCloseable {

    private static final List<String> ROLES = List.of("viewer", "editor", "admin");

    private final HttpServer server;

    private StackAdmin(HttpServer server) {
        this.server = server;
    }

    /**
     * Listens before the stack starts, so that no part of the stack is given its port; it answers 503 until
     * {@code stack} has one.
     */
    static StackAdmin start(Supplier<LocalStack> stack, int port) {
        LocalStack.requireFree(port, "the admin endpoint", "--admin-port");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "devstack-admin");
                thread.setDaemon(true);
                return thread;
            }));
            server.createContext("/", exchange -> handle(stack, exchange));
            server.start();
            return new StackAdmin(server);
        } catch (IOException e) {
            throw new UncheckedIOException("the admin endpoint cannot listen on port " + port, e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void handle(Supplier<LocalStack> stacks, HttpExchange exchange)
            throws IOException {
        try (exchange) {
            LocalStack stack = stacks.get();
            if (stack == null) {
                answer(exchange, 503, "the stack is starting");
                return;
            }
            String[] path = Arrays.stream(exchange.getRequestURI().getPath().split("/")).filter(p -> !p.isEmpty())
                    .toArray(String[]::new);
            if (!exchange.getRequestMethod().equals("POST")) {
                answer(exchange, 405, "POST /<service|kafka|postgres>/<kill|stop|start|restart> or POST /token");
                return;
            }
            if (path.length == 1 && path[0].equals("token")) {
                token(stack, exchange);
                return;
            }
            if (path.length != 2) {
                answer(exchange, 404, "POST /<service|kafka|postgres>/<kill|stop|start|restart>");
                return;
            }
            try {
                answer(exchange, 200, act(stack, path[0], path[1]));
            } catch (IllegalArgumentException e) {
                answer(exchange, 404, e.getMessage());
            } catch (Exception e) {
                answer(exchange, 500, path[0] + " " + path[1] + " failed: " + e.getMessage());
            }
        }
    }

    private static String act(LocalStack stack, String part, String action) throws Exception {
        if (part.equals("kafka") || part.equals("postgres")) {
            Runnable stop = part.equals("kafka") ? stack.kafka()::stop : stack.postgres()::stop;
            Runnable start = part.equals("kafka") ? stack.kafka()::restart : stack.postgres()::restart;
            switch (action) {
                case "kill", "stop" -> stop.run();
                case "start", "restart" -> start.run();
                default -> throw new IllegalArgumentException("no action '" + action + "' (kill, stop, start, restart)");
            }
            return part + ": " + action + " done";
        }
        Service service = Service.all().stream().filter(s -> s.module().equals(part)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no part '" + part + "': one of "
                        + String.join(", ", Service.all().stream().map(Service::module).toList()) + ", kafka, postgres"));
        switch (action) {
            case "kill", "stop" -> stack.kill(service);
            case "start", "restart" -> stack.restart(service, Map.of());
            default -> throw new IllegalArgumentException("no action '" + action + "' (kill, stop, start, restart)");
        }
        return service.module() + ": " + action + " done";
    }

    private static void token(LocalStack stack, HttpExchange exchange) throws IOException {
        Map<String, String> query = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                String[] parts = pair.split("=", 2);
                query.put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                        parts.length < 2 ? "" : URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
            }
        }
        String project = query.get("project");
        String role = query.getOrDefault("role", "editor");
        if (project == null) {
            answer(exchange, 200, stack.token());
        } else if (!ROLES.contains(role)) {
            answer(exchange, 400, "role must be one of " + String.join(", ", ROLES));
        } else {
            answer(exchange, 200, stack.token(project, role));
        }
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
