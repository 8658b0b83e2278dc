package io.pivotplane.cli;

import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where the pivotplane API is and who asks, each from the first place that says: the option, the environment, the
 * context ({@code --context}, else the current one of the config file), else the local stack's API without a token.
 */
final class ApiOptions {

    static final String ENVIRONMENT_VARIABLE = "PIVOTPLANE_API_URL";
    static final String TOKEN_VARIABLE = "PIVOTPLANE_TOKEN";
    static final String LOCAL_STACK = "http://127.0.0.1:8080";

    @Option(names = "--api-url", paramLabel = "URL",
            description = "The pivotplane API. Default: $" + ENVIRONMENT_VARIABLE + ", else the context's, else "
                    + LOCAL_STACK + ".")
    String apiUrl;
    @Option(names = "--context", paramLabel = "NAME", description = "The context to use instead of the current one.")
    String context;
    @Mixin
    ConfigFileOption config;
    /** The context chosen, read from the file once per command; empty when there is none. */
    private Optional<CliConfig.Context> chosen;

    PivotplaneClient client() {
        CliConfig.Context chosen = context().orElse(null);
        String url = apiUrl(apiUrl, chosen);
        String fromEnvironment = firstOf(System.getenv(TOKEN_VARIABLE));
        if (fromEnvironment != null) {
            return new PivotplaneClient(url, fromEnvironment, "$" + TOKEN_VARIABLE);
        }
        return new PivotplaneClient(url, chosen == null ? null : firstOf(chosen.token()),
                chosen == null ? null : "context '" + chosen.name() + "'");
    }

    /** The API: {@code option}, else {@code $PIVOTPLANE_API_URL}, else the context's, else the local stack's. */
    static String apiUrl(String option, CliConfig.Context context) {
        return firstOf(option, System.getenv(ENVIRONMENT_VARIABLE), context == null ? null : context.apiUrl(),
                LOCAL_STACK);
    }

    /** The project of the context, for commands that were not given one. */
    String defaultProject() {
        return context().map(CliConfig.Context::project).orElse(null);
    }

    private Optional<CliConfig.Context> context() {
        if (chosen == null) {
            CliConfig file = CliConfig.read(config.location());
            chosen = context == null ? file.current() : Optional.of(file.context(context).orElseThrow(() ->
                    new CliException(ExitCodes.INVALID_INPUT, "no context '" + context
                            + "'; pivotctl config get-contexts lists them")));
        }
        return chosen;
    }

    private static String firstOf(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }
}
