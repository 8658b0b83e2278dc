package io.pivotplane.cli;

import io.pivotplane.capi.request.ClusterRequestDocument;
import io.pivotplane.capi.request.ClusterRequestValidator;
import io.pivotplane.capi.request.InvalidClusterRequestException;
import io.pivotplane.capi.request.Violation;
import io.pivotplane.events.model.ClusterSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/** Reads a {@code ClusterRequest} from a file (or stdin for {@code -}) and validates it as request-service would. */
final class RequestFiles {

    static final String STDIN = "-";

    private RequestFiles() {
    }

    static String read(String file, InputStream stdin) {
        try {
            if (STDIN.equals(file)) {
                return new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
            }
            return Files.readString(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new CliException(ExitCodes.INVALID_INPUT, file + ": no such file");
        } catch (IOException e) {
            throw new CliException(ExitCodes.INVALID_INPUT, file + ": cannot be read: " + e.getMessage());
        }
    }

    static ClusterSpec validSpec(String file, String yaml) {
        return validSpec(file, body(file, yaml));
    }

    /** The REST body of the document, its form checked. */
    static Map<String, Object> body(String file, String yaml) {
        try {
            return ClusterRequestDocument.body(yaml);
        } catch (InvalidClusterRequestException e) {
            throw invalid(file, e);
        }
    }

    static ClusterSpec validSpec(String file, Map<String, Object> body) {
        try {
            return new ClusterRequestValidator().validate(ClusterRequestDocument.input(body));
        } catch (InvalidClusterRequestException e) {
            throw invalid(file, e);
        }
    }

    private static CliException invalid(String file, InvalidClusterRequestException e) {
        return new CliException(ExitCodes.INVALID_INPUT, (STDIN.equals(file) ? "stdin" : file)
                + " is not a valid ClusterRequest:\n" + e.violations().stream()
                .map(RequestFiles::line).collect(Collectors.joining("\n")));
    }

    private static String line(Violation violation) {
        return "  " + (violation.field().isEmpty() ? "" : violation.field() + ": ") + violation.message();
    }
}
