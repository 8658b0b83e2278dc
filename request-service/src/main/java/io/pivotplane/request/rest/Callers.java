package io.pivotplane.request.rest;

import io.pivotplane.request.domain.Caller;
import io.quarkus.security.identity.SecurityIdentity;

/** The caller of a request as the domain knows it, from the verified token's name and groups. */
final class Callers {

    private Callers() {
    }

    static Caller of(SecurityIdentity identity) {
        return Caller.fromGroups(identity.getPrincipal().getName(), identity.getRoles());
    }
}
