package io.pivotplane.events;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which agents the plane drives, by the rule Kubernetes keeps between an API server and its kubelets: an agent of
 * the plane's own minor release or of the one before it (same major), never a newer one, whose reports and commands
 * the plane may not understand. The plane and the agent are released together; {@link #current()} is the release
 * these classes were built for, which the agent reports as its own version.
 */
public final class AgentVersions {

    /** How many minors an agent may lag behind the plane. */
    public static final int MINORS_BEHIND = 1;
    private static final Pattern VERSION = Pattern.compile("v?(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)([-+].*)?");
    private static final String CURRENT = readCurrent();

    private AgentVersions() {
    }

    /** The release of the plane, and of the agent built with it, e.g. {@code 0.1.0}. */
    public static String current() {
        return CURRENT;
    }

    /** What the plane drives, in words: e.g. {@code 0.0.x to 0.1.x}. */
    public static String supportedRange() {
        int[] plane = parse(CURRENT).orElseThrow();
        int oldest = Math.max(0, plane[1] - MINORS_BEHIND);
        return plane[0] + "." + oldest + ".x to " + plane[0] + "." + plane[1] + ".x";
    }

    /** Whether the plane drives an agent of {@code agentVersion}; an agent that reports no version it does not. */
    public static boolean supports(String agentVersion) {
        Optional<int[]> agent = parse(agentVersion);
        int[] plane = parse(CURRENT).orElseThrow();
        return agent.isPresent() && agent.get()[0] == plane[0] && agent.get()[1] <= plane[1]
                && agent.get()[1] >= plane[1] - MINORS_BEHIND;
    }

    /** Why the plane does not drive an agent of {@code agentVersion}, for people to read. */
    public static String refusal(String agentVersion) {
        return (agentVersion == null ? "the agent reports no version (it is older than any this plane drives)"
                : "agent " + agentVersion + " is outside what plane " + CURRENT + " drives")
                + ": agents " + supportedRange() + "; upgrade the agent with the plane";
    }

    private static Optional<int[]> parse(String version) {
        if (version == null) {
            return Optional.empty();
        }
        Matcher matcher = VERSION.matcher(version);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new int[] {Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2))});
    }

    private static String readCurrent() {
        Properties properties = new Properties();
        try (InputStream in = AgentVersions.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties is missing from the events classes");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String version = properties.getProperty("version");
        if (parse(version).isEmpty()) {
            throw new IllegalStateException("version.properties holds no release version but '" + version
                    + "': the build fills it in");
        }
        return version;
    }
}
