package io.pivotplane.cli;

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
    @Option(names = "--config", paramLabel = "FILE",
            description = "pivotctl's config file. Default: $" + CliConfig.ENVIRONMENT_VARIABLE
                    + ", else ~/.pivotplane/config.yaml.")
    String config;

    PivotplaneClient client() {
        CliConfig.Context chosen = context();
        String url = firstOf(apiUrl, System.getenv(ENVIRONMENT_VARIABLE), chosen == null ? null : chosen.apiUrl(),
                LOCAL_STACK);
        String fromEnvironment = firstOf(System.getenv(TOKEN_VARIABLE));
        if (fromEnvironment != null) {
            return new PivotplaneClient(url, fromEnvironment, "$" + TOKEN_VARIABLE);
        }
        return new PivotplaneClient(url, chosen == null ? null : firstOf(chosen.token()),
                chosen == null ? null : "context '" + chosen.name() + "'");
    }

    /** The project of the context, for commands that were not given one. */
    String defaultProject() {
        CliConfig.Context chosen = context();
        return chosen == null ? null : chosen.project();
    }

    private CliConfig.Context context() {
        CliConfig file = CliConfig.read(CliConfig.location(config));
        if (context != null) {
            return file.context(context).orElseThrow(() -> new CliException(ExitCodes.INVALID_INPUT,
                    "no context '" + context + "'; pivotctl config get-contexts lists them"));
        }
        return file.current().orElse(null);
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
