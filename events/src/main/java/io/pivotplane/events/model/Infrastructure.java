package io.pivotplane.events.model;

import static io.pivotplane.events.Fields.mapOrEmpty;
import static io.pivotplane.events.Fields.required;

import java.util.Map;

/**
 * Where the cluster runs. {@code credentialsRef} names a Secret (or provider identity) in the project's
 * namespace: credentials never travel in events. {@code parameters} are the provider's own settings.
 */
public record Infrastructure(String provider, String credentialsRef, Map<String, String> parameters) {

    public Infrastructure {
        required(provider, "provider");
        parameters = mapOrEmpty(parameters);
    }
}
