package io.pivotplane.request.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallerTest {

    @Test
    void aProjectRoleIncludesTheRolesBeforeItAndNoneAfter() {
        Caller editor = Caller.fromGroups("ed", List.of("pivotplane:team-a:editor"));

        assertThat(editor.may(ProjectRole.VIEWER, "team-a")).isTrue();
        assertThat(editor.may(ProjectRole.EDITOR, "team-a")).isTrue();
        assertThat(editor.may(ProjectRole.ADMIN, "team-a")).isFalse();
        assertThat(editor.may(ProjectRole.VIEWER, "team-b")).isFalse();
        assertThat(editor.may(ProjectRole.VIEWER, null)).isFalse();
    }

    @Test
    void theHighestRoleOfAProjectCountsWhateverTheOrderOfTheGroups() {
        Caller caller = Caller.fromGroups("x", List.of("pivotplane:team-a:admin", "pivotplane:team-a:viewer"));

        assertThat(caller.roles()).containsEntry("team-a", ProjectRole.ADMIN);
        assertThat(caller.visibleProjects()).contains(Set.of("team-a"));
    }

    @Test
    void onlyGroupsOfPivotplanesFormGiveRoles() {
        Caller caller = Caller.fromGroups("x", List.of("team-a:admin", "pivotplane:team-a", "pivotplane::admin",
                "pivotplane:team-a:owner", "pivotplane:team-a:admin:extra", "PIVOTPLANE:PLATFORM-ADMIN"));

        assertThat(caller.roles()).isEmpty();
        assertThat(caller.platformAdmin()).isFalse();
        assertThat(caller.visibleProjects()).contains(Set.of());
    }

    @Test
    void aPlatformAdminMayAnythingAnywhereAndSeesEveryProject() {
        Caller admin = Caller.fromGroups("root", List.of(Caller.PLATFORM_ADMIN_GROUP));

        assertThat(admin.may(ProjectRole.ADMIN, "any-project")).isTrue();
        assertThat(admin.visibleProjects()).isEmpty();
    }

    @Test
    void aRefusalNamesTheCallerTheProjectAndTheRoleNeeded() {
        Caller viewer = Caller.fromGroups("vi@example.com", List.of("pivotplane:team-a:viewer"));

        assertThatThrownBy(() -> viewer.require(ProjectRole.EDITOR, "team-a", "delete clusters"))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessage("vi@example.com may not delete clusters in project 'team-a' (needs role editor)");
    }
}
