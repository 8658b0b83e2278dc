package io.pivotplane.request.domain;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The five infrastructures and what each needs from a request, after its Cluster API provider and the
 * variables of its upstream cluster template: CAPA 2.7.1, CAPG 1.8.1, CAPZ 1.18.1, CAPV 1.12.0, CAPMAAS 0.6.0.
 */
public enum Provider {
    AWS("aws", Credentials.REQUIRED,
            List.of(Field.required("region"), Field.optional("sshKeyName")),
            List.of(Field.required("instanceType"), Field.optionalPositiveInt("rootVolumeGiB"),
                    Field.optional("amiId"))),
    GCP("gcp", Credentials.REQUIRED,
            List.of(Field.required("project"), Field.required("region"), Field.required("network")),
            List.of(Field.required("instanceType"), Field.optional("image"),
                    Field.optionalPositiveInt("rootDeviceGiB"))),
    AZURE("azure", Credentials.REQUIRED,
            List.of(Field.required("location"), Field.required("subscriptionId"), Field.required("tenantId"),
                    Field.required("clientId"), Field.optional("resourceGroup"), Field.optional("identityType")),
            List.of(Field.required("vmSize"), Field.optionalPositiveInt("osDiskGiB"))),
    VSPHERE("vsphere", Credentials.REQUIRED,
            List.of(Field.required("server"), Field.required("datacenter"), Field.required("datastore"),
                    Field.required("network"), Field.required("template"), Field.required("resourcePool"),
                    Field.required("controlPlaneEndpoint"), Field.optional("folder"), Field.optional("thumbprint"),
                    Field.optional("storagePolicy"), Field.optionalPositiveInt("controlPlaneEndpointPort")),
            List.of(Field.requiredPositiveInt("numCPUs"), Field.requiredPositiveInt("memoryMiB"),
                    Field.requiredPositiveInt("diskGiB"))),
    MAAS("maas", Credentials.NOT_USED,
            List.of(Field.required("dnsDomain")),
            List.of(Field.required("image"), Field.requiredPositiveInt("minCPU"),
                    Field.requiredPositiveInt("minMemory"), Field.required("resourcePool")));

    /** Whether a request names the Secret or identity that holds the cloud credentials. */
    public enum Credentials {
        REQUIRED,
        /** The provider's controller holds the credentials (CAPMAAS): a reference in the request would be ignored. */
        NOT_USED
    }

    /** A field of {@code parameters} or of a {@code machine}. */
    public record Field(String name, boolean required, boolean positiveInteger) {

        static Field required(String name) {
            return new Field(name, true, false);
        }

        static Field optional(String name) {
            return new Field(name, false, false);
        }

        static Field requiredPositiveInt(String name) {
            return new Field(name, true, true);
        }

        static Field optionalPositiveInt(String name) {
            return new Field(name, false, true);
        }
    }

    private final String id;
    private final Credentials credentials;
    private final List<Field> parameters;
    private final List<Field> machineFields;

    Provider(String id, Credentials credentials, List<Field> parameters, List<Field> machineFields) {
        this.id = id;
        this.credentials = credentials;
        this.parameters = parameters;
        this.machineFields = machineFields;
    }

    /** The name used in requests, e.g. {@code vsphere}. */
    public String id() {
        return id;
    }

    public Credentials credentials() {
        return credentials;
    }

    public List<Field> parameters() {
        return parameters;
    }

    public List<Field> machineFields() {
        return machineFields;
    }

    public static Optional<Provider> fromId(String id) {
        return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst();
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(Provider::id).toList();
    }
}
