package io.pivotplane.request.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a body larger than {@value #MAX_BODY_BYTES} bytes before it is read, with a problem that says the limit:
 * the events that carry a request are Kafka records of 1 MiB at most. A body sent without its length is cut off by
 * the HTTP server's own limit ({@code quarkus.http.limits.max-body-size}), a little above this one.
 */
public class BodySizeLimit {

    static final long MAX_BODY_BYTES = 1024 * 1024;

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> refuseOversizedBody(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return Optional.empty();
        }
        long bytes;
        try {
            bytes = Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (bytes <= MAX_BODY_BYTES) {
            return Optional.empty();
        }
        return Optional.of(new Problem(Problem.ABOUT_BLANK, "Content Too Large", 413, "the body has " + bytes
                + " bytes; a request takes at most " + MAX_BODY_BYTES + " (1 MiB)", request.getUriInfo().getPath(),
                List.of()).toResponse());
    }
}
