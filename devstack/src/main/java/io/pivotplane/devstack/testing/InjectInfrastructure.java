package io.pivotplane.devstack.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test field that receives a running part of the infrastructure started by a test resource of this
 * package: {@code EmbeddedKafkaBroker}, {@code EmbeddedPostgresServer} or {@code KubernetesApiServer}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface InjectInfrastructure {
}
