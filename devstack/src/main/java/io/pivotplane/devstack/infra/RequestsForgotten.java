package io.pivotplane.devstack.infra;

import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.concurrent.TimeUnit;

/**
 * A dispatcher that lets its {@link MockWebServer} forget the requests it handled. fabric8's server keeps every
 * request it received, body included, for {@code takeRequest()}: a long-running server would keep them all (every
 * cluster's CRDs twice over, once stored and once as the request that created them).
 */
final class RequestsForgotten extends Dispatcher {

    private final Dispatcher dispatcher;
    private final MockWebServer server;

    RequestsForgotten(Dispatcher dispatcher, MockWebServer server) {
        this.dispatcher = dispatcher;
        this.server = server;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        try {
            return dispatcher.dispatch(request);
        } finally {
            try {
                // one request was queued before this one was dispatched: take one out
                server.takeRequest(0, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void shutdown() {
        dispatcher.shutdown();
    }
}
