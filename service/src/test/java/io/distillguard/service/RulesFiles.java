package io.distillguard.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.topology.rules.DetectionRules;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Rules files for tests: the bundled rules with some lines replaced, written where the service can load them. */
public final class RulesFiles {

    private RulesFiles() {
    }

    /** Writes the bundled rules with {@code replacements} (pairs of old and new text) to {@code dir/name}. */
    public static Path write(Path dir, String name, String... replacements) {
        String yaml;
        try (InputStream in = DetectionRules.class.getResourceAsStream("default-rules.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (int i = 0; i < replacements.length; i += 2) {
                assertThat(yaml).as("rules to replace").contains(replacements[i]);
                yaml = yaml.replace(replacements[i], replacements[i + 1]);
            }
            DetectionRules.parse(yaml);
            Path file = dir.resolve(name);
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
