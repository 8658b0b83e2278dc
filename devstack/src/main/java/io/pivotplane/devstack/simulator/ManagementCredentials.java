package io.pivotplane.devstack.simulator;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operator's credentials that {@code clusterctl init} gives the infrastructure providers' controllers in the
 * management cluster (their {@code *-manager-bootstrap-credentials} Secrets), as clusterctl's variables. The simulated
 * clouds accept any complete credentials; these are obviously fake.
 *
 * @param awsAccessKeyId CAPA's controller credentials ({@code AWS_B64ENCODED_CREDENTIALS})
 * @param azureSubscriptionId CAPZ's default subscription ({@code AZURE_SUBSCRIPTION_ID_B64})
 * @param gcpServiceAccountEmail CAPG's application default credentials ({@code GCP_B64ENCODED_CREDENTIALS})
 * @param vsphereUsername CAPV's vCenter user ({@code VSPHERE_USERNAME}, {@code VSPHERE_PASSWORD})
 * @param maasEndpoint CAPMAAS's MAAS API ({@code MAAS_ENDPOINT}, {@code MAAS_API_KEY})
 */
public record ManagementCredentials(String awsAccessKeyId, String awsSecretAccessKey, String azureSubscriptionId,
                                    String gcpServiceAccountEmail, String vsphereUsername, String vspherePassword,
                                    String maasEndpoint, String maasApiKey) {

    /** Fake values for every provider: what the local stack and the tests use. */
    public static final ManagementCredentials FAKE = new ManagementCredentials(
            "SIMULATED-AWS-ACCESS-KEY-ID", "simulated-aws-secret-access-key-not-real",
            "00000000-0000-0000-0000-00000000fake",
            "capg-manager@simulated-project.iam.gserviceaccount.com",
            "simulated-user@vsphere.local", "simulated-password-not-real",
            "http://maas.simulated.invalid:5240/MAAS", "simulated:maas:api-key-not-real");

    /** No credentials at all: clusterctl init runs with empty variables, the controllers cannot reach their clouds. */
    public static final ManagementCredentials NONE = new ManagementCredentials("", "", "", "", "", "", "", "");

    /** clusterctl's variables for these credentials. */
    public Map<String, String> variables() {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("AWS_B64ENCODED_CREDENTIALS", awsAccessKeyId.isEmpty() ? "" : base64("""
                [default]
                aws_access_key_id = %s
                aws_secret_access_key = %s
                region = us-east-1
                """.formatted(awsAccessKeyId, awsSecretAccessKey)));
        variables.put("AZURE_SUBSCRIPTION_ID_B64", base64(azureSubscriptionId));
        variables.put("GCP_B64ENCODED_CREDENTIALS", gcpServiceAccountEmail.isEmpty() ? "" : base64("""
                {"type": "service_account", "project_id": "simulated-project", "private_key_id": "simulated",
                 "private_key": "-----BEGIN PRIVATE KEY-----\\nsimulated, not a key\\n-----END PRIVATE KEY-----\\n",
                 "client_email": "%s", "client_id": "000000000000000000000"}
                """.formatted(gcpServiceAccountEmail)));
        variables.put("VSPHERE_USERNAME", vsphereUsername);
        variables.put("VSPHERE_PASSWORD", vspherePassword);
        variables.put("MAAS_ENDPOINT", maasEndpoint);
        variables.put("MAAS_API_KEY", maasApiKey);
        return variables;
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
