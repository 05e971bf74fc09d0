package io.distillguard.service.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.detect.LinkRiskProcessor;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextTemplateCampaignTest {

    @Test
    void aTextTemplatesFillingsShareABandOnlyWhenItsFixedWordsOutweighItsSlot() {
        CampaignKnobs nominal = CampaignKnobs.nominal().with("accounts", 100).with("requests_per_day", 20);
        assertThat(nominal.with("template_words", 50).describe()).contains("5 text templates of 50 words");

        double bitFlips = sharedBandShare(nominal);
        double shortText = sharedBandShare(nominal.with("template_words", 20));
        double longText = sharedBandShare(nominal.with("template_words", 200));

        // Two bits flipped a request: nearly every first turn meets another in table 0's band.
        assertThat(bitFlips).isGreaterThan(0.7);
        // Fingerprinted from text: a three-word slot in 20 words moves about 11 bits, in 200 words about 3, and the
        // same few marginal bits each time, so a long template's fillings gather in a few band values.
        assertThat(shortText).as("20 fixed words").isLessThan(0.15);
        assertThat(longText).as("200 fixed words").isGreaterThan(0.6);
    }

    @Test
    void freshQuestionsBehindOneLongPreambleShareItsWordBandsNotItsSimHashBands() {
        CampaignKnobs preambled = CampaignKnobs.nominal().with("accounts", 100).with("requests_per_day", 20)
                .with("preamble_words", 40);
        assertThat(preambled.describe()).contains("5 preambles of 40 words before fresh questions");
        assertThat(CampaignKnobs.nominal().with("template_words", 20).with("slot_words", 10).describe())
                .contains("text templates of 20 words and a 10-word slot");
        double simhash = sharedBandShare(preambled);
        double words = sharedWordBandShare(preambled);
        assertThat(simhash).as("SimHash table 0").isLessThan(0.15);
        assertThat(words).as("word band 0").isGreaterThan(0.3);
    }

    /** The share of the campaign's first turns whose table-0 SimHash band another of its first turns has too. */
    private static double sharedBandShare(CampaignKnobs knobs) {
        return sharedShare(knobs, event -> LinkRiskProcessor.templateBand(event.getPromptSimhash(), 0));
    }

    /** The same for word band 0. */
    private static double sharedWordBandShare(CampaignKnobs knobs) {
        return sharedShare(knobs, event -> LinkRiskProcessor.wordBand(event.getPromptMinhash().bytes(), 0));
    }

    private static double sharedShare(CampaignKnobs knobs, java.util.function.ToLongFunction<RequestEvent> band) {
        CampaignSimulator simulator = new CampaignSimulator(new CampaignSimulator.Settings(7, 100, 1,
                Instant.parse("2026-11-01T00:00:00Z"), 1.0), List.of(knobs));
        Map<Long, Integer> bands = new HashMap<>();
        int prompts = 0;
        while (simulator.hasNext()) {
            RequestEvent event = simulator.next();
            if (event.getAccountId().startsWith("acct-swept-") && event.getTurnIndex() == 0) {
                bands.merge(band.applyAsLong(event), 1, Integer::sum);
                prompts++;
            }
        }
        assertThat(prompts).as("first turns of the campaign").isGreaterThan(500);
        long shared = bands.values().stream().filter(n -> n > 1).mapToLong(n -> n).sum();
        return (double) shared / prompts;
    }
}
