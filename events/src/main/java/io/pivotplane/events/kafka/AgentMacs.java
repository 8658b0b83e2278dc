package io.pivotplane.events.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.pivotplane.events.CloudEventHeaders;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Proof that a record between the management plane and one cluster's agent is authentic: an HMAC-SHA256, in header
 * {@value #HEADER}, over the direction, the record's {@code ce_type}, {@code ce_subject} (the cluster's id) and
 * value, under the agent's own key. That key is derived from the plane's secret and the cluster's id, so the plane
 * can compute the key of any agent and needs to store none, while an agent holds only its own: it can neither forge
 * a command nor a report of another cluster. The direction is part of what is signed, so a command is never taken
 * for a report.
 */
public final class AgentMacs {

    public static final String HEADER = "pivotplane_mac";

    /** Which way a record goes: the agent accepts only commands, the plane only reports. */
    public enum Direction { COMMAND, REPORT }

    private static final String ALGORITHM = "HmacSHA256";
    private static final String KEY_DERIVATION = "pivotplane-agent-key/v1/";
    private static final String KAFKA_PASSWORD_DERIVATION = "pivotplane-agent-kafka-password/v1/";

    private AgentMacs() {
    }

    /** The key of the agent of {@code clusterId}, which pivot-service installs with it. */
    public static byte[] agentKey(byte[] planeSecret, String clusterId) {
        return hmac(planeSecret, (KEY_DERIVATION + clusterId).getBytes(UTF_8));
    }

    /**
     * The password of the Kafka principal of the agent of {@code clusterId}. Derived rather than drawn, so that each
     * step of a move that renders the agent's Secret renders the same one; it signs in only while pivot-service keeps
     * the principal's SCRAM credential, which it deletes with the cluster.
     */
    public static String agentKafkaPassword(byte[] planeSecret, String clusterId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                hmac(planeSecret, (KAFKA_PASSWORD_DERIVATION + clusterId).getBytes(UTF_8)));
    }

    /** The plane's secret (or an agent's key) as configuration holds it: base64, at least 32 bytes. */
    public static byte[] decodeKey(String base64, String what) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not base64", e);
        }
        if (key.length < 32) {
            throw new IllegalArgumentException(what + " must be at least 32 bytes (256 bits), is " + key.length);
        }
        return key;
    }

    /** Adds the record's MAC to its headers, which must carry its CloudEvents attributes already. */
    public static void sign(Headers headers, byte[] value, byte[] agentKey, Direction direction) {
        headers.remove(HEADER);
        headers.add(HEADER, mac(headers, value, agentKey, direction));
    }

    /** Whether the record carries the MAC that {@code agentKey} gives it, in constant time. */
    public static boolean verify(Headers headers, byte[] value, byte[] agentKey, Direction direction) {
        Header presented = headers.lastHeader(HEADER);
        return presented != null && presented.value() != null
                && MessageDigest.isEqual(presented.value(), mac(headers, value, agentKey, direction));
    }

    /** The cluster a record is about, by its {@code ce_subject}: whose key verifies it. */
    public static String subject(Headers headers) {
        return text(headers, CloudEventHeaders.SUBJECT);
    }

    private static byte[] mac(Headers headers, byte[] value, byte[] agentKey, Direction direction) {
        ByteArrayOutputStream signed = new ByteArrayOutputStream();
        try (DataOutputStream fields = new DataOutputStream(signed)) {
            // each field with its length, so that no two different records sign the same bytes
            fields.writeUTF(direction.name());
            fields.writeUTF(text(headers, CloudEventHeaders.TYPE));
            fields.writeUTF(text(headers, CloudEventHeaders.SUBJECT));
            fields.writeInt(value == null ? -1 : value.length);
            if (value != null) {
                fields.write(value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return hmac(agentKey, signed.toByteArray());
    }

    private static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? "" : new String(header.value(), UTF_8);
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
