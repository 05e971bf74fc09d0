package io.distillguard.service.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenignPromptTextTest {

    @Test
    void benignFirstTurnsAreFingerprintsOfTextAroundTheirProductsSystemPrompt() {
        Map<String, List<Long>> firstTurns = firstTurnsByScenario();
        double homework = meanDistance(firstTurns.get("homework_app"));
        double ide = meanDistance(firstTurns.get("templated_product"));
        double ordinary = meanDistance(firstTurns.get("ordinary"));
        // A few words and numbers after a long system prompt: the same neighbourhood, yet not one flipped bit or two.
        assertThat(homework).isBetween(3.0, 14.0);
        // A prompt of the user's own after it moves the fingerprint further; ordinary prompts are strangers.
        assertThat(ide).isGreaterThan(homework + 2);
        assertThat(ordinary).isBetween(30.0, 34.0);
        // Shared openings and common words put strangers' prompts near each other more often than chance (a random
        // 64-bit pair is within 20 bits 0.19 % of the time): the benign side of every prompt link.
        assertThat(nearShare(firstTurns.get("ordinary"), 20)).isGreaterThan(0.0025);
    }

    @Test
    void strangersPromptsSeldomMeetATemplatesWordBandsThoughTheyShareItsCommonWords() {
        PromptLanguage language = new PromptLanguage(new java.util.SplittableRandom(1));
        java.util.SplittableRandom random = new java.util.SplittableRandom(2);
        // The band values most of each template's fillings share: what a campaign's group is keyed by.
        java.util.Set<Long> templateBands = new java.util.HashSet<>();
        for (int t = 0; t < 20; t++) {
            String[] fixed = language.phrase(random, 20);
            for (int band = 0; band < 4; band++) {
                Map<Long, Integer> counts = new HashMap<>();
                for (int v = 0; v < 100; v++) {
                    StringBuilder text = new StringBuilder();
                    for (int w = 0; w < fixed.length; w++) {
                        if (w == fixed.length / 2) {
                            text.append(language.contentWord(random)).append(' ').append(language.contentWord(random))
                                    .append(' ').append(language.contentWord(random)).append(' ');
                        }
                        text.append(fixed[w]).append(' ');
                    }
                    byte[] minhash = io.distillguard.topology.validation.PromptFingerprint.of(text.toString()).minHash();
                    counts.merge(band * 31L + io.distillguard.topology.detect.LinkRiskProcessor.wordBand(minhash, band), 1,
                            Integer::sum);
                }
                long dominant = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
                assertThat(counts.get(dominant)).as("fillings in template %d's band %d", t, band).isGreaterThan(5);
                templateBands.add(dominant);
            }
        }
        int hits = 0;
        for (int n = 0; n < 50_000; n++) {
            byte[] minhash = language.promptFingerprints(random.nextLong()).minHash();
            for (int band = 0; band < 4; band++) {
                hits += templateBands.contains(band * 31L
                        + io.distillguard.topology.detect.LinkRiskProcessor.wordBand(minhash, band)) ? 1 : 0;
            }
        }
        // Keyed by single words, about one stranger's prompt in 300 met one of these 80 bands (measured while
        // choosing word pairs): a band's first request would often be a stranger's.
        assertThat(hits).as("strangers' prompts in a template's word band, of 50,000").isLessThan(5);
    }

    private static Map<String, List<Long>> firstTurnsByScenario() {
        CampaignSimulator simulator = new CampaignSimulator(new CampaignSimulator.Settings(5, 5_000, 1,
                Instant.parse("2026-11-01T00:00:00Z"), 0.05));
        Map<String, String> scenarios = new HashMap<>();
        simulator.labels().forEach(l -> scenarios.put(l.accountId(), l.scenario()));
        Map<String, List<Long>> out = new HashMap<>();
        while (simulator.hasNext()) {
            RequestEvent event = simulator.next();
            if (event.getTurnIndex() == 0 && event.getPromptSimhash() != null) {
                out.computeIfAbsent(scenarios.get(event.getAccountId()), k -> new ArrayList<>()).add(event.getPromptSimhash());
            }
        }
        return out;
    }

    private static double meanDistance(List<Long> hashes) {
        assertThat(hashes).hasSizeGreaterThan(200);
        long sum = 0;
        int pairs = 0;
        for (int i = 0; i + 1 < hashes.size() && pairs < 20_000; i += 2) {
            sum += Long.bitCount(hashes.get(i) ^ hashes.get(i + 1));
            pairs++;
        }
        return (double) sum / pairs;
    }

    private static double nearShare(List<Long> hashes, int bits) {
        int near = 0;
        int pairs = 0;
        for (int i = 0; i < Math.min(hashes.size(), 2_000); i++) {
            for (int j = i + 1; j < Math.min(hashes.size(), 2_000); j++) {
                pairs++;
                if (Long.bitCount(hashes.get(i) ^ hashes.get(j)) <= bits) {
                    near++;
                }
            }
        }
        return (double) near / pairs;
    }
}
