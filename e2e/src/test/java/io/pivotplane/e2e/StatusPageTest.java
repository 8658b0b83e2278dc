package io.pivotplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pivotplane.capi.request.ClusterRequestDocument;
import io.pivotplane.devstack.LocalStack;
import io.pivotplane.devstack.testing.TestCredentials;
import io.pivotplane.devstack.infra.TempDirs;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The status page in a real browser: Debian's Chromium, headless, driven through its chromedriver (no browser is
 * downloaded). A cluster submitted through the API appears on the page and reaches its last stage there, live.
 */
class StatusPageTest {

    static final Path PROJECT = Path.of(System.getProperty("pivotplane.project-dir", "..")).toAbsolutePath().normalize();
    static final File CHROMIUM = new File(System.getProperty("pivotplane.chromium", "/usr/bin/chromium"));
    static final File CHROMEDRIVER = new File(System.getProperty("pivotplane.chromedriver", "/usr/bin/chromedriver"));

    static StackOutput output;
    static LocalStack stack;
    static PivotplaneApi api;
    static WebDriver browser;
    static Path browserProfile;

    @BeforeAll
    static void start() throws Exception {
        boolean present = CHROMIUM.canExecute() && CHROMEDRIVER.canExecute();
        if (!present && Boolean.getBoolean("pivotplane.require-browser")) {
            throw new IllegalStateException("the browser test needs Debian's chromium and chromium-driver ("
                    + CHROMIUM + ", " + CHROMEDRIVER + "): apt-get install chromium chromium-driver (bin/install-browser does it)");
        }
        Assumptions.assumeTrue(present, "no " + CHROMIUM + " or " + CHROMEDRIVER + ": the browser test is skipped"
                + " (bin/install-browser, which the build runs, installs them where it can)");
        output = new StackOutput(PROJECT.resolve("e2e/target/e2e-logs/status-page-stack.log"));
        stack = LocalStack.start(LocalStack.Settings.forTests(PROJECT, output.printStream()));
        api = new PivotplaneApi(stack.apiUrl(), stack.token());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + (browserProfile = TempDirs.create("pivotplane-chromium")));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (browserProfile != null) {
            TempDirs.deleteRecursively(browserProfile);
        }
        if (stack != null) {
            stack.close();
        }
        if (output != null) {
            output.close();
        }
    }

    @Test
    void aClusterSubmittedThroughTheApiReachesItsLastStageOnThePageLiveThenIsDeleted() throws Exception {
        browser.get(stack.apiUrl() + "/");
        await().atMost(Duration.ofSeconds(30)).until(() -> browser.findElement(By.id("sign-in")).isDisplayed());
        browser.findElement(By.id("token")).sendKeys(stack.token("team-a", "viewer"));
        browser.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
        await().atMost(Duration.ofSeconds(30)).until(() -> "live".equals(
                browser.findElement(By.id("connection")).getAttribute("data-state")));

        Map<String, Object> body = ClusterRequestDocument.body(Files.readString(PROJECT.resolve("examples/gcp.yaml")));
        Map<String, Object> otherProjects = new java.util.HashMap<>(body);
        otherProjects.put("project", "team-b");
        String hidden = api.create(TestCredentials.prepare(stack.management().client(), otherProjects));
        String id = api.create(TestCredentials.prepare(stack.management().client(), body));

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                .until(() -> "AddonsInstalled".equals(stageOnPage(id)));
        assertThat(rowText(id)).contains("edge-gcp", "team-a", "gcp", "AddonsInstalled");

        // The page redraws a row on each event, so a row found a moment ago may be gone: find it again until clicked.
        await().atMost(Duration.ofSeconds(10)).ignoreException(StaleElementReferenceException.class)
                .untilAsserted(() -> browser.findElement(rowSelector(id)).click());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(timelineOnPage())
                .containsExactly("Requested", "SpecsCreated", "ControlPlaneReady", "Pivoted", "AddonsInstalled"));
        assertThat(browser.findElement(By.id("details-placement")).getText()).contains("workload cluster itself");
        assertThat(browser.findElement(By.id("details-addons")).getText()).contains("team-namespace", "Installed");
        assertThat(browser.findElement(By.id("details-change")).getText()).isEqualTo("none since it was requested");

        // a change the cluster's agent applies inside the cluster, shown when the cluster is opened again
        api.change(id, Map.of("healthCheck", Map.of("unhealthyAfter", "7m")));
        await().atMost(Duration.ofMinutes(1)).ignoreException(StaleElementReferenceException.class)
                .untilAsserted(() -> {
                    browser.findElement(rowSelector(id)).click();
                    assertThat(browser.findElement(By.id("details-change")).getText())
                            .startsWith("generation 1: health checks: unhealthy after 7m").endsWith("— Applied");
                });

        api.delete(id);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250))
                .until(() -> "Deleted".equals(stageOnPage(id)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(timelineOnPage())
                .endsWith("Deleting", "Deleted"));
        // a viewer of team-a never sees team-b's cluster, though it went through its stages all along
        assertThat(api.stage(hidden)).isNotEqualTo("Requested");
        assertThat(stageOnPage(hidden)).isNull();
    }

    private static By rowSelector(String id) {
        return By.cssSelector("tr[data-cluster-id='" + id + "']");
    }

    // Reads go through one script each, so they see the page at one instant and never hold an element the next
    // live update replaces.
    private static String stageOnPage(String id) {
        return (String) script("const row = document.querySelector(`tr[data-cluster-id='${arguments[0]}']`);"
                + " return row ? row.dataset.stage : null;", id);
    }

    private static String rowText(String id) {
        return (String) script("const row = document.querySelector(`tr[data-cluster-id='${arguments[0]}']`);"
                + " return row ? row.innerText : '';", id);
    }

    @SuppressWarnings("unchecked")
    private static List<String> timelineOnPage() {
        return (List<String>) script("return Array.from(document.querySelectorAll('#details-timeline li'),"
                + " li => li.dataset.stage);");
    }

    private static Object script(String source, Object... arguments) {
        return ((JavascriptExecutor) browser).executeScript(source, arguments);
    }
}
