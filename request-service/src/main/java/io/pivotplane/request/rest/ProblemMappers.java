package io.pivotplane.request.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.pivotplane.request.domain.AccessDeniedException;
import io.pivotplane.request.domain.ClusterBusyException;
import io.pivotplane.request.domain.ClusterDeletedException;
import io.pivotplane.request.domain.ClusterNameConflictException;
import io.pivotplane.request.domain.ClusterNotFoundException;
import io.pivotplane.request.domain.IdempotencyKeyReusedException;
import io.pivotplane.request.domain.ProfileNotFoundException;
import io.pivotplane.request.domain.ProfileVersionFrozenException;
import io.pivotplane.capi.request.InvalidClusterRequestException;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error of the API as {@code application/problem+json}; no stack trace ever reaches a client. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response invalid(InvalidClusterRequestException e, UriInfo uri) {
        List<Problem.FieldError> errors = e.violations().stream()
                .map(v -> new Problem.FieldError(v.field(), v.message()))
                .toList();
        return new Problem(Problem.INVALID_REQUEST, "Invalid cluster request", 400, e.getMessage(), path(uri), errors)
                .toResponse();
    }

    /** Wins over Quarkus' own mapper of this type, which answers in plain JSON. */
    @ServerExceptionMapper(priority = Priorities.USER - 100)
    public Response mismatched(MismatchedInputException e, UriInfo uri) {
        return malformed(e, uri);
    }

    @ServerExceptionMapper
    public Response malformed(JsonProcessingException e, UriInfo uri) {
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = fieldPath(mapping);
            String message = e instanceof UnrecognizedPropertyException
                    ? "is not a field of this request"
                    : e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null
                            ? "must be " + jsonTypeOf(mismatch.getTargetType())
                            : "is not valid here: " + firstLine(mapping.getOriginalMessage());
            return new Problem(Problem.INVALID_REQUEST, "Invalid cluster request", 400, "1 field is invalid",
                    path(uri), List.of(new Problem.FieldError(field, message))).toResponse();
        }
        return new Problem(Problem.MALFORMED_BODY, "Request body is not valid JSON", 400,
                firstLine(e.getOriginalMessage()), path(uri), List.of()).toResponse();
    }

    @ServerExceptionMapper
    public Response conflict(ClusterNameConflictException e, UriInfo uri) {
        return new Problem(Problem.NAME_CONFLICT, "Cluster name already used", 409, e.getMessage(), path(uri),
                List.of(new Problem.FieldError("name", e.getMessage()))).toResponse();
    }

    @ServerExceptionMapper
    public Response idempotencyKeyReused(IdempotencyKeyReusedException e, UriInfo uri) {
        return new Problem(Problem.IDEMPOTENCY_KEY_REUSED, "Idempotency-Key reused", 422, e.getMessage(), path(uri),
                List.of()).toResponse();
    }

    @ServerExceptionMapper
    public Response notFound(ClusterNotFoundException e, UriInfo uri) {
        return new Problem(Problem.NOT_FOUND, "Cluster not found", 404, e.getMessage(), path(uri), List.of())
                .toResponse();
    }

    @ServerExceptionMapper
    public Response busy(ClusterBusyException e, UriInfo uri) {
        return new Problem(Problem.CLUSTER_BUSY, "Cluster cannot change now", 409, e.getMessage(), path(uri),
                List.of()).toResponse();
    }

    @ServerExceptionMapper
    public Response profileNotFound(ProfileNotFoundException e, UriInfo uri) {
        return new Problem(Problem.NOT_FOUND, "Profile not found", 404, e.getMessage(), path(uri), List.of())
                .toResponse();
    }

    @ServerExceptionMapper
    public Response profileFrozen(ProfileVersionFrozenException e, UriInfo uri) {
        return new Problem(Problem.PROFILE_VERSION_FROZEN, "Profile version cannot change", 409, e.getMessage(),
                path(uri), List.of()).toResponse();
    }

    @ServerExceptionMapper
    public Response forbidden(AccessDeniedException e, UriInfo uri) {
        return new Problem(Problem.FORBIDDEN, "Forbidden", 403, e.getMessage(), path(uri), List.of()).toResponse();
    }

    @ServerExceptionMapper
    public Response deleted(ClusterDeletedException e, UriInfo uri) {
        return new Problem(Problem.CLUSTER_DELETED, "Cluster already deleted", 410, e.getMessage(), path(uri), List.of())
                .toResponse();
    }

    /** 404 of unknown paths, 405, 406, 415 and the like: the status says it all. */
    @ServerExceptionMapper
    public Response http(WebApplicationException e, UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformed(json, uri);
        }
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            LOG.error("Request failed", e);
        }
        return new Problem(Problem.ABOUT_BLANK, status.getReasonPhrase(), status.getStatusCode(), e.getMessage(),
                path(uri), List.of()).toResponse();
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        LOG.error("Request failed unexpectedly", e);
        return new Problem(Problem.ABOUT_BLANK, "Internal Server Error", 500,
                "the request could not be completed; the server log has the details", path(uri), List.of())
                .toResponse();
    }

    private static String fieldPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining())
                .replaceFirst("^\\.", "");
    }

    /** The JSON name of what was expected, rather than a Java class name. */
    private static String jsonTypeOf(Class<?> type) {
        if (List.of(Integer.class, Long.class, Short.class, int.class, long.class, short.class).contains(type)) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getPath();
    }
}
