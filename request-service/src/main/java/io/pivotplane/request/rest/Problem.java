package io.pivotplane.request.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;

/**
 * An RFC 9457 problem detail ({@code application/problem+json}). {@code errors} names each offending field of
 * a request by its JSON path.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(URI type, String title, int status, String detail, String instance, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** Problem types of this API; each is documented in the README. */
    public static final URI INVALID_REQUEST = URI.create("urn:pivotplane:problem:invalid-request");
    public static final URI MALFORMED_BODY = URI.create("urn:pivotplane:problem:malformed-body");
    public static final URI NAME_CONFLICT = URI.create("urn:pivotplane:problem:name-conflict");
    public static final URI IDEMPOTENCY_KEY_REUSED = URI.create("urn:pivotplane:problem:idempotency-key-reused");
    public static final URI NOT_FOUND = URI.create("urn:pivotplane:problem:not-found");
    public static final URI FORBIDDEN = URI.create("urn:pivotplane:problem:forbidden");
    public static final URI CLUSTER_BUSY = URI.create("urn:pivotplane:problem:cluster-busy");
    public static final URI PROFILE_VERSION_FROZEN = URI.create("urn:pivotplane:problem:profile-version-frozen");
    public static final URI CLUSTER_DELETED = URI.create("urn:pivotplane:problem:cluster-deleted");
    /** For plain HTTP errors whose status says it all (RFC 9457 section 4.2.1). */
    public static final URI ABOUT_BLANK = URI.create("about:blank");

    public record FieldError(String field, String message) {
    }

    public Response toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(this).build();
    }
}
