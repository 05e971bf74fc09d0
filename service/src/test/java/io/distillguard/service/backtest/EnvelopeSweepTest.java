package io.distillguard.service.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.simulate.CampaignKnobs;
import io.distillguard.topology.DetectionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvelopeSweepTest {

    @TempDir
    Path dir;

    private final DetectionConfig config = ServiceConfig.load(null, Map.of(), Map.of()).detection();
    private final EnvelopeSweep sweep = new EnvelopeSweep(config, 5, 300, 1, Instant.parse("2026-11-01T00:00:00Z"));

    @Test
    void shouldCatchAFarmOnOneHostingProviderAndNotACampaignThatSharesNothing() throws Exception {
        CampaignKnobs farm = CampaignKnobs.nominal();
        CampaignKnobs nothingShared = farm.with("templates", 0).with("residential_addresses", 10_000);
        List<EnvelopeSweep.Figures> figures = List.of(
                sweep.runCell(new EnvelopeSweep.Cell("trait", "hosting farm", "", farm), 1),
                sweep.runCell(new EnvelopeSweep.Cell("trait", "none", "", nothingShared), 2));

        assertThat(figures.get(0).accounts()).isEqualTo(200);
        assertThat(figures.get(0).recall()).isGreaterThan(0.9);
        assertThat(figures.get(0).median()).isNotNull();
        assertThat(figures.get(1).recall()).isZero();
        assertThat(figures).allSatisfy(f -> {
            assertThat(f.benign()).isEqualTo(300);
            assertThat(f.benignNamed()).isZero();
        });
        assertThat(EnvelopeSweep.table(figures)).contains("| trait | hosting farm |", "| trait | none |");

        Path html = dir.resolve("envelope.html");
        EnvelopeSweep.writeHtml(html, List.of(new EnvelopeSweep.Figures(
                new EnvelopeSweep.Cell("a x b", "1", "2", farm), 10, 5, null, null, 100, 0, "{}", 1)), "heading");
        assertThat(Files.readString(html)).contains("data:image/png;base64,", "heading");
    }

    @Test
    void shouldSweepEveryKnobTheEnvelopeNames() {
        assertThat(EnvelopeSweep.cells()).extracting(EnvelopeSweep.Cell::grid).contains(
                "accounts x requests per day", "reasoning share x first-turn share", "template bits perturbed",
                "addresses", "account age days", "the one shared trait");
    }
}
