package io.pivotplane.pivot.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What discovery read of one object, as plain values: what clusterctl's object graph keeps of it
 * ({@code objToNode}, {@code processOwnerReferences}, {@code captureAdditionalInformation} in
 * {@code cmd/clusterctl/client/cluster/objectgraph.go}), plus the objects it uses by name.
 *
 * @param annotationKeys only the keys: clusterctl looks for the presence of {@code block-move}, not its value
 * @param bindingClusterName a {@code ClusterResourceSetBinding}'s {@code spec.clusterName}, null for other kinds
 * @param references the objects this one uses by name, which clusterctl does not follow but a one-cluster move
 *     must (an infrastructure cluster's identity, an identity's Secret, a Cluster's ClusterClass)
 */
public record GraphObject(ObjectIdentity identity, List<Owner> owners, Map<String, String> labels,
                          Set<String> annotationKeys, String bindingClusterName, List<Reference> references) {

    /**
     * An owner reference as read, with clusterctl's {@code ownerReferenceAttributes}: {@code controller} and
     * {@code blockOwnerDeletion} stay null when the reference leaves them out, so the copy in the target says
     * the same ({@code buildOwnerChain} in {@code mover.go}).
     */
    public record Owner(String uid, String apiVersion, String kind, String name, Boolean controller,
                        Boolean blockOwnerDeletion) {

        public Owner {
            Objects.requireNonNull(uid, "uid");
            Objects.requireNonNull(apiVersion, "apiVersion");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * An object used by name from a field of this one.
     *
     * @param namespace empty for a cluster-scoped kind; null when the namespace could not be told (a provider's
     *     namespace that is not known), which leaves the reference unresolved
     * @param field where the reference comes from, for messages (e.g. {@code spec.identityRef})
     */
    public record Reference(String apiVersion, String kind, String namespace, String name, String field) {

        public Reference {
            Objects.requireNonNull(apiVersion, "apiVersion");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(field, "field");
        }

        @Override
        public String toString() {
            return kind + " " + (namespace == null ? "?/" + name : namespace.isEmpty() ? name : namespace + "/" + name)
                    + " (" + field + ")";
        }
    }

    public GraphObject {
        Objects.requireNonNull(identity, "identity");
        owners = List.copyOf(owners);
        labels = Map.copyOf(labels);
        annotationKeys = Set.copyOf(annotationKeys);
        references = List.copyOf(references);
    }

    public static Builder builder(String apiVersion, String kind, String namespace, String name, String uid) {
        return new Builder(new ObjectIdentity(apiVersion, kind, namespace, name, uid));
    }

    /** Collects what discovery reads of an object, in the order it reads it. */
    public static final class Builder {

        private final ObjectIdentity identity;
        private final List<Owner> owners = new ArrayList<>();
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final Set<String> annotationKeys = new LinkedHashSet<>();
        private final List<Reference> references = new ArrayList<>();
        private String bindingClusterName;

        private Builder(ObjectIdentity identity) {
            this.identity = identity;
        }

        public Builder owner(Owner owner) {
            owners.add(owner);
            return this;
        }

        public Builder label(String key, String value) {
            labels.put(key, value == null ? "" : value);
            return this;
        }

        public Builder annotation(String key) {
            annotationKeys.add(key);
            return this;
        }

        public Builder bindingClusterName(String clusterName) {
            bindingClusterName = clusterName;
            return this;
        }

        public Builder reference(Reference reference) {
            references.add(reference);
            return this;
        }

        public GraphObject build() {
            return new GraphObject(identity, owners, labels, annotationKeys, bindingClusterName, references);
        }
    }
}
