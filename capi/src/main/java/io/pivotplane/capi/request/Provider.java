package io.pivotplane.capi.request;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The five infrastructures and what each needs from a request, after its Cluster API provider, the variables
 * of its upstream cluster template and the checks of its admission webhooks: CAPA 2.7.1, CAPG 1.8.1,
 * CAPZ 1.18.1, CAPV 1.12.0, CAPMAAS 0.6.0.
 */
public enum Provider {
    AWS("aws", Credentials.REQUIRED, ClusterNames.PLAIN,
            List.of(Field.required("region"), Field.optional("sshKeyName"),
                    Field.oneOf("identityKind", AwsIdentity.KINDS)),
            // CAPA refuses a root volume under 8 GiB (AWSMachine webhook)
            List.of(Field.required("instanceType"), Field.optionalInt("rootVolumeGiB", 8, Integer.MAX_VALUE),
                    Field.optional("amiId"))),
    GCP("gcp", Credentials.REQUIRED, ClusterNames.PLAIN,
            List.of(Field.matching("project", true, "[a-z][a-z0-9-]{4,28}[a-z0-9]",
                            "a GCP project id: 6 to 30 lower-case letters, digits and '-', starting with a letter"),
                    Field.required("region"),
                    Field.matching("network", true, "[a-z]([-a-z0-9]{0,61}[a-z0-9])?",
                            "a GCP network name (RFC 1035: lower-case letters, digits and '-', at most 63)")),
            // GCP persistent disks start at 10 GB
            List.of(Field.required("instanceType"), Field.optional("image"),
                    Field.optionalInt("rootDeviceGiB", 10, Integer.MAX_VALUE))),
    AZURE("azure", Credentials.REQUIRED, ClusterNames.AZURE,
            List.of(Field.required("location"), Field.required("subscriptionId"), Field.required("tenantId"),
                    Field.required("clientId"),
                    // the resource group regex and length of CAPZ's AzureCluster webhook
                    Field.matching("resourceGroup", false, "[-\\w._()]{1,90}",
                            "an Azure resource group name: at most 90 letters, digits, '-', '_', '.', '(' and ')'"),
                    Field.oneOf("identityType", AzureIdentity.TYPES)),
            // CAPZ's webhook: an OS disk from 1 to 4095 GB
            List.of(Field.required("vmSize"), Field.optionalInt("osDiskGiB", 1, 4095))) {
        @Override
        public Credentials credentials(Map<String, String> parameters) {
            return AzureIdentity.usesSecret(parameters.get("identityType")) ? Credentials.REQUIRED : Credentials.NOT_USED;
        }
    },
    VSPHERE("vsphere", Credentials.REQUIRED, ClusterNames.PLAIN,
            List.of(Field.required("server"), Field.required("datacenter"), Field.required("datastore"),
                    Field.required("network"), Field.required("template"), Field.required("resourcePool"),
                    Field.required("controlPlaneEndpoint"), Field.optional("folder"), Field.optional("thumbprint"),
                    Field.optional("storagePolicy"), Field.optionalInt("controlPlaneEndpointPort", 1, 65_535)),
            List.of(Field.requiredInt("numCPUs", 1, Integer.MAX_VALUE), Field.requiredInt("memoryMiB", 1, Integer.MAX_VALUE),
                    Field.requiredInt("diskGiB", 1, Integer.MAX_VALUE))),
    MAAS("maas", Credentials.NOT_USED, ClusterNames.PLAIN,
            List.of(Field.required("dnsDomain")),
            List.of(Field.required("image"), Field.requiredInt("minCPU", 1, Integer.MAX_VALUE),
                    Field.requiredInt("minMemory", 1, Integer.MAX_VALUE), Field.optional("resourcePool")));

    /** Whether a request names the Secret or identity that holds the cloud credentials. */
    public enum Credentials {
        REQUIRED,
        /** The provider's controller (or a workload identity) holds them: a reference in the request would be ignored. */
        NOT_USED
    }

    /** How long a cluster name may be, given the names the renderer derives from it. */
    public enum ClusterNames {
        /** The cluster-name label every object carries: a label value has at most 63 characters. */
        PLAIN(63),
        /** CAPZ's AzureCluster webhook: the name prefixes Azure resources whose names are short. */
        AZURE(44);

        private final int maxLength;

        ClusterNames(int maxLength) {
            this.maxLength = maxLength;
        }

        public int maxLength() {
            return maxLength;
        }
    }

    /** A field of {@code parameters} or of a {@code machine}. */
    public record Field(String name, boolean required, Kind kind, long min, long max, Pattern pattern,
                        String patternDescription, Set<String> allowed) {

        public enum Kind { STRING, INTEGER }

        static Field required(String name) {
            return new Field(name, true, Kind.STRING, 0, 0, null, null, Set.of());
        }

        static Field optional(String name) {
            return new Field(name, false, Kind.STRING, 0, 0, null, null, Set.of());
        }

        static Field requiredInt(String name, long min, long max) {
            return new Field(name, true, Kind.INTEGER, min, max, null, null, Set.of());
        }

        static Field optionalInt(String name, long min, long max) {
            return new Field(name, false, Kind.INTEGER, min, max, null, null, Set.of());
        }

        static Field matching(String name, boolean required, String regex, String description) {
            return new Field(name, required, Kind.STRING, 0, 0, Pattern.compile(regex), description, Set.of());
        }

        static Field oneOf(String name, List<String> values) {
            return new Field(name, false, Kind.STRING, 0, 0, null, null, Set.copyOf(values));
        }

        public boolean integer() {
            return kind == Kind.INTEGER;
        }
    }

    /** The kinds of identity CAPA's AWSCluster {@code identityRef} accepts; a static identity is the default. */
    public static final class AwsIdentity {
        public static final String STATIC = "AWSClusterStaticIdentity";
        public static final List<String> KINDS = List.of(STATIC, "AWSClusterRoleIdentity", "AWSClusterControllerIdentity");

        private AwsIdentity() {
        }
    }

    /** The types of CAPZ's AzureClusterIdentity; a service principal with its secret is the default. */
    public static final class AzureIdentity {
        public static final String SERVICE_PRINCIPAL = "ServicePrincipal";
        public static final List<String> TYPES = List.of(SERVICE_PRINCIPAL, "ServicePrincipalCertificate",
                "ManualServicePrincipal", "UserAssignedMSI", "WorkloadIdentity");
        private static final Set<String> WITH_SECRET =
                Set.of(SERVICE_PRINCIPAL, "ServicePrincipalCertificate", "ManualServicePrincipal");

        private AzureIdentity() {
        }

        public static String typeOrDefault(String type) {
            return type == null || type.isBlank() ? SERVICE_PRINCIPAL : type;
        }

        /** Whether the identity reads a client secret (or certificate) from a Secret the request names. */
        public static boolean usesSecret(String type) {
            return WITH_SECRET.contains(typeOrDefault(type));
        }
    }

    private final String id;
    private final Credentials credentials;
    private final ClusterNames clusterNames;
    private final List<Field> parameters;
    private final List<Field> machineFields;

    Provider(String id, Credentials credentials, ClusterNames clusterNames, List<Field> parameters,
             List<Field> machineFields) {
        this.id = id;
        this.credentials = credentials;
        this.clusterNames = clusterNames;
        this.parameters = parameters;
        this.machineFields = machineFields;
    }

    /** The name used in requests, e.g. {@code vsphere}. */
    public String id() {
        return id;
    }

    /** Whether this request must name credentials, given its parameters (Azure: by identity type). */
    public Credentials credentials(Map<String, String> parameters) {
        return credentials;
    }

    public int maxClusterNameLength() {
        return clusterNames.maxLength();
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
