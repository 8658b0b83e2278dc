package io.pivotplane.request.domain;

/**
 * A profile version that cannot change: clusters were made from it (what they run must stay what the version
 * says), or it exists and a POST would make it again. A new version is the way to change a profile.
 */
public class ProfileVersionFrozenException extends RuntimeException {

    public ProfileVersionFrozenException(String message) {
        super(message);
    }
}
