package io.pivotplane.request.rest;

import io.pivotplane.capi.request.ClusterRequestValidator;
import io.pivotplane.capi.request.Provider;
import io.pivotplane.events.AgentVersions;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** What this plane is and what it can drive: its release, the agents it sends changes to, the Kubernetes it makes. */
@Path("/api/v1/versions")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public class VersionsResource {

    /**
     * {@code plane}: this release; {@code agents}: the agent releases it drives; {@code clusterApi}: the Cluster API
     * release every pivoted cluster runs; {@code kubernetes}: the minors a cluster of each infrastructure may run.
     */
    public record Versions(String plane, String agents, String clusterApi, Map<String, List<String>> kubernetes,
                           String upgrades) {
    }

    private static final Versions VERSIONS = versions();

    @GET
    @Operation(summary = "The plane's release, the agent releases it drives and the Kubernetes minors per infrastructure")
    public Versions get() {
        return VERSIONS;
    }

    private static Versions versions() {
        Map<String, List<String>> kubernetes = new TreeMap<>();
        for (Provider provider : Provider.values()) {
            kubernetes.put(provider.id(), ClusterRequestValidator.kubernetesMinors(provider));
        }
        return new Versions(AgentVersions.current(), AgentVersions.supportedRange(),
                ClusterRequestValidator.clusterApiRelease(), kubernetes,
                "one minor at a time, within the infrastructure's minors");
    }
}
