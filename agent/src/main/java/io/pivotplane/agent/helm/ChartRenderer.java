package io.pivotplane.agent.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.pivotplane.events.model.Addon;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Renders a chart into the YAML documents to apply, as {@code helm install} would install them: first the chart's
 * own CRDs (its {@code crds/} folder, which Helm installs before anything else and never templates), then its
 * templates rendered by Helm's own library (helm-java) with the add-on's values, for the release and namespace given.
 */
public final class ChartRenderer {

    private final ChartRepositoryClient repository;

    public ChartRenderer(ChartRepositoryClient repository) {
        this.repository = repository;
    }

    /** A chart rendered: the documents of its {@code crds/} folder and its templates; each may hold several objects. */
    public record Rendered(List<String> crds, List<String> templates) {
    }

    public Rendered render(Addon.Chart chart, String release, String namespace) {
        if (chart.fromOciRegistry()) {
            return new Rendered(List.of(), template(Helm.template(chart.repository() + "/" + chart.name())
                    .withVersion(chart.version()), chart, release, namespace));
        }
        Path archive = repository.fetch(chart);
        return new Rendered(crds(archive, chart), template(new Helm(archive).template(), chart, release, namespace));
    }

    private List<String> template(TemplateCommand command, Addon.Chart chart, String release, String namespace) {
        Path values = null;
        try {
            command = command.withName(release).withNamespace(namespace);
            if (chart.values() != null && !chart.values().isBlank()) {
                Files.createDirectories(repository.cache());
                values = Files.createTempFile(repository.cache(), "values-", ".yaml");
                Files.writeString(values, chart.values());
                command = command.withValuesFile(values);
            }
            return List.of(command.call());
        } catch (IOException e) {
            throw new ChartException("cannot write the values of chart " + chart.name() + ": " + e, e);
        } catch (RuntimeException e) {
            // Helm's own message: a template error, a missing required value, a chart that does not load
            throw new ChartException("chart " + chart.name() + " " + chart.version() + " does not render: "
                    + e.getMessage(), e);
        } finally {
            JvmSignals.reclaimAfterHelm();
            if (values != null) {
                try {
                    Files.deleteIfExists(values);
                } catch (IOException ignored) {
                    // a temporary file left behind is removed with the temporary folder
                }
            }
        }
    }

    /** The files of the chart's top-level {@code crds/} folder, in the order of their names, as Helm reads them. */
    static List<String> crds(Path archive, Addon.Chart chart) {
        Map<String, String> crds = new TreeMap<>();
        try (InputStream file = Files.newInputStream(archive);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(file))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                String[] path = entry.getName().split("/");
                if (entry.isFile() && path.length == 3 && path[1].equals("crds")
                        && path[2].matches(".*\\.(yaml|yml|json)")) {
                    crds.put(entry.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new ChartException("the archive of chart " + chart.name() + " " + chart.version()
                    + " is not a readable chart archive: " + e.getMessage(), e);
        }
        return List.copyOf(crds.values());
    }
}
