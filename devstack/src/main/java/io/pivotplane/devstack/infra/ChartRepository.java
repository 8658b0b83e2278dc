package io.pivotplane.devstack.infra;

import com.marcnuri.helm.Helm;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Helm chart repository on loopback, as {@code helm repo index} and a static web server make one: an
 * {@code index.yaml} naming each chart version with its archive's URL and SHA-256 digest, and the archives. It serves
 * the charts of the project's own sources ({@code io/pivotplane/devstack/charts}), packaged at start with Helm's library,
 * and any chart folder a test adds. An archive can be served damaged, to show that agents refuse it.
 */
public final class ChartRepository implements AutoCloseable {

    private static final String CHARTS = "/io/pivotplane/devstack/charts/";
    private static final Pattern NAME = Pattern.compile("(?m)^name:\\s*\"?([^\"\\s]+)");
    private static final Pattern VERSION = Pattern.compile("(?m)^version:\\s*\"?([^\"\\s]+)");
    private static final Pattern APP_VERSION = Pattern.compile("(?m)^appVersion:\\s*\"?([^\"\\s]+)");

    private record Packaged(String name, String version, String appVersion, String file, byte[] archive,
                            String digest) {
    }

    private final HttpServer server;
    private final Path workDir;
    private final Map<String, Packaged> byFile = new ConcurrentHashMap<>();
    private final Map<String, byte[]> damaged = new ConcurrentHashMap<>();
    private final ExecutorService handlers = Executors.newFixedThreadPool(2, DaemonThreads.named("chart-repository"));

    private ChartRepository(HttpServer server, Path workDir) {
        this.server = server;
        this.workDir = workDir;
    }

    /** Starts on {@code port} of 127.0.0.1 (0: any free one) with the project's charts. */
    public static ChartRepository start(int port) {
        Path workDir = TempDirs.create("pivotplane-charts-");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            ChartRepository repository = new ChartRepository(server, workDir);
            repository.addProjectCharts();
            server.createContext("/", repository::serve);
            server.setExecutor(repository.handlers);
            server.start();
            return repository;
        } catch (IOException e) {
            TempDirs.deleteRecursively(workDir);
            throw new UncheckedIOException("cannot serve the chart repository on port " + port, e);
        } catch (RuntimeException e) {
            TempDirs.deleteRecursively(workDir);
            throw e;
        }
    }

    /** Where it keeps the packaged charts: removed when it stops. */
    public Path workDir() {
        return workDir;
    }

    /** The repository's URL, for an add-on's {@code chart.repository}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /** Packages a chart folder (with its {@code Chart.yaml}) and serves it; a second version of a name adds to it. */
    public void add(Path chartDir) {
        Path out = workDir.resolve("packaged");
        try {
            Files.createDirectories(out);
            String chartYaml = Files.readString(chartDir.resolve("Chart.yaml"));
            String name = field(NAME, chartYaml, chartDir);
            String version = field(VERSION, chartYaml, chartDir);
            Matcher appVersion = APP_VERSION.matcher(chartYaml);
            new Helm(chartDir).packageIt().withDestination(out).call();
            String file = name + "-" + version + ".tgz";
            byte[] archive = Files.readAllBytes(out.resolve(file));
            byFile.put(file, new Packaged(name, version, appVersion.find() ? appVersion.group(1) : null, file,
                    archive, sha256(archive)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot package the chart in " + chartDir, e);
        }
    }

    /** Serves the archive of a chart version with its bytes changed, its index entry unchanged. */
    public void damage(String name, String version) {
        Packaged packaged = byFile.get(name + "-" + version + ".tgz");
        byte[] bytes = packaged.archive().clone();
        bytes[bytes.length / 2] ^= 0x55;
        damaged.put(packaged.file(), bytes);
    }

    private void addProjectCharts() throws IOException {
        List<String> files;
        try (InputStream list = ChartRepository.class.getResourceAsStream(CHARTS + "charts.list")) {
            files = new String(list.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
        Path sources = workDir.resolve("sources");
        Map<String, Path> charts = new LinkedHashMap<>();
        for (String file : files) {
            Path target = sources.resolve(file);
            Files.createDirectories(target.getParent());
            try (InputStream in = ChartRepository.class.getResourceAsStream(CHARTS + file)) {
                if (in == null) {
                    throw new IllegalStateException("charts.list names " + file + ", which is not in the build");
                }
                Files.copy(in, target);
            }
            charts.putIfAbsent(file.substring(0, file.indexOf('/')), sources.resolve(file.substring(0,
                    file.indexOf('/'))));
        }
        charts.values().forEach(this::add);
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring(1);
            byte[] body;
            String type;
            if (path.equals("index.yaml")) {
                body = index().getBytes(StandardCharsets.UTF_8);
                type = "application/x-yaml";
            } else if (byFile.containsKey(path)) {
                body = damaged.getOrDefault(path, byFile.get(path).archive());
                type = "application/gzip";
            } else {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The index as {@code helm repo index} writes it (the fields a client reads). */
    private String index() {
        StringBuilder index = new StringBuilder("apiVersion: v1\nentries:\n");
        Map<String, List<Packaged>> byName = new java.util.TreeMap<>();
        byFile.values().forEach(p -> byName.computeIfAbsent(p.name(), n -> new java.util.ArrayList<>()).add(p));
        byName.forEach((name, versions) -> {
            index.append("  ").append(name).append(":\n");
            versions.stream().sorted(java.util.Comparator.comparing(Packaged::version).reversed()).forEach(p -> {
                index.append("  - apiVersion: v2\n    name: ").append(p.name()).append('\n')
                        .append("    version: ").append(p.version()).append('\n');
                if (p.appVersion() != null) {
                    index.append("    appVersion: \"").append(p.appVersion()).append("\"\n");
                }
                index.append("    digest: ").append(p.digest()).append('\n')
                        .append("    urls:\n    - ").append(p.file()).append('\n');
            });
        });
        index.append("generated: \"").append(Instant.now()).append("\"\n");
        return index.toString();
    }

    private static String field(Pattern pattern, String chartYaml, Path chartDir) {
        Matcher matcher = pattern.matcher(chartYaml);
        if (!matcher.find()) {
            throw new IllegalArgumentException(chartDir + "/Chart.yaml has no " + pattern.pattern());
        }
        return matcher.group(1);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
        TempDirs.deleteRecursively(workDir);
    }
}
