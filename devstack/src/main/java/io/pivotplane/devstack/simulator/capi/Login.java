package io.pivotplane.devstack.simulator.capi;

/**
 * The outcome of a provider's attempt to reach its cloud with the credentials it found for a cluster: who it is
 * logged in as, or the error the provider reports. The simulated clouds accept any complete credentials.
 */
record Login(String principal, String error) {

    static Login as(String principal) {
        return new Login(principal, null);
    }

    static Login failed(String error) {
        return new Login(null, error);
    }

    boolean ok() {
        return error == null;
    }

    /** The provider's failure, as its reconcile returns it: a controller-runtime error, retried with back-off. */
    IllegalStateException failure() {
        return new IllegalStateException(error);
    }
}
