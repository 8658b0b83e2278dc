package io.pivotplane.devstack.infra;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * The identity provider of the local stack and the tests: an RS256 signing key of its own and the tokens it signs,
 * shaped as a real OpenID Connect provider's access tokens (issuer, audience, subject, expiry, {@code groups}).
 * The request API is told its public key and issuer exactly as it is told a real provider's.
 */
public final class LocalIssuer {

    public static final String ISSUER = "https://pivotplane.local/issuer";
    public static final String AUDIENCE = "pivotplane";
    /** The group that makes a caller a platform admin; a project role is {@code pivotplane:<project>:<role>}. */
    public static final String PLATFORM_ADMIN = "pivotplane:platform-admin";

    private final KeyPair keys;

    private LocalIssuer(KeyPair keys) {
        this.keys = keys;
    }

    public static LocalIssuer create() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return new LocalIssuer(generator.generateKeyPair());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("RSA is part of every Java runtime", e);
        }
    }

    /** The issuer whose keys {@link #encoded()} gave, in another JVM or class loader (the tests' resources). */
    public static LocalIssuer decode(String encoded) {
        String[] parts = encoded.split("\\.");
        try {
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            PublicKey publicKey = rsa.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(parts[0])));
            PrivateKey privateKey = rsa.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(parts[1])));
            return new LocalIssuer(new KeyPair(publicKey, privateKey));
        } catch (NoSuchAlgorithmException | InvalidKeySpecException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not an encoded local issuer", e);
        }
    }

    public String encoded() {
        return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()) + "."
                + Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded());
    }

    /** The public key as PEM: what {@code mp.jwt.verify.publickey} or a file named by its location holds. */
    public String publicKeyPem() {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** The request API's settings that make it trust this issuer and no other. */
    public Map<String, String> verifierSettings() {
        return Map.of("mp.jwt.verify.publickey", publicKeyPem(), "mp.jwt.verify.issuer", ISSUER,
                "mp.jwt.verify.audiences", AUDIENCE);
    }

    public String platformAdminToken(String subject, Duration lifetime) {
        return token(subject, List.of(PLATFORM_ADMIN), lifetime);
    }

    /** A token whose holder has {@code role} ({@code viewer}, {@code editor}, {@code admin}) in {@code project}. */
    public String projectToken(String subject, String project, String role, Duration lifetime) {
        return token(subject, List.of("pivotplane:" + project + ":" + role), lifetime);
    }

    public String token(String subject, List<String> groups, Duration lifetime) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience(AUDIENCE);
        claims.setSubject(subject);
        claims.setClaim("preferred_username", subject);
        claims.setJwtId(UUID.randomUUID().toString());
        claims.setIssuedAtToNow();
        // a token may be made already expired, to show how an expired one is answered
        claims.setExpirationTimeMinutesInTheFuture(lifetime.toSeconds() / 60f);
        claims.setStringListClaim("groups", groups);
        JsonWebSignature signature = new JsonWebSignature();
        signature.setPayload(claims.toJson());
        signature.setKey(keys.getPrivate());
        signature.setKeyIdHeaderValue("local-stack");
        signature.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        signature.setHeader("typ", "JWT");
        try {
            return signature.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }
}
