package io.pivotplane.devstack.infra;

import java.security.Provider;
import java.security.Security;
import java.util.Set;
import org.apache.kafka.common.security.plain.internals.PlainSaslServerProvider;
import org.apache.kafka.common.security.scram.internals.ScramSaslClientProvider;
import org.apache.kafka.common.security.scram.internals.ScramSaslServerProvider;

/**
 * Kafka's SASL mechanisms are JCA providers, registered once per JVM by the first class loader that loads Kafka. A
 * {@code @QuarkusTest} JVM loads Kafka again for each application it starts; the providers of the first then serve the
 * next one's brokers and clients, handing their callback handlers callbacks of classes from the wrong loader, and
 * every sign-in fails ("credentials for user could not be verified"). Before a broker starts, the providers of the
 * class loader that starts it replace any other's.
 */
final class SaslProviders {

    private static final Set<Class<? extends Provider>> KAFKAS = Set.of(PlainSaslServerProvider.class,
            ScramSaslServerProvider.class, ScramSaslClientProvider.class);

    private SaslProviders() {
    }

    static synchronized void ofThisClassLoader() {
        for (Provider provider : Security.getProviders()) {
            boolean kafkas = KAFKAS.stream().anyMatch(type -> type.getName().equals(provider.getClass().getName()));
            if (kafkas && !KAFKAS.contains(provider.getClass())) {
                Security.removeProvider(provider.getName());
            }
        }
        PlainSaslServerProvider.initialize();
        ScramSaslServerProvider.initialize();
        ScramSaslClientProvider.initialize();
    }
}
