package io.pivotplane.capi.request;

/** One reason a request is refused: the offending field by its JSON path, and what is wrong with it. */
public record Violation(String field, String message) {
}
