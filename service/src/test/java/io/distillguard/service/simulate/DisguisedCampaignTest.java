package io.distillguard.service.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DisguisedCampaignTest {

    private static final CampaignKnobs CAMPAIGN = CampaignKnobs.nominal().with("accounts", 60);

    @Test
    void browserClientsGiveTheAccountsBrowsersAgentsAndEveryCapability() {
        List<RequestEvent> plain = requests(CAMPAIGN);
        List<RequestEvent> disguised = requests(CAMPAIGN.with("disguise", CampaignKnobs.Disguise.BROWSER_CLIENTS.ordinal()));
        assertThat(CAMPAIGN.with("disguise", 1).describe()).endsWith("browser user agents, every capability");

        assertThat(plain).extracting(RequestEvent::getUserAgent).containsOnly("python-httpx/0.27");
        assertThat(plain.stream().map(RequestEvent::getCapability).distinct()).containsExactlyInAnyOrder("coding", "math");
        assertThat(disguised).extracting(RequestEvent::getUserAgent).allMatch(agent -> agent.startsWith("Mozilla/5.0"));
        assertThat(disguised.stream().map(RequestEvent::getUserAgent).distinct().count()).isGreaterThan(3);
        assertThat(disguised.stream().map(RequestEvent::getCapability).distinct().count()).isEqualTo(7);
    }

    @Test
    void coverTrafficIsHalfTheRequestsWithoutChangingHowManyAnAccountSends() {
        List<RequestEvent> plain = requests(CAMPAIGN);
        List<RequestEvent> disguised = requests(CAMPAIGN.with("disguise", CampaignKnobs.Disguise.COVER_TRAFFIC.ordinal()));

        // About as many requests either way (ten an account a day), but reasoning and first turns halve or more.
        assertThat((double) disguised.size() / plain.size()).isBetween(0.85, 1.15);
        assertThat(share(plain, RequestEvent::getReasoningRequested)).isGreaterThan(0.75);
        assertThat(share(disguised, RequestEvent::getReasoningRequested)).isBetween(0.35, 0.55);
        assertThat(share(disguised, e -> e.getTurnIndex() == 0)).isBetween(0.55, 0.75);
    }

    @Test
    void coverQuestionsAreHalfTheRequestsAndKeepTheFirstTurns() {
        List<RequestEvent> plain = requests(CAMPAIGN);
        List<RequestEvent> disguised = requests(CAMPAIGN.with("disguise", CampaignKnobs.Disguise.COVER_QUESTIONS.ordinal()));
        List<RequestEvent> conversations = requests(CAMPAIGN.with("disguise", CampaignKnobs.Disguise.COVER_TRAFFIC.ordinal()));

        assertThat((double) disguised.size() / plain.size()).isBetween(0.85, 1.15);
        // Reasoning about halves; first turns stay as high as the harvest's own, where conversations pull them down.
        assertThat(share(disguised, RequestEvent::getReasoningRequested)).isBetween(0.35, 0.5);
        assertThat(share(disguised, e -> e.getTurnIndex() == 0)).isGreaterThan(0.85);
        assertThat(share(conversations, e -> e.getTurnIndex() == 0)).isLessThan(0.75);
        // The cover's answers are no longer than their prompts: the long answers about halve too.
        assertThat(share(plain, DisguisedCampaignTest::longAnswer)).isGreaterThan(0.9);
        assertThat(share(disguised, DisguisedCampaignTest::longAnswer)).isBetween(0.4, 0.6);
    }

    /** An answer at least three times its prompt, the harvest's mark. */
    private static boolean longAnswer(RequestEvent e) {
        return e.getCompletionTokens() >= 3L * e.getPromptTokens();
    }

    @Test
    void anUnlistedCloudRentsOutsideTheRulesHostingList() {
        List<RequestEvent> disguised = requests(CAMPAIGN.with("disguise", CampaignKnobs.Disguise.UNLISTED_HOST.ordinal()));
        assertThat(disguised).extracting(RequestEvent::getAsn).containsOnly(64_999);
        assertThat(io.distillguard.topology.rules.DetectionRules.Group.HOSTING_ASNS).doesNotContain(64_999);
        assertThat(requests(CAMPAIGN)).extracting(RequestEvent::getAsn).doesNotContain(64_999);
    }

    private static double share(List<RequestEvent> events, java.util.function.Predicate<RequestEvent> test) {
        return (double) events.stream().filter(test).count() / events.size();
    }

    /** The campaign's requests over one simulated day beside a small benign population. */
    private static List<RequestEvent> requests(CampaignKnobs knobs) {
        CampaignSimulator simulator = new CampaignSimulator(new CampaignSimulator.Settings(7, 100, 1,
                Instant.parse("2026-11-01T00:00:00Z"), 1.0), List.of(knobs));
        List<RequestEvent> out = new ArrayList<>();
        while (simulator.hasNext()) {
            RequestEvent event = simulator.next();
            if (event.getAccountId().startsWith("acct-swept-")) {
                out.add(event);
            }
        }
        assertThat(out).hasSizeGreaterThan(300);
        return out;
    }
}
