package io.pivotplane.request;

import io.pivotplane.devstack.testing.TestTokens;
import io.restassured.builder.RequestSpecBuilder;
import io.restassured.specification.RequestSpecification;

/** Requests of the API as one caller: {@code RestAssured.requestSpecification = ApiCallers.platformAdmin()}. */
public final class ApiCallers {

    private ApiCallers() {
    }

    public static RequestSpecification platformAdmin() {
        return bearer(TestTokens.platformAdmin());
    }

    public static RequestSpecification bearer(String token) {
        return new RequestSpecBuilder().addHeader("Authorization", "Bearer " + token).build();
    }
}
