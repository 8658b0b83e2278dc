package io.pivotplane.devstack.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The defaults the API server sets on Deployments, DaemonSets and their pod templates when it decodes them
 * ({@code pkg/apis/apps/v1/defaults.go}, {@code pkg/apis/core/v1/defaults.go}): what a writer that compares the whole
 * spec it wants with the one it reads finds different on a real server. The common ones, not every one.
 */
final class Defaults {

    private Defaults() {
    }

    /** Defaults a Deployment ({@code deployment}) or a DaemonSet. */
    static void workload(ObjectNode object, boolean deployment) {
        ObjectNode spec = object(object, "spec");
        if (deployment) {
            putIfAbsent(spec, "replicas", 1);
            ObjectNode strategy = object(spec, "strategy");
            if (!strategy.hasNonNull("type")) {
                strategy.put("type", "RollingUpdate");
            }
            if (strategy.get("type").asText().equals("RollingUpdate")) {
                ObjectNode rollingUpdate = object(strategy, "rollingUpdate");
                putIfAbsent(rollingUpdate, "maxUnavailable", "25%");
                putIfAbsent(rollingUpdate, "maxSurge", "25%");
            }
            putIfAbsent(spec, "progressDeadlineSeconds", 600);
        } else {
            ObjectNode strategy = object(spec, "updateStrategy");
            if (!strategy.hasNonNull("type")) {
                strategy.put("type", "RollingUpdate");
            }
            if (strategy.get("type").asText().equals("RollingUpdate")) {
                ObjectNode rollingUpdate = object(strategy, "rollingUpdate");
                putIfAbsent(rollingUpdate, "maxUnavailable", 1);
                putIfAbsent(rollingUpdate, "maxSurge", 0);
            }
        }
        putIfAbsent(spec, "revisionHistoryLimit", 10);
        podSpec(object(object(spec, "template"), "spec"));
    }

    /** {@code SetDefaults_PodSpec} and what it does to containers, ports and volumes. */
    static void podSpec(ObjectNode spec) {
        putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
        putIfAbsent(spec, "restartPolicy", "Always");
        putIfAbsent(spec, "terminationGracePeriodSeconds", 30);
        putIfAbsent(spec, "schedulerName", "default-scheduler");
        object(spec, "securityContext");
        boolean hostNetwork = spec.path("hostNetwork").asBoolean(false);
        for (String field : new String[] {"containers", "initContainers"}) {
            for (JsonNode container : spec.path(field)) {
                container((ObjectNode) container, hostNetwork);
            }
        }
        for (JsonNode volume : spec.path("volumes")) {
            for (String source : new String[] {"secret", "configMap", "projected"}) {
                if (volume.path(source).isObject()) {
                    putIfAbsent((ObjectNode) volume.get(source), "defaultMode", 420);
                }
            }
        }
    }

    private static void container(ObjectNode container, boolean hostNetwork) {
        putIfAbsent(container, "terminationMessagePath", "/dev/termination-log");
        putIfAbsent(container, "terminationMessagePolicy", "File");
        if (!container.hasNonNull("imagePullPolicy")) {
            String image = container.path("image").asText("");
            String tag = image.contains("@") ? "digest" : image.lastIndexOf(':') > image.lastIndexOf('/')
                    ? image.substring(image.lastIndexOf(':') + 1) : "";
            container.put("imagePullPolicy", tag.isEmpty() || tag.equals("latest") ? "Always" : "IfNotPresent");
        }
        object(container, "resources");
        for (JsonNode port : container.path("ports")) {
            ObjectNode containerPort = (ObjectNode) port;
            putIfAbsent(containerPort, "protocol", "TCP");
            if (hostNetwork && !containerPort.hasNonNull("hostPort")) {
                containerPort.set("hostPort", containerPort.get("containerPort"));
            }
        }
        for (JsonNode env : container.path("env")) {
            JsonNode fieldRef = env.path("valueFrom").path("fieldRef");
            if (fieldRef.isObject()) {
                putIfAbsent((ObjectNode) fieldRef, "apiVersion", "v1");
            }
        }
        for (String probe : new String[] {"livenessProbe", "readinessProbe", "startupProbe"}) {
            if (container.path(probe).isObject()) {
                ObjectNode p = (ObjectNode) container.get(probe);
                putIfAbsent(p, "timeoutSeconds", 1);
                putIfAbsent(p, "periodSeconds", 10);
                putIfAbsent(p, "successThreshold", 1);
                putIfAbsent(p, "failureThreshold", 3);
                if (p.path("httpGet").isObject()) {
                    putIfAbsent((ObjectNode) p.get("httpGet"), "scheme", "HTTP");
                }
            }
        }
    }

    private static ObjectNode object(ObjectNode parent, String field) {
        JsonNode child = parent.get(field);
        return child != null && child.isObject() ? (ObjectNode) child : parent.putObject(field);
    }

    private static void putIfAbsent(ObjectNode node, String field, int value) {
        if (!node.hasNonNull(field)) {
            node.put(field, value);
        }
    }

    private static void putIfAbsent(ObjectNode node, String field, String value) {
        if (!node.hasNonNull(field)) {
            node.put(field, value);
        }
    }
}
