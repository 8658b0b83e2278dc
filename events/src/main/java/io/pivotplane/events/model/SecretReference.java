package io.pivotplane.events.model;

import static io.pivotplane.events.Fields.required;

/** A key of a Secret: where a value lives, so that the value itself never travels in an event. */
public record SecretReference(String namespace, String name, String key) {

    public SecretReference {
        required(namespace, "namespace");
        required(name, "name");
        required(key, "key");
    }
}
