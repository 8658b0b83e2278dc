package io.pivotplane.request.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pivotplane.capi.request.ClusterChangeInput;
import io.pivotplane.capi.request.ClusterRequestInput;
import io.pivotplane.capi.request.ClusterRequestInput.ProfileInput;
import io.pivotplane.capi.request.InvalidClusterRequestException;
import io.pivotplane.capi.request.Violation;
import io.pivotplane.request.mapping.ClusterMapper;
import io.pivotplane.request.service.ClusterRequestService;
import io.pivotplane.request.service.TimelineStream;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import org.jboss.resteasy.reactive.RestStreamElementType;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

@Path("/api/v1/clusters")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@APIResponse(responseCode = "401", description = "No valid bearer token: missing, expired, or not signed by the identity provider")
@APIResponse(responseCode = "403", description = "The token's roles do not allow this in the project (a cluster of a "
        + "project the caller may not read is refused so, whether or not it exists)")
public class ClusterResource {

    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;
    static final int DEFAULT_PAGE_SIZE = 20;
    static final int MAX_PAGE_SIZE = 100;

    private final ClusterRequestService service;
    private final ClusterMapper mapper;
    private final TimelineStream timeline;
    private final SecurityIdentity identity;

    private final ObjectMapper json;

    public ClusterResource(ClusterRequestService service, ClusterMapper mapper, TimelineStream timeline,
                           SecurityIdentity identity, ObjectMapper json) {
        this.json = json;
        this.timeline = timeline;
        this.service = service;
        this.mapper = mapper;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Request a cluster",
            description = "Validates the request, stores it and publishes ClusterRequested. A retry with the same "
                    + "Idempotency-Key returns the first answer instead of creating a second cluster.")
    @APIResponse(responseCode = "201", description = "Accepted; Location points at the cluster")
    @APIResponse(responseCode = "400", description = "Invalid request: every offending field is named")
    @APIResponse(responseCode = "409", description = "The project already has a cluster of that name")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    @APIResponse(responseCode = "422", description = "The Idempotency-Key was used for a different request")
    public Uni<Response> create(ClusterRequestInput body,
                                @Parameter(description = "Makes a retried POST of the same project return the first "
                                        + "answer; at most " + MAX_IDEMPOTENCY_KEY_LENGTH + " characters")
                                @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
                                @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                UriInfo uri) {
        if (contentType == null) {
            // without one, RESTEasy would read the body as JSON all the same
            return Uni.createFrom().failure(new NotSupportedException(
                    "a cluster request is sent as Content-Type: application/json"));
        }
        if (idempotencyKey != null && idempotencyKey.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
            return Uni.createFrom().failure(new InvalidClusterRequestException(List.of(new Violation(IDEMPOTENCY_KEY,
                    "must be at most " + MAX_IDEMPOTENCY_KEY_LENGTH + " characters, is "
                            + idempotencyKey.length()))));
        }
        return service.request(Callers.of(identity), body, blankToNull(idempotencyKey)).map(admission -> {
            ClusterView view = mapper.view(admission.cluster());
            return Response.created(uri.getAbsolutePathBuilder().path(view.id()).build()).entity(view).build();
        });
    }

    @GET
    @Path("{id}")
    @Operation(summary = "A cluster, with its stage")
    @APIResponse(responseCode = "404", description = "No cluster has this id (told a platform admin only)")
    public Uni<ClusterView> get(@PathParam("id") String id) {
        return service.view(Callers.of(identity), id);
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Deprovision a cluster",
            description = "Publishes ClusterDeletionRequested: the cluster's CAPI objects are removed wherever they "
                    + "live (after the pivot, by its agent, in its own cluster), in the order Cluster API needs, and "
                    + "the cluster ends in stage Deleted. Asking again while it runs changes nothing.")
    @APIResponse(responseCode = "202", description = "Deletion requested (or running already); the cluster as it is")
    @APIResponse(responseCode = "404", description = "No cluster has this id (told a platform admin only)")
    @APIResponse(responseCode = "410", description = "The cluster is deleted already")
    public Uni<Response> delete(@PathParam("id") String id,
                                @Parameter(description = "A project admin's last resort for a pivoted cluster that "
                                        + "cannot be moved back (its API server or agent gone): torn down from the "
                                        + "management cluster with what it holds; the workload cluster's machines "
                                        + "may be left at the provider. Also while a deletion runs or after it failed.")
                                @QueryParam("force") String force) {
        if (force != null && !force.equals("true") && !force.equals("false")) {
            return Uni.createFrom().failure(new InvalidClusterRequestException(List.of(new Violation("force",
                    "must be true or false, is '" + force + "'"))));
        }
        return service.requestDeletion(Callers.of(identity), id, "true".equals(force))
                .map(view -> Response.accepted(view).build());
    }

    /** RFC 7396's media type; plain JSON is taken as the same. */
    public static final String MERGE_PATCH_JSON = "application/merge-patch+json";

    @PATCH
    @Path("{id}")
    @Consumes({MERGE_PATCH_JSON, MediaType.APPLICATION_JSON})
    @Operation(summary = "Change a running cluster",
            description = "A JSON merge patch of the request's kubernetesVersion, controlPlane (replicas), workerPools "
                    + "(the whole new list: a pool left out is removed, one added is created; replicas of each) and "
                    + "healthCheck (null: the defaults). Kubernetes goes up one minor at a time. The change is the "
                    + "cluster's next spec generation; its agent rolls the cluster to it inside the cluster, control "
                    + "plane first, and ClusterChanged ends it (change.state Applied or Failed). A newer change "
                    + "supersedes one still rolling.")
    @APIResponse(responseCode = "202", description = "The change is on its way; the cluster with its new spec and "
            + "change.state Requested")
    @APIResponse(responseCode = "400", description = "Invalid change: every offending field is named")
    @APIResponse(responseCode = "409", description = "The cluster is not running (AddonsInstalled) or is being deleted")
    public Uni<Response> change(@PathParam("id") String id, JsonNode body) {
        return Uni.createFrom().item(() -> changeInput(body))
                .flatMap(change -> service.change(Callers.of(identity), id, change))
                .map(view -> Response.accepted(view).build());
    }

    private ClusterChangeInput changeInput(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidClusterRequestException(List.of(new Violation("",
                    "a change is a JSON object of the fields to change: " + String.join(", ", ClusterChangeInput.FIELDS))));
        }
        List<Violation> violations = new ArrayList<>();
        body.fieldNames().forEachRemaining(field -> {
            if (!ClusterChangeInput.FIELDS.contains(field)) {
                violations.add(new Violation(field, "cannot change in a running cluster; what can: "
                        + String.join(", ", ClusterChangeInput.FIELDS)));
            }
        });
        for (String required : List.of("kubernetesVersion", "controlPlane")) {
            if (body.has(required) && body.get(required).isNull()) {
                violations.add(new Violation(required, "is required: it cannot be removed"));
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidClusterRequestException(violations);
        }
        ObjectNode patch = ((ObjectNode) body).deepCopy();
        // merge patch: null removes a field; no pools are no pools, no health check is the defaults
        if (patch.has("workerPools") && patch.get("workerPools").isNull()) {
            patch.putArray("workerPools");
        }
        boolean defaultHealthCheck = patch.has("healthCheck") && patch.get("healthCheck").isNull();
        patch.remove("healthCheck");
        ClusterChangeInput change;
        try {
            change = json.treeToValue(patch, ClusterChangeInput.class);
        } catch (JsonProcessingException e) {
            throw new InvalidClusterRequestException(List.of(new Violation("",
                    "a field is not of the right type: " + e.getOriginalMessage())));
        }
        if (body.has("healthCheck")) {
            ClusterRequestInput.HealthCheckInput healthCheck;
            try {
                healthCheck = defaultHealthCheck ? new ClusterRequestInput.HealthCheckInput(null, null, null)
                        : json.treeToValue(body.get("healthCheck"), ClusterRequestInput.HealthCheckInput.class);
            } catch (JsonProcessingException e) {
                throw new InvalidClusterRequestException(List.of(new Violation("healthCheck",
                        "is not of the right type: " + e.getOriginalMessage())));
            }
            change = new ClusterChangeInput(change.kubernetesVersion(), change.controlPlane(), change.workerPools(),
                    healthCheck);
        }
        return change;
    }

    /** What a pause may say: why, for whoever looks at the cluster meanwhile. */
    public record PauseInput(String reason) {
    }

    static final int MAX_PAUSE_REASON_LENGTH = 1024;

    @POST
    @Path("{id}/pause")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Pause a cluster for maintenance",
            description = "Changes of its spec or profile asked for while it is paused are stored and shown (change."
                    + "state Held) but reach its agent only once it is resumed. A change already rolling finishes; "
                    + "healing inside the cluster (MachineHealthChecks, add-on drift repair) and deletion go on. The "
                    + "body, optional, gives a reason; pausing again replaces it.")
    @APIResponse(responseCode = "200", description = "The cluster, paused")
    @APIResponse(responseCode = "400", description = "The reason is longer than " + MAX_PAUSE_REASON_LENGTH)
    @APIResponse(responseCode = "404", description = "No cluster has this id (told a platform admin only)")
    @APIResponse(responseCode = "410", description = "The cluster is deleted")
    public Uni<ClusterView> pause(@PathParam("id") String id, PauseInput body) {
        String reason = body == null ? null : blankToNull(body.reason());
        if (reason != null && reason.length() > MAX_PAUSE_REASON_LENGTH) {
            return Uni.createFrom().failure(new InvalidClusterRequestException(List.of(new Violation("reason",
                    "must be at most " + MAX_PAUSE_REASON_LENGTH + " characters, is " + reason.length()))));
        }
        return service.pause(Callers.of(identity), id, reason);
    }

    @POST
    @Path("{id}/resume")
    @Operation(summary = "Resume a paused cluster",
            description = "The newest change of its spec and of its profile held during the pause go to its agent "
                    + "now. Resuming a cluster that is not paused changes nothing.")
    @APIResponse(responseCode = "200", description = "The cluster, not paused; a held change now Requested")
    @APIResponse(responseCode = "404", description = "No cluster has this id (told a platform admin only)")
    public Uni<ClusterView> resume(@PathParam("id") String id) {
        return service.resume(Callers.of(identity), id);
    }

    @PUT
    @Path("{id}/profile")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Move a running cluster to another profile",
            description = "A stored profile's name and version (with values of this cluster for its charts), or the "
                    + "add-ons themselves. Changed add-ons are upgraded, new ones installed, those the profile no "
                    + "longer has uninstalled, in order, by the cluster's agent; AddonsInstalled follows again.")
    @APIResponse(responseCode = "202", description = "The change is on its way; the cluster with its new profile")
    @APIResponse(responseCode = "400", description = "Invalid profile, or no such stored profile version")
    @APIResponse(responseCode = "409", description = "The cluster is not AddonsInstalled (still being made, failed, "
            + "or being deleted)")
    public Uni<Response> changeProfile(@PathParam("id") String id, ProfileInput body) {
        return service.changeProfile(Callers.of(identity), id, body).map(view -> Response.accepted(view).build());
    }

    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "The cluster's stages as server-sent events: those reached so far, then each new one; "
            + "the stream ends after AddonsInstalled or Failed")
    @APIResponse(responseCode = "404", description = "No cluster has this id (told a platform admin only)")
    @Blocking
    public Multi<StageView> events(@PathParam("id") String id) {
        // blocking, so that an unknown id fails before the stream opens and answers a 404 problem
        return timeline.follow(Callers.of(identity), id);
    }

    @GET
    @Operation(summary = "The clusters the caller may read, newest first, a page at a time")
    public Uni<ClusterPageView> list(@Parameter(description = "Only this project's clusters") @QueryParam("project") String project,
                                     @Parameter(description = "Only the cluster of this name (one per project)")
                                     @QueryParam("name") String name,
                                     @Parameter(description = "Page number, from 0") @QueryParam("page") String page,
                                     @Parameter(description = "Page size, 1 to 100 (default 20)") @QueryParam("size") String size) {
        List<Violation> violations = new ArrayList<>();
        int pageNumber = parse("page", page, 0, 0, Integer.MAX_VALUE, violations);
        int pageSize = parse("size", size, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, violations);
        if (!violations.isEmpty()) {
            return Uni.createFrom().failure(new InvalidClusterRequestException(violations));
        }
        return service.list(Callers.of(identity), blankToNull(project), blankToNull(name), pageNumber, pageSize).map(result -> new ClusterPageView(
                result.items().stream().map(mapper::view).toList(), pageNumber, pageSize, result.total(),
                (result.total() + pageSize - 1) / pageSize));
    }

    private static int parse(String name, String value, int defaultValue, int min, int max, List<Violation> violations) {
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            int number = Integer.parseInt(value.strip());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        violations.add(new Violation(name, "must be a whole number from " + min + " to " + max));
        return defaultValue;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
