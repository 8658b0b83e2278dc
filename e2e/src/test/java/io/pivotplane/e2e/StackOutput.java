package io.pivotplane.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The services' log lines: kept to wait on, and written to a file under {@code target/} to read after a run. */
final class StackOutput extends OutputStream {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final OutputStream file;
    private final java.io.ByteArrayOutputStream current = new java.io.ByteArrayOutputStream();

    StackOutput(Path logFile) {
        try {
            Files.createDirectories(logFile.getParent());
            file = Files.newOutputStream(logFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    PrintStream printStream() {
        return new PrintStream(this, true, StandardCharsets.UTF_8);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    boolean anyLineContains(String... texts) {
        return lines.stream().anyMatch(line -> java.util.Arrays.stream(texts).allMatch(line::contains));
    }

    @Override
    public synchronized void write(int b) throws IOException {
        file.write(b);
        if (b == '\n') {
            lines.add(current.toString(StandardCharsets.UTF_8));
            current.reset();
        } else {
            current.write(b);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        file.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        file.close();
    }
}
