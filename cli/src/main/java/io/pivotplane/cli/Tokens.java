package io.pivotplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * What pivotctl can read of a bearer token without checking it (the API does that): who it names and when it
 * expires, to say why the API refused it and who logged in.
 */
final class Tokens {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String HOW_TO_GET_ONE = "pivotctl login --api-url URL --token TOKEN (bin/devstack prints how to get "
            + "a token of the local stack)";

    private Tokens() {
    }

    static String whyRefused(String token, String source, String apiUrl) {
        if (token == null) {
            return "the API at " + apiUrl + " needs a token and none is set: " + HOW_TO_GET_ONE;
        }
        Optional<Instant> expiry = claims(token).map(claims -> claims.path("exp"))
                .filter(JsonNode::canConvertToLong).map(exp -> Instant.ofEpochSecond(exp.asLong()));
        if (expiry.isPresent() && expiry.get().isBefore(Instant.now())) {
            return "the token of " + source + " expired at " + expiry.get() + ": log in again, " + HOW_TO_GET_ONE;
        }
        return "the API at " + apiUrl + " refused the token of " + source + " (not issued by its identity provider, "
                + "or for another audience): " + HOW_TO_GET_ONE;
    }

    /** The name the token gives its holder: preferred_username, else sub. */
    static Optional<String> subject(String token) {
        return claims(token).map(claims -> claims.path("preferred_username").asText(claims.path("sub").asText(null)));
    }

    private static Optional<JsonNode> claims(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(Base64.getUrlDecoder().decode(parts[1])));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
