package io.pivotplane.devstack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One service of the local stack, run from its packaged build as a child process with a log prefix. */
public final class ServiceProcess implements AutoCloseable {

    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final String name;
    private final int httpPort;
    private final Process process;

    private ServiceProcess(String name, int httpPort, Process process) {
        this.name = name;
        this.httpPort = httpPort;
        this.process = process;
    }

    static ServiceProcess start(String name, Path runnerJar, int httpPort, Map<String, String> environment,
                                PrintStream out) {
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx256m", "-jar", runnerJar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
        // the local stack is for this machine only
        builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        try {
            Process process = builder.start();
            Thread pump = new Thread(() -> prefixLines(name, process, out), name + "-log");
            pump.setDaemon(true);
            pump.start();
            return new ServiceProcess(name, httpPort, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " from " + runnerJar, e);
        }
    }

    public Process process() {
        return process;
    }

    public String name() {
        return name;
    }

    public int httpPort() {
        return httpPort;
    }

    /** Kills the process at once (SIGKILL), as a crash or an OOM kill would: nothing gets to clean up. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Waits until the service reports ready on {@code /q/health/ready}, or fails if it exits first. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue() + " while starting");
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // the service is still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout.toSeconds() + " s");
    }

    /** Asks the process and its children to stop (SIGTERM), and kills whatever still runs after a grace period. */
    @Override
    public void close() {
        List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
        family.add(process.toHandle());
        family.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : family) {
            try {
                handle.onExit().get(STOP_GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (Exception stillRunning) {
                handle.destroyForcibly();
            }
        }
    }

    private static void prefixLines(String name, Process process, PrintStream out) {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                out.println("[" + name + "] " + line);
            }
        } catch (IOException streamClosed) {
            // the process ended
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
