package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * CAPA's {@code AutoControllerIdentityCreator} (on by default; {@code exp/controlleridentitycreator}): an AWSCluster
 * that uses the controller identity gets the {@code AWSClusterControllerIdentity} {@code default}, which allows every
 * namespace, when it does not exist.
 */
final class AwsControllerIdentityCreator extends Controller {

    AwsControllerIdentityCreator(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.AWS;
    }

    @Override
    Set<String> watches() {
        return Set.of(Kind.AWS_CLUSTER.kind());
    }

    @Override
    Optional<Duration> reconcile(Key key) {
        for (GenericKubernetesResource awsCluster : api.ofCluster(Kind.AWS_CLUSTER, key.namespace(), key.name())) {
            Map<?, ?> reference = AwsCredentials.identityRef(awsCluster);
            if (!AwsCredentials.CONTROLLER_IDENTITY.equals(reference.get("kind"))
                    || api.get(Kind.AWS_CONTROLLER_IDENTITY, null, AwsCredentials.CONTROLLER_IDENTITY_NAME) != null) {
                continue;
            }
            GenericKubernetesResource identity = new GenericKubernetesResourceBuilder()
                    .withApiVersion(Kind.AWS_CONTROLLER_IDENTITY.apiVersion()).withKind(AwsCredentials.CONTROLLER_IDENTITY)
                    .withNewMetadata().withName(AwsCredentials.CONTROLLER_IDENTITY_NAME).endMetadata().build();
            identity.setAdditionalProperty("spec", Map.of("allowedNamespaces", Map.of()));
            api.createOrGet(Kind.AWS_CONTROLLER_IDENTITY, identity);
        }
        return done();
    }
}
