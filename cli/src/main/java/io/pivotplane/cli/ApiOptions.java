package io.pivotplane.cli;

import picocli.CommandLine.Option;

/** Where the pivotplane API is: {@code --api-url}, else {@code PIVOTPLANE_API_URL}, else the local stack's. */
final class ApiOptions {

    static final String ENVIRONMENT_VARIABLE = "PIVOTPLANE_API_URL";
    static final String LOCAL_STACK = "http://127.0.0.1:8080";

    @Option(names = "--api-url", paramLabel = "URL", defaultValue = "${env:" + ENVIRONMENT_VARIABLE + ":-" + LOCAL_STACK + "}",
            description = "The pivotplane API. Default: $" + ENVIRONMENT_VARIABLE + ", else " + LOCAL_STACK + ".")
    String apiUrl;

    PivotplaneClient client() {
        return new PivotplaneClient(apiUrl);
    }
}
