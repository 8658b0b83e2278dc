package io.pivotplane.request.rest;

import io.pivotplane.capi.request.ClusterProfileInput;
import io.pivotplane.request.service.ProfileService;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

@Path("/api/v1/profiles")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@APIResponse(responseCode = "401", description = "No valid bearer token")
public class ProfileResource {

    private final ProfileService profiles;
    private final SecurityIdentity identity;

    public ProfileResource(ProfileService profiles, SecurityIdentity identity) {
        this.profiles = profiles;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Store a cluster profile version",
            description = "Validates it as a cluster's profile would be (layers, charts, dependencies) and stores it. "
                    + "The same version again with the same content is answered 200, with other content 409.")
    @APIResponse(responseCode = "201", description = "Stored; Location points at the version")
    @APIResponse(responseCode = "200", description = "This version exists already with exactly this content")
    @APIResponse(responseCode = "400", description = "Invalid profile: every offending field is named")
    @APIResponse(responseCode = "403", description = "Only platform admins store profiles")
    @APIResponse(responseCode = "409", description = "This version exists with other content")
    public Uni<Response> create(ClusterProfileInput body, UriInfo uri) {
        return profiles.create(Callers.of(identity), body).map(stored -> stored.created()
                ? Response.created(uri.getAbsolutePathBuilder().path(stored.profile().name()).path("versions")
                .path(stored.profile().version()).build()).entity(stored.profile()).build()
                : Response.ok(stored.profile()).build());
    }

    @GET
    @Operation(summary = "Every stored profile version, by name, oldest version first")
    public Uni<List<ClusterProfileInput>> list(@Parameter(description = "Only the versions of this profile")
                                               @QueryParam("name") String name) {
        return profiles.list(name == null || name.isBlank() ? null : name);
    }

    @GET
    @Path("{name}/versions/{version}")
    @Operation(summary = "One profile version, with its add-ons")
    @APIResponse(responseCode = "404", description = "No such profile, or no such version (the versions are named)")
    public Uni<ClusterProfileInput> get(@PathParam("name") String name, @PathParam("version") String version) {
        return profiles.get(name, version);
    }

    @PUT
    @Path("{name}/versions/{version}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replace a profile version no cluster was made from")
    @APIResponse(responseCode = "403", description = "Only platform admins change profiles")
    @APIResponse(responseCode = "404", description = "No such profile version")
    @APIResponse(responseCode = "409", description = "Clusters use this version: it no longer changes")
    public Uni<ClusterProfileInput> replace(@PathParam("name") String name, @PathParam("version") String version,
                                            ClusterProfileInput body) {
        return profiles.replace(Callers.of(identity), name, version, body);
    }
}
