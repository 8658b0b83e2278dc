package io.pivotplane.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The objects of one rendered overlay of deploy/, with the lookups the tests need. */
public final class Overlay {

    private final String name;
    private final List<HasMetadata> objects;

    private Overlay(String name, List<HasMetadata> objects) {
        this.name = name;
        this.objects = List.copyOf(objects);
    }

    /** Renders {@code deploy/overlays/<name>} of the project with {@code kubectl kustomize}. */
    public static Overlay render(Path projectDir, String name) throws IOException, InterruptedException {
        String yaml = Kustomize.render(projectDir.resolve("deploy/overlays").resolve(name));
        return new Overlay(name, parse(yaml));
    }

    /** Every document as a typed fabric8 object where fabric8 knows the kind, as a generic resource where not. */
    static List<HasMetadata> parse(String yaml) {
        Object parsed = new KubernetesSerialization().unmarshal(yaml);
        List<HasMetadata> objects = new ArrayList<>();
        if (parsed instanceof List<?> list) {
            list.forEach(object -> objects.add((HasMetadata) object));
        } else if (parsed != null) {
            objects.add((HasMetadata) parsed);
        }
        return objects;
    }

    public String name() {
        return name;
    }

    public List<HasMetadata> objects() {
        return objects;
    }

    public <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Objects of a kind fabric8 has no class for (Strimzi's, CloudNativePG's). */
    public List<GenericKubernetesResource> all(String kind) {
        return all(GenericKubernetesResource.class).stream().filter(o -> kind.equals(o.getKind())).toList();
    }

    public Optional<HasMetadata> find(String kind, String objectName) {
        return objects.stream()
                .filter(o -> kind.equals(o.getKind()) && objectName.equals(o.getMetadata().getName()))
                .findFirst();
    }

    /**
     * Whether the ServiceAccount may do this, by the roles bound to it in this overlay: RBAC's own rules (a
     * ClusterRoleBinding grants everywhere, a RoleBinding only in its namespace; {@code *} matches anything).
     *
     * @param requestNamespace {@code ""} for a cluster-wide request
     */
    public boolean allows(String serviceAccount, String accountNamespace, String verb, String apiGroup,
                          String resource, String requestNamespace) {
        return rulesOf(serviceAccount, accountNamespace, requestNamespace)
                .anyMatch(rule -> matches(rule.getVerbs(), verb) && matches(rule.getApiGroups(), apiGroup)
                        && matches(rule.getResources(), resource)
                        && (rule.getResourceNames() == null || rule.getResourceNames().isEmpty()));
    }

    /** The rules bound to the ServiceAccount that apply to a request in that namespace. */
    public Stream<PolicyRule> rulesOf(String serviceAccount, String accountNamespace, String requestNamespace) {
        Stream<RoleRef> clusterWide = all(ClusterRoleBinding.class).stream()
                .filter(binding -> binds(binding.getSubjects(), serviceAccount, accountNamespace))
                .map(ClusterRoleBinding::getRoleRef);
        Stream<PolicyRule> namespaced = all(RoleBinding.class).stream()
                .filter(binding -> binding.getMetadata().getNamespace().equals(requestNamespace))
                .filter(binding -> binds(binding.getSubjects(), serviceAccount, accountNamespace))
                .flatMap(binding -> rules(binding.getRoleRef(), binding.getMetadata().getNamespace()));
        return Stream.concat(clusterWide.flatMap(ref -> rules(ref, null)), namespaced);
    }

    private Stream<PolicyRule> rules(RoleRef ref, String bindingNamespace) {
        if ("ClusterRole".equals(ref.getKind())) {
            return all(ClusterRole.class).stream().filter(role -> role.getMetadata().getName().equals(ref.getName()))
                    .flatMap(role -> role.getRules().stream());
        }
        return all(Role.class).stream()
                .filter(role -> role.getMetadata().getName().equals(ref.getName())
                        && role.getMetadata().getNamespace().equals(bindingNamespace))
                .flatMap(role -> role.getRules().stream());
    }

    private static boolean binds(List<Subject> subjects, String serviceAccount, String namespace) {
        return subjects != null && subjects.stream().anyMatch(subject -> "ServiceAccount".equals(subject.getKind())
                && serviceAccount.equals(subject.getName()) && namespace.equals(subject.getNamespace()));
    }

    private static boolean matches(List<String> granted, String asked) {
        return granted != null && (granted.contains("*") || granted.contains(asked));
    }
}
