package io.pivotplane.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * pivotctl's contexts, as kubectl keeps them in a kubeconfig: which API, which token, which project by default, and
 * which context is current. The file holds bearer tokens, so only its owner may read it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record CliConfig(@JsonProperty("current-context") String currentContext, List<Context> contexts) {

    static final String ENVIRONMENT_VARIABLE = "PIVOTPLANE_CONFIG";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Context(String name, @JsonProperty("api-url") String apiUrl, String token, String project) {
    }

    CliConfig {
        contexts = contexts == null ? List.of() : List.copyOf(contexts);
    }

    /** {@code --config}, else {@code $PIVOTPLANE_CONFIG}, else {@code ~/.pivotplane/config.yaml}. */
    static Path location(String option) {
        if (option != null) {
            return Path.of(option);
        }
        String variable = System.getenv(ENVIRONMENT_VARIABLE);
        return variable != null && !variable.isBlank() ? Path.of(variable)
                : Path.of(System.getProperty("user.home"), ".pivotplane", "config.yaml");
    }

    static CliConfig read(Path file) {
        if (!Files.exists(file)) {
            return new CliConfig(null, List.of());
        }
        try {
            CliConfig config = YAML.readValue(file.toFile(), CliConfig.class);
            return config == null ? new CliConfig(null, List.of()) : config;
        } catch (IOException e) {
            throw new CliException(ExitCodes.INVALID_INPUT, "cannot read pivotctl's config " + file + ": "
                    + e.getMessage());
        }
    }

    /** Writes the file whole, readable by its owner alone, replacing the old one only once the new one is written. */
    void write(Path file) {
        try {
            Path directory = file.toAbsolutePath().getParent();
            Files.createDirectories(directory);
            Path next = directory.resolve(file.getFileName() + ".new");
            Files.deleteIfExists(next);
            try {
                Files.createFile(next, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(next);
            } catch (FileAlreadyExistsException e) {
                throw new IOException("another pivotctl writes " + next, e);
            }
            YAML.writeValue(next.toFile(), this);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException(ExitCodes.SOFTWARE, "cannot write pivotctl's config " + file + ": " + e.getMessage());
        }
    }

    Optional<Context> context(String name) {
        return contexts.stream().filter(context -> context.name().equals(name)).findFirst();
    }

    Optional<Context> current() {
        return currentContext == null ? Optional.empty() : context(currentContext);
    }

    /** This config with {@code context} added or replacing the one of its name, and made current. */
    CliConfig withCurrent(Context context) {
        List<Context> all = new ArrayList<>(contexts.stream().filter(c -> !c.name().equals(context.name())).toList());
        all.add(context);
        return new CliConfig(context.name(), all);
    }

    CliConfig using(String name) {
        if (context(name).isEmpty()) {
            throw new CliException(ExitCodes.INVALID_INPUT, "no context '" + name + "'; pivotctl config get-contexts "
                    + "lists them");
        }
        return new CliConfig(name, contexts);
    }

    CliConfig without(String name) {
        if (context(name).isEmpty()) {
            throw new CliException(ExitCodes.INVALID_INPUT, "no context '" + name + "'");
        }
        return new CliConfig(name.equals(currentContext) ? null : currentContext,
                contexts.stream().filter(c -> !c.name().equals(name)).toList());
    }
}
