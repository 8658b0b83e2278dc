package io.pivotplane.request.rest;

import io.pivotplane.request.service.TimelineStream;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** The stages of every cluster the caller may read, as one live stream: what the status page follows. */
@Path("/api/v1/events")
@Authenticated
public class StageEventsResource {

    private final TimelineStream timeline;
    private final SecurityIdentity identity;

    public StageEventsResource(TimelineStream timeline, SecurityIdentity identity) {
        this.timeline = timeline;
        this.identity = identity;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "The stages of every cluster the caller may read, as server-sent events, as they are reached; "
            + "the stream does not end")
    public Multi<StageChangeView> stages(
            @Parameter(description = "Resume after this sequence number instead of starting from now")
            @QueryParam("since") Long since) {
        return timeline.followAll(Callers.of(identity), since);
    }
}
