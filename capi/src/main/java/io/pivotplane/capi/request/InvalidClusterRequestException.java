package io.pivotplane.capi.request;

import java.util.List;

/** The request breaks one or more rules; nothing was stored or published. */
public class InvalidClusterRequestException extends RuntimeException {

    private final transient List<Violation> violations;

    public InvalidClusterRequestException(List<Violation> violations) {
        super(violations.size() == 1 ? "1 field is invalid" : violations.size() + " fields are invalid");
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
