package io.pivotplane.request.domain;

/** The caller's roles do not allow what it asked, or do not let it see what it named. */
public class AccessDeniedException extends RuntimeException {

    public AccessDeniedException(String message) {
        super(message);
    }
}
