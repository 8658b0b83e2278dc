package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.Namespace;
import io.pivotplane.devstack.infra.LabelSelectors;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who may use a cluster identity, as CAPA's {@code isClusterPermittedToUsePrincipal} and CAPZ's
 * {@code IsClusterNamespaceAllowed} decide it from {@code allowedNamespaces} ({@code list}, {@code selector}), and
 * CAPV from a namespace label selector.
 */
final class AllowedNamespaces {

    private AllowedNamespaces() {
    }

    /**
     * CAPA and CAPZ: none when {@code allowedNamespaces} is absent; every namespace when it is {@code {}}; else the listed
     * ones and those whose labels match a non-empty selector.
     */
    static boolean permits(Api api, Object allowedNamespaces, String namespace) {
        if (!(allowedNamespaces instanceof Map<?, ?> allowed)) {
            return false;
        }
        Object list = allowed.get("list");
        Object selector = allowed.get("selector");
        // cmp.Equal / reflect.DeepEqual with the zero value: an empty (non-nil) list is not "every namespace"
        if (list == null && isEmpty(selector)) {
            return true;
        }
        if (list instanceof List<?> names && names.stream().map(String::valueOf).anyMatch(namespace::equals)) {
            return true;
        }
        if (isEmpty(selector)) {
            return false;
        }
        return api.client().namespaces().list().getItems().stream()
                .anyMatch(ns -> ns.getMetadata().getName().equals(namespace)
                        && LabelSelectors.matches(selector, labels(ns)));
    }

    /** CAPV's VSphereClusterIdentity: the selector must match the cluster's Namespace, which must exist. */
    static boolean selects(Api api, Object selector, String namespace) {
        Namespace ns = api.client().namespaces().withName(namespace).get();
        if (ns == null) {
            throw new IllegalStateException("namespaces \"" + namespace + "\" not found");
        }
        return LabelSelectors.matches(selector, labels(ns));
    }

    private static Map<String, String> labels(Namespace namespace) {
        return Objects.requireNonNullElse(namespace.getMetadata().getLabels(), Map.of());
    }

    private static boolean isEmpty(Object selector) {
        if (!(selector instanceof Map<?, ?> s)) {
            return true;
        }
        boolean noLabels = !(s.get("matchLabels") instanceof Map<?, ?> m) || m.isEmpty();
        boolean noExpressions = !(s.get("matchExpressions") instanceof List<?> e) || e.isEmpty();
        return noLabels && noExpressions;
    }
}
