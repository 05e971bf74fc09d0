package io.distillguard.service.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.serdes.registry.SchemaRegistryClients;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * The configuration reference (docs/configuration.md) and the code agree: every key the service, the detection and
 * the serdes define is documented, every documented key exists (Distillguard's, the serdes' or Kafka's), each default
 * is the code's, and each environment variable is the one the loader reads. A key added, renamed or given another
 * default without its documentation fails here.
 */
class ConfigurationReferenceTest {

    private static final Path REFERENCE = Path.of("..", "docs", "configuration.md");

    /** One row: key, the default as written, and the environment variable as written. */
    record Row(String key, String documentedDefault, String variable) {
    }

    @Test
    void everyKeyOfTheCodeIsDocumentedWithItsDefaultAndVariableAndNothingElseIs() throws Exception {
        Map<String, Row> rows = rows();
        Map<String, String> codeDefaults = new LinkedHashMap<>(ServiceConfig.defaults());
        codeDefaults.putAll(SchemaRegistryClients.DEFAULTS);
        Set<String> ownKeys = new TreeSet<>(codeDefaults.keySet());
        ownKeys.addAll(serdesKeys());
        ownKeys.add(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);

        assertThat(rows.keySet()).as("keys of the code missing from %s", REFERENCE).containsAll(ownKeys);

        Set<String> kafkaKeys = new TreeSet<>(StreamsConfig.configDef().names());
        kafkaKeys.addAll(ConsumerConfig.configNames());
        List<String> unknown = rows.keySet().stream().filter(k -> !ownKeys.contains(k) && !kafkaKeys.contains(k)).toList();
        assertThat(unknown).as("documented keys that nothing reads").isEmpty();

        Map<String, Object> kafkaDefaults = new LinkedHashMap<>(StreamsConfig.configDef().defaultValues());
        List<String> wrong = new ArrayList<>();
        for (Row row : rows.values()) {
            String expected;
            if (codeDefaults.containsKey(row.key())) {
                expected = codeDefaults.get(row.key());
            } else if (kafkaDefaults.containsKey(row.key()) && !ownKeys.contains(row.key())) {
                Object value = kafkaDefaults.get(row.key());
                expected = value == null ? "" : value.toString();
            } else {
                // No default in the code (a URL, a password): the reference must say there is none.
                expected = "";
            }
            if (!matches(row.documentedDefault(), expected)) {
                wrong.add(row.key() + ": documented '" + row.documentedDefault() + "', code '" + expected + "'");
            }
            String variable = ServiceConfig.envName(row.key());
            if (!row.variable().equals(variable) && !(row.variable().endsWith("*")
                    && variable.startsWith(row.variable().substring(0, row.variable().length() - 1)))) {
                wrong.add(row.key() + ": documented variable " + row.variable() + ", the loader reads " + variable);
            }
        }
        assertThat(wrong).as("rows of %s that differ from the code", REFERENCE).isEmpty();
    }

    @Test
    void aDefaultMatchesOnlyWhatTheCodeSays() {
        assertThat(matches("7d", "7d")).isTrue();
        assertThat(matches("268435456 (256 MiB)", "268435456")).isTrue();
        assertThat(matches("(none; the demo starts a broker)", "")).isTrue();
        assertThat(matches("\"\"", "")).isTrue();
        assertThat(matches("8d", "7d")).isFalse();
        assertThat(matches("(none)", "7d")).isFalse();
        assertThat(matches("7d", "")).isFalse();
    }

    /**
     * A documented default matches when its first word is the code's value (a note in brackets may follow), or, for
     * a key without a default, when it is a note in brackets or the empty string.
     */
    static boolean matches(String documented, String code) {
        String text = documented.replace("`", "").trim();
        if (code.isEmpty()) {
            return text.startsWith("(") || text.equals("\"\"");
        }
        String first = text.split("\\s+")[0];
        return first.equals(code);
    }

    /** The reference's table rows; "a.b.c / .d / .e" rows stand for a.b.c, a.b.d and a.b.e. */
    static Map<String, Row> rows() throws Exception {
        Map<String, Row> rows = new LinkedHashMap<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(REFERENCE)) {
            if (line.startsWith("| key | default |")) {
                inTable = true;
                continue;
            }
            if (!inTable || line.startsWith("|---")) {
                continue;
            }
            if (!line.startsWith("|")) {
                inTable = false;
                continue;
            }
            String[] cells = line.substring(1, line.length() - 1).split("\\|", -1);
            String[] keys = cells[0].trim().split(" / ");
            String[] defaults = cells[1].trim().split(" / ");
            String base = keys[0];
            for (int i = 0; i < keys.length; i++) {
                String key = i == 0 ? base : base.substring(0, base.lastIndexOf('.')) + keys[i];
                String value = defaults.length == keys.length ? defaults[i] : cells[1].trim();
                rows.put(key, new Row(key, value, cells[2].trim()));
            }
        }
        assertThat(rows).as("rows read from %s", REFERENCE).hasSizeGreaterThan(20);
        return rows;
    }

    /** Every key the serdes read: the public String constants of SchemaRegistryClients that name a key. */
    private static Set<String> serdesKeys() throws Exception {
        Set<String> keys = new TreeSet<>();
        for (Field field : SchemaRegistryClients.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                    && !field.getName().equals("MOCK_PREFIX")) {
                keys.add((String) field.get(null));
            }
        }
        return keys;
    }
}
