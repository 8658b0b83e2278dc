package io.pivotplane.pivot.k8s;

import io.pivotplane.pivot.persistence.MovedObject;

/** An object the workload cluster cannot take: the move cannot finish and is rolled back. */
public class UnplaceableObjectException extends RuntimeException {

    public UnplaceableObjectException(MovedObject object, String why) {
        super(object.describe() + " cannot be placed in the target cluster: " + why);
    }
}
