package io.distillguard.service.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PopulationSharesTest {

    private static RequestEvent event(boolean reasoning, int turn, int promptTokens, int completionTokens) {
        return RequestEvent.newBuilder().setEventId("e").setEventTime(Instant.EPOCH).setAccountId("acct")
                .setIp("203.0.113.1").setModel("m").setEndpoint("/").setPromptTokens(promptTokens)
                .setCompletionTokens(completionTokens).setStatus(200).setReasoningRequested(reasoning)
                .setTurnIndex(turn).build();
    }

    @Test
    void shouldMeasureTheSharesTheRulesGroupSectionHoldsAndSayWhoseTheyAre() {
        PopulationShares shares = new PopulationShares();
        shares.add(event(true, 0, 100, 300));
        shares.add(event(false, 0, 100, 1_200));
        shares.add(event(true, 1, 100, 50));
        shares.add(event(false, 2, 0, 400));

        assertThat(shares.reasoningShare()).isEqualTo(0.5);
        assertThat(shares.firstTurnShare()).isEqualTo(0.5);
        // Three times the prompt and 1,000 tokens or more is a long answer, over the requests that asked for no
        // reasoning (a trace is what makes the first one long); 400 tokens to an empty prompt is a reply, not one.
        assertThat(shares.longAnswerShare()).isEqualTo(0.5);
        assertThat(shares.describe("the benign accounts'")).isEqualTo("Population baseline of the benign accounts' 4 "
                + "requests (rules group section): population-reasoning-share 0.500, population-first-turn-share 0.500, "
                + "population-long-answer-share 0.500");
        assertThat(new PopulationShares().describe()).startsWith("Population baseline of these 0 requests")
                .contains("population-reasoning-share 0.000");
    }
}
