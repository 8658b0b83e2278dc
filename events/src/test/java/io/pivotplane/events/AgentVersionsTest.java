package io.pivotplane.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AgentVersionsTest {

    @Test
    void theBuildFillsInTheRelease() {
        assertThat(AgentVersions.current()).matches("\\d+\\.\\d+\\.\\d+.*").doesNotContain("${");
    }

    @Test
    void thePlaneDrivesAgentsOfItsOwnMinorAndTheOneBeforeItNeverNewerOnesNorOnesThatSayNothing() {
        String[] plane = AgentVersions.current().split("[.-]");
        int major = Integer.parseInt(plane[0]);
        int minor = Integer.parseInt(plane[1]);

        assertThat(AgentVersions.supports(AgentVersions.current())).isTrue();
        assertThat(AgentVersions.supports(major + "." + minor + ".7")).isTrue();
        assertThat(AgentVersions.supports("v" + major + "." + minor + ".0")).isTrue();
        assertThat(AgentVersions.supports(major + "." + (minor + 1) + ".0")).as("newer than the plane").isFalse();
        assertThat(AgentVersions.supports((major + 1) + "." + minor + ".0")).as("another major").isFalse();
        if (minor >= 1) {
            assertThat(AgentVersions.supports(major + "." + (minor - 1) + ".9")).isTrue();
        }
        if (minor >= 2) {
            assertThat(AgentVersions.supports(major + "." + (minor - 2) + ".0")).as("two minors behind").isFalse();
        }
        assertThat(AgentVersions.supports(null)).isFalse();
        assertThat(AgentVersions.supports("latest")).isFalse();
        assertThat(AgentVersions.supportedRange()).isEqualTo(major + "." + Math.max(0, minor - 1) + ".x to " + major
                + "." + minor + ".x");
        assertThat(AgentVersions.refusal(null)).contains("reports no version", AgentVersions.supportedRange());
    }
}
