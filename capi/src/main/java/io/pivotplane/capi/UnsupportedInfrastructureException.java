package io.pivotplane.capi;

/** No renderer exists for the infrastructure a request names. */
public class UnsupportedInfrastructureException extends RuntimeException {

    public UnsupportedInfrastructureException(String provider) {
        super("infrastructure provider '" + provider + "' is not supported yet; supported: "
                + String.join(", ", Renderers.supportedProviders()));
    }
}
