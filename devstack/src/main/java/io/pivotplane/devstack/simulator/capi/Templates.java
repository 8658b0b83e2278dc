package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** CAPI's {@code external.CreateFromTemplate}: an object made from a template's {@code spec.template}. */
final class Templates {

    static final String CLONED_FROM_NAME = "cluster.x-k8s.io/cloned-from-name";
    static final String CLONED_FROM_GROUP_KIND = "cluster.x-k8s.io/cloned-from-groupkind";

    private Templates() {
    }

    /**
     * Creates the object of the template's kind (without {@code Template}) named {@code name}, with the template's
     * metadata and spec, the given labels, annotations and owner, and the cluster label; returns a reference to it.
     */
    static Map<String, Object> createFromTemplate(Api api, Object templateReference, String namespace, String name,
                                                  OwnerReference owner, String clusterName, Map<String, String> labels,
                                                  Map<String, String> annotations) {
        if (!(templateReference instanceof Map<?, ?> ref)) {
            throw new IllegalStateException("no template reference");
        }
        Kind templateKind = Api.kindOf(ref).orElseThrow(() -> new IllegalStateException("unknown template kind " + ref));
        GenericKubernetesResource template = api.get(templateKind, namespace, String.valueOf(ref.get("name")));
        if (template == null) {
            throw new IllegalStateException(templateKind.kind() + " " + namespace + "/" + ref.get("name") + " not found");
        }
        Kind kind = templateKind.clonedKind();
        Map<String, String> allLabels = new LinkedHashMap<>(stringMap(ObjectMaps.at(template, "spec", "template",
                "metadata", "labels").orElse(null)));
        allLabels.putAll(labels);
        allLabels.put(Capi.CLUSTER_NAME_LABEL, clusterName);
        Map<String, String> allAnnotations = new LinkedHashMap<>(stringMap(ObjectMaps.at(template, "spec", "template",
                "metadata", "annotations").orElse(null)));
        allAnnotations.putAll(annotations);
        allAnnotations.put(CLONED_FROM_NAME, template.getMetadata().getName());
        allAnnotations.put(CLONED_FROM_GROUP_KIND, templateKind.kind() + "." + templateKind.group());
        GenericKubernetesResource object = new GenericKubernetesResourceBuilder()
                .withApiVersion(kind.apiVersion()).withKind(kind.kind())
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(allLabels)
                .withAnnotations(allAnnotations).withOwnerReferences(owner == null ? List.of() : List.of(owner))
                .endMetadata().build();
        Object spec = ObjectMaps.at(template, "spec", "template", "spec").orElse(Map.of());
        object.setAdditionalProperty("spec", Api.normalized(spec));
        GenericKubernetesResource created = api.createOrGet(kind, object);
        return ObjectMaps.map("apiVersion", kind.apiVersion(), "kind", kind.kind(), "name", name,
                "namespace", namespace, "uid", created.getMetadata().getUid());
    }

    static Map<String, String> stringMap(Object value) {
        Map<String, String> map = new LinkedHashMap<>();
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> map.put(String.valueOf(k), Objects.toString(v, "")));
        }
        return map;
    }
}
