package io.distillguard.service.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.simulate.CampaignKnobs;
import io.distillguard.service.simulate.CampaignSimulator;
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
    private final EnvelopeSweep sweep = new EnvelopeSweep(config, 5, 300, 1, Instant.parse("2026-11-01T00:00:00Z"), false);

    @Test
    void shouldCatchAFarmOnOneHostingProviderAndNotACampaignThatSharesNothing() throws Exception {
        CampaignKnobs farm = CampaignKnobs.nominal();
        CampaignKnobs nothingShared = farm.with("templates", 0).with("residential_addresses", 10_000);
        List<EnvelopeSweep.Figures> figures = List.of(
                sweep.runCell(new EnvelopeSweep.Cell("trait", "hosting farm", "", farm), 1),
                sweep.runCell(new EnvelopeSweep.Cell("trait", "none", "", nothingShared), 2));

        assertThat(figures.get(0).accounts()).isBetween(180, 200);
        assertThat(figures.get(0).recall()).isGreaterThan(0.9);
        assertThat(figures.get(0).median()).isNotNull();
        // Single requests hours apart behind a rotating proxy: an account now and then shows three quick pairs by
        // chance (about one in six in a day here), the class is mostly not caught.
        assertThat(figures.get(1).recall()).isLessThan(0.3);
        assertThat(figures).allSatisfy(f -> {
            // Of 300 benign accounts, those that sent something in the day: a quiet one can be neither.
            assertThat(f.benign()).isBetween(200, 300);
            assertThat(f.benignNamed()).isZero();
        });
        // Ranked by their highest scores against the cell's own benign accounts, the farm stands above every one of
        // them; the campaign that shares nothing mostly does not (its accounts are never named at all).
        assertThat(figures.get(0).rankedRecall()).hasSize(3);
        assertThat(figures.get(0).rankedRecall()[0]).isGreaterThan(0.9);
        assertThat(figures.get(1).rankedRecall()[2]).isLessThan(0.5);
        assertThat(EnvelopeSweep.table(figures)).contains("| trait | hosting farm |", "| trait | none |",
                "ranked: recall at 0.05 % / 0.1 % / 1 % benign");

        Path html = dir.resolve("envelope.html");
        EnvelopeSweep.writeHtml(html, List.of(new EnvelopeSweep.Figures(
                new EnvelopeSweep.Cell("a x b", "1", "2", farm), 10, 5, null, null, 100, 0, "{}", 1, 2, new double[3])), "heading");
        assertThat(Files.readString(html)).contains("data:image/png;base64,", "heading");
    }

    @Test
    void shouldCatchACampaignThatSharesNothingBehindAProxyRotatingPerRequestInConversations() {
        CampaignKnobs wrapped = CampaignKnobs.nominal().with("templates", 0).with("residential_addresses", 10_000)
                .with("first_turn_share", 0.4).with("requests_per_day", 100).with("accounts", 50);
        EnvelopeSweep.Figures figures = sweep.runCell(new EnvelopeSweep.Cell("rotating", "wrapped", "", wrapped), 3);
        // Only ROTATION sees it: fresh prompts, a card each, conversations, nothing shared with another account.
        assertThat(figures.recall()).isGreaterThan(0.8);
        assertThat(figures.benignNamed()).isZero();
    }

    @Test
    void shouldCatchACampaignAskingLittleReasoningByItsLongAnswersOnNewAccountsAndNotWithoutThem() {
        CampaignKnobs light = CampaignKnobs.nominal().with("accounts", 100).with("reasoning_share", 0.3)
                .with("long_answer_share", 0.8).with("age_days", 0).with("signup_spread_hours", 24 * 7);
        assertThat(sweep.runCell(new EnvelopeSweep.Cell("light", "long answers", "", light), 4).recall())
                .isGreaterThan(0.9);
        assertThat(sweep.runCell(new EnvelopeSweep.Cell("light", "short answers", "",
                light.with("long_answer_share", 0)), 4).recall()).isLessThan(0.1);
    }

    @Test
    void shouldNameAHostedTutorsUsersUnlessItsEgressIsListed() {
        EnvelopeSweep.Cell cell = new EnvelopeSweep.Cell("hosted", "nominal", "", CampaignKnobs.nominal()
                .with("accounts", 20));
        Instant start = Instant.parse("2026-11-01T00:00:00Z");
        EnvelopeSweep.Figures unlisted = new EnvelopeSweep(config, 6, 3_000, 1, start, true).runCell(cell, 5);
        assertThat(unlisted.benignNamedScenarios()).contains("hosted_tutor");
        DetectionConfig listing = ServiceConfig.load(null, Map.of("DISTILLGUARD_DETECTOR_HOSTED_PRODUCT_NETWORKS",
                CampaignSimulator.HOSTED_PRODUCT_NETWORKS), Map.of()).detection();
        EnvelopeSweep.Figures listed = new EnvelopeSweep(listing, 6, 3_000, 1, start, true).runCell(cell, 5);
        assertThat(listed.benignNamedScenarios()).doesNotContain("hosted_tutor", "hosted_writer");
        assertThat(listed.benignNamed()).isLessThan(unlisted.benignNamed());
    }

    @Test
    void shouldNameFewerOfASelfHostedToolsDevelopersForTheirSplitConfigurationsAndNoneButHeavyOnesListed(
            @TempDir Path dir) throws Exception {
        EnvelopeSweep.Cell cell = new EnvelopeSweep.Cell("hosted", "nominal", "", CampaignKnobs.nominal()
                .with("accounts", 20));
        Instant start = Instant.parse("2026-11-01T00:00:00Z");
        Path splitOff = io.distillguard.service.RulesFiles.write(dir, "no-split.yaml", "split-min-members: 10",
                "split-min-members: 100000");
        Path known = Files.writeString(dir.resolve("known.txt"), CampaignSimulator.SELF_HOSTED_TOOL_PROMPT);
        int byDefault = named(new EnvelopeSweep(config, 6, 10_000, 2, start, true).runCell(cell, 5), "self_hosted_tool");
        EnvelopeSweep.Figures withoutSplit = new EnvelopeSweep(ServiceConfig.load(null,
                Map.of("DISTILLGUARD_RULES_FILE", splitOff.toString()), Map.of()).detection(), 6, 10_000, 2, start, true)
                .runCell(cell, 5);
        EnvelopeSweep.Figures listed = new EnvelopeSweep(ServiceConfig.load(null,
                Map.of("DISTILLGUARD_RULES_FILE", splitOff.toString(), "DISTILLGUARD_DETECTOR_KNOWN_TEMPLATES_FILE",
                        known.toString()), Map.of()).detection(), 6, 10_000, 2, start, true).runCell(cell, 5);

        assertThat(named(withoutSplit, "self_hosted_tool")).isGreaterThanOrEqualTo(10);
        assertThat(byDefault).isLessThan(named(withoutSplit, "self_hosted_tool"));
        assertThat(named(listed, "self_hosted_tool")).isLessThan(named(withoutSplit, "self_hosted_tool") / 3);
        assertThat(listed.recall()).isEqualTo(withoutSplit.recall());
    }

    /** Benign accounts of one scenario a cell named, from its {scenario=count, ...} column. */
    private static int named(EnvelopeSweep.Figures figures, String scenario) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b" + scenario + "=(\\d+)")
                .matcher(figures.benignNamedScenarios());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    @Test
    void shouldSweepEveryKnobTheEnvelopeNames() {
        assertThat(EnvelopeSweep.cells()).extracting(EnvelopeSweep.Cell::grid).contains(
                "accounts x requests per day", "reasoning share x first-turn share", "template bits perturbed",
                "addresses", "account age days", "the one shared trait",
                "rotating, shares nothing: reasoning share x requests per day",
                "one cloud's pool, another /24 at each request", "held out: disguised");
    }
}
