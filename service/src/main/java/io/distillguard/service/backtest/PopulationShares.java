package io.distillguard.service.backtest;

import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.detect.HarvestShape;
import java.util.Locale;

/**
 * The reasoning, long-answer and first-turn shares of all the traffic a backtest reads: the population baseline that the rules'
 * {@code group.population-*-share} keys hold, measured on the operator's own history so it can be set from it.
 */
public final class PopulationShares {

    private long requests;
    private long reasoning;
    private long firstTurns;
    private long longAnswers;

    public void add(RequestEvent event) {
        requests++;
        if (event.getReasoningRequested()) {
            reasoning++;
        }
        if (event.getTurnIndex() == 0) {
            firstTurns++;
        }
        if (HarvestShape.longAnswer(event.getPromptTokens(), event.getCompletionTokens(),
                event.getReasoningRequested())) {
            longAnswers++;
        }
    }

    /** Over the requests that asked for no reasoning, as the group rules read it (HarvestShape). */
    public double longAnswerShare() {
        return requests == reasoning ? 0 : (double) longAnswers / (requests - reasoning);
    }

    public double reasoningShare() {
        return requests == 0 ? 0 : (double) reasoning / requests;
    }

    public double firstTurnShare() {
        return requests == 0 ? 0 : (double) firstTurns / requests;
    }

    /** The line the commands print, in the rules' own words. */
    public String describe() {
        return describe("these");
    }

    /** The same, for the requests of {@code whose} ("the benign accounts'"). */
    public String describe(String whose) {
        return String.format(Locale.ROOT, "Population baseline of %s %,d requests (rules group section): "
                + "population-reasoning-share %.3f, population-first-turn-share %.3f, population-long-answer-share %.3f",
                whose, requests, reasoningShare(), firstTurnShare(), longAnswerShare());
    }
}
