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

    /** The spec of a request, valid as far as it can be told here (a stored profile it names is not looked up). */
    static ClusterSpec validSpec(String file, Map<String, Object> body) {
        try {
            return new ClusterRequestValidator().validateAllButStoredProfile(ClusterRequestDocument.input(body));
        } catch (InvalidClusterRequestException e) {
            throw invalid(file, e);
        }
    }

    /** The REST body of a {@code ClusterProfile} document, its form and add-ons checked. */
    static Map<String, Object> profileBody(String file, String yaml) {
        try {
            Map<String, Object> body = ClusterRequestDocument.profileBody(yaml);
            new ClusterRequestValidator().validateProfile(ClusterRequestDocument.profileInput(body));
            return body;
        } catch (InvalidClusterRequestException e) {
            throw new CliException(ExitCodes.INVALID_INPUT, (STDIN.equals(file) ? "stdin" : file)
                    + " is not a valid ClusterProfile:\n" + e.violations().stream()
                    .map(RequestFiles::line).collect(Collectors.joining("\n")));
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
