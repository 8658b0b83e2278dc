package io.pivotplane.e2e;

import io.pivotplane.devstack.testing.TopicReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Looks for the secret values a run planted (credentials, keys, tokens) wherever the plane writes what it knows:
 * every record of every topic (values and headers), every column of every table of every service's database, the
 * API's answers and the stack's log. A finding names the secret and where it was.
 */
final class SecretScan {

    record Finding(String secret, String where) {
    }

    private final Map<String, String> secrets;
    private final List<Finding> findings = new ArrayList<>();
    private long scannedBytes;

    /** @param secrets what each secret is, by its value */
    SecretScan(Map<String, String> secrets) {
        this.secrets = secrets;
    }

    List<Finding> findings() {
        return findings;
    }

    long scannedBytes() {
        return scannedBytes;
    }

    void text(String where, String text) {
        if (text == null) {
            return;
        }
        scannedBytes += text.length();
        secrets.forEach((value, what) -> {
            if (text.contains(value)) {
                findings.add(new Finding(what, where));
            }
        });
    }

    void topics(String bootstrapServers) throws Exception {
        List<String> topics;
        try (Admin admin = Admin.create(EmbeddedKafkaBroker.adminConfig(bootstrapServers))) {
            topics = admin.listTopics().names().get().stream().sorted().toList();
        }
        for (String topic : topics) {
            for (ConsumerRecord<String, byte[]> record : TopicReader.readRaw(bootstrapServers, topic)) {
                String where = "topic " + topic + " at " + record.partition() + "@" + record.offset();
                text(where, record.key());
                text(where, record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8));
                for (Header header : record.headers()) {
                    text(where + ", header " + header.key(),
                            header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    /** Every column of every table of the database, read as text. */
    void database(String jdbcUrl, String user, String password) throws SQLException {
        Properties credentials = new Properties();
        credentials.setProperty("user", user);
        credentials.setProperty("password", password);
        try (Connection connection = DriverManager.getConnection(jdbcUrl, credentials);
             Statement statement = connection.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery("SELECT quote_ident(table_schema) || '.' || "
                    + "quote_ident(table_name) FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
                    + "AND table_schema NOT IN ('pg_catalog', 'information_schema')")) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
            for (String table : tables) {
                // a whole row as text: every column, whatever its type
                try (ResultSet rows = statement.executeQuery("SELECT t::text FROM " + table + " t")) {
                    while (rows.next()) {
                        text(jdbcUrl + " table " + table, rows.getString(1));
                    }
                }
            }
        }
    }
}
