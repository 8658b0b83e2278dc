package io.pivotplane.devstack;

import io.pivotplane.devstack.infra.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a running local stack has put on this machine besides its own JVM: service processes, PostgreSQL (which
 * runs in a session of its own) and data directories, written down as they start. A stack that ends cleanly removes
 * them and the record; one killed with SIGKILL leaves them to the reaper, a small process that outlives the JVM and
 * removes them once the JVM is gone; and should the reaper be killed too, the next start removes them.
 */
final class StackLeftovers {

    /**
     * Waits for the JVM it watches ($1) to end, then stops what the record ($2) names and deletes it; a record that
     * goes first (the stack stopped cleanly) ends it.
     */
    private static final String REAPER = """
            trap '' INT TERM HUP
            while kill -0 "$1" 2>/dev/null && [ -f "$2" ]; do sleep 1; done
            [ -f "$2" ] || exit 0
            while read -r kind value _; do
              case "$kind" in
                pid) kill -9 "$value" 2>/dev/null ;;
                dir) if [ -f "$value/postmaster.pid" ]; then kill -QUIT "$(head -n 1 "$value/postmaster.pid")" 2>/dev/null; fi
                     rm -rf "$value" ;;
              esac
            done < "$2"
            rm -f "$2"
            """;

    private static final String SUFFIX = ".leftovers";

    private final Path record;
    private final Map<String, String> entries = new LinkedHashMap<>();

    private StackLeftovers(Path record) {
        this.record = record;
    }

    /** A new record of a stack run by this JVM, under {@code <project>/.devstack/run}. */
    static StackLeftovers create(Path projectDir) {
        return create(projectDir, ProcessHandle.current());
    }

    /** A new record of a stack whose parts live as long as {@code owner} runs. */
    static StackLeftovers create(Path projectDir, ProcessHandle owner) {
        StackLeftovers leftovers = new StackLeftovers(runDir(projectDir).resolve(owner.pid() + "-" + System.nanoTime()
                + SUFFIX));
        leftovers.put("owner", "owner " + owner.pid() + " " + startedAt(owner));
        return leftovers;
    }

    boolean exists() {
        return Files.exists(record);
    }

    /**
     * Stops and deletes what stacks whose JVM is gone recorded and did not remove (their reaper was killed too),
     * and says what that was. Stacks that still run are left alone.
     */
    static List<String> removeAbandoned(Path projectDir) {
        Path dir = runDir(projectDir);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> removed = new ArrayList<>();
        try (var records = Files.list(dir)) {
            for (Path record : records.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).toList()) {
                StackLeftovers leftovers = new StackLeftovers(record);
                if (!leftovers.ownerRuns()) {
                    removed.addAll(leftovers.remove());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
        return removed;
    }

    private static Path runDir(Path projectDir) {
        return projectDir.resolve(".devstack/run");
    }

    private boolean ownerRuns() {
        return lines().stream().filter(line -> line.startsWith("owner ")).findFirst()
                .map(line -> line.split(" "))
                .filter(owner -> owner.length >= 3)
                .flatMap(owner -> ProcessHandle.of(Long.parseLong(owner[1])).filter(ProcessHandle::isAlive)
                        .filter(process -> startedAt(process).equals(owner[2])))
                .isPresent();
    }

    List<String> remove() {
        if (!Files.exists(record)) {
            return List.of();
        }
        List<String> removed = new ArrayList<>();
        for (String line : lines()) {
            String[] entry = line.split(" ", 2);
            if (entry.length < 2) {
                continue;
            }
            if (entry[0].equals("pid")) {
                String[] pidAndStart = entry[1].strip().split(" ");
                // a pid the machine has given to another process since is left alone
                ProcessHandle.of(Long.parseLong(pidAndStart[0])).filter(ProcessHandle::isAlive)
                        .filter(process -> pidAndStart.length < 2 || startedAt(process).equals(pidAndStart[1]))
                        .ifPresent(process -> {
                    process.destroyForcibly();
                    awaitExit(process);
                    removed.add("process " + process.pid());
                });
            } else if (entry[0].equals("dir")) {
                Path dir = Path.of(entry[1].strip());
                postmaster(dir).ifPresent(postgres -> {
                    postgres.destroyForcibly();
                    awaitExit(postgres);
                    removed.add("PostgreSQL " + postgres.pid());
                });
                if (Files.exists(dir)) {
                    TempDirs.deleteRecursively(dir);
                    removed.add(dir.toString());
                }
            }
        }
        forget();
        return removed;
    }

    /** The process that now runs under {@code name}, in place of any recorded before under that name. */
    void process(String name, ProcessHandle process) {
        put(name, "pid " + process.pid() + " " + startedAt(process));
    }

    private static String startedAt(ProcessHandle process) {
        return process.info().startInstant().map(start -> Long.toString(start.toEpochMilli())).orElse("unknown");
    }

    void directory(Path dir) {
        put(dir.toAbsolutePath().toString(), "dir " + dir.toAbsolutePath());
    }

    /** Starts the reaper of what is recorded, watching {@code owner}: this JVM in the stack. */
    Process startReaper(ProcessHandle owner) {
        try {
            Files.createDirectories(record.getParent());
            return new ProcessBuilder("bash", "-c", REAPER, "devstack-reaper", Long.toString(owner.pid()),
                    record.toAbsolutePath().toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the reaper of the local stack", e);
        }
    }

    /** The stack stopped everything itself: nothing is left to remove. */
    void forget() {
        try {
            Files.deleteIfExists(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites the record whole (a new file moved over the old), so the reaper never reads half of it. */
    private synchronized void put(String key, String line) {
        entries.put(key, line);
        try {
            Files.createDirectories(record.getParent());
            Path next = record.resolveSibling(record.getFileName() + ".next");
            Files.writeString(next, String.join("\n", entries.values()) + "\n", StandardCharsets.UTF_8);
            Files.move(next, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + record, e);
        }
    }

    private List<String> lines() {
        try {
            return Files.readAllLines(record, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The PostgreSQL server running on a data directory, by the pid it wrote there. */
    private static Optional<ProcessHandle> postmaster(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            String first = Files.readAllLines(pidFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
            return first.matches("\\d+") ? ProcessHandle.of(Long.parseLong(first)).filter(ProcessHandle::isAlive)
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void awaitExit(ProcessHandle process) {
        try {
            process.onExit().get(Duration.ofSeconds(10).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception stillRunning) {
            // the port check that follows says what still listens
        }
    }
}
