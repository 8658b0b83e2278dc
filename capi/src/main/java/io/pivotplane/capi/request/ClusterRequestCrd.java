package io.pivotplane.capi.request;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * pivotplane's own API: the {@code ClusterRequest} custom resource ({@code pivotplane.io/v1alpha1}), whose spec is
 * the REST request's body, with a status subresource and printer columns for its provider and stage.
 */
public final class ClusterRequestCrd {

    public static final String GROUP = "pivotplane.io";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    public static final String KIND = ClusterRequestDocument.KIND;
    public static final String PLURAL = "clusterrequests";
    /** The stage a refused request shows in its status; the API would have answered 400. */
    public static final String STAGE_INVALID = "Invalid";

    private static final String RESOURCE = "pivotplane.io_clusterrequests.yaml";
    private static volatile CustomResourceDefinition definition;

    private ClusterRequestCrd() {
    }

    public static CustomResourceDefinition definition() {
        if (definition == null) {
            try (InputStream in = ClusterRequestCrd.class.getResourceAsStream(RESOURCE)) {
                definition = new ObjectMapper(new YAMLFactory()).readValue(in, CustomResourceDefinition.class);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RESOURCE, e);
            }
        }
        return definition;
    }
}
