package io.distillguard.topology.detect;

import io.distillguard.topology.rules.DetectionRules;

/**
 * What makes traffic read as a harvest, for a link group, a campaign's union and an implicated account's own day:
 * first turns (no conversation), and either reasoning asked for or long answers to short prompts. A harvest wants
 * outputs to train on; the reasoning trace is one such output, a long answer another, and a campaign that asks for
 * reasoning on a third of its requests (under every reasoning threshold) still asks for long answers on most of them.
 * Each share is judged at the bound of its Wilson interval against the population-relative threshold of
 * {@link DetectionRules.Group}; the two harvest markers are alternatives, the first-turn share is required.
 */
public final class HarvestShape {

    /**
     * An answer at least this many times its prompt's tokens is a long answer. Fixed, like a window length: it decides
     * what each re-keyed request carries (a flag), not a threshold that can be changed at runtime.
     */
    public static final int LONG_ANSWER_RATIO = 3;

    private HarvestShape() {
    }

    public static boolean longAnswer(int promptTokens, int completionTokens) {
        return completionTokens >= (long) LONG_ANSWER_RATIO * Math.max(1, promptTokens);
    }

    /** Whether one request has a harvest's shape: a first turn that asked for reasoning or got a long answer. */
    static boolean request(boolean firstTurn, boolean reasoning, boolean longAnswer) {
        return firstTurn && (reasoning || longAnswer);
    }

    /**
     * Whether a group's point shares pass the floors: {@code link.cluster-first-turn-share} and either
     * {@code link.cluster-reasoning-share} or {@code group.long-answer-share}.
     */
    static boolean pointShaped(DetectionRules rules, long reasoning, long longAnswers, long firstTurns, long requests) {
        return pointShapedByReasoning(rules, reasoning, firstTurns, requests)
                || SubjectProfile.share(firstTurns, requests) >= rules.link().clusterFirstTurnShare()
                && SubjectProfile.share(longAnswers, requests) >= rules.groupOrDefault().longAnswerFloor();
    }

    /** The floors by reasoning alone: {@code link.cluster-first-turn-share} and {@code link.cluster-reasoning-share}. */
    static boolean pointShapedByReasoning(DetectionRules rules, long reasoning, long firstTurns, long requests) {
        return SubjectProfile.share(firstTurns, requests) >= rules.link().clusterFirstTurnShare()
                && SubjectProfile.share(reasoning, requests) >= rules.link().clusterReasoningShare();
    }

    /**
     * The group's shape at its lower bounds, over its thresholds (1 and more: extraction-shaped), its measures added
     * to {@code a}: the weaker of the first-turn share and the stronger of the two harvest markers.
     */
    static double lowerBound(Assessment a, DetectionRules rules, long reasoning, long longAnswers, long firstTurns,
                             long n) {
        double z = rules.groupOrDefault().confidenceZ();
        double reasoningBound = DetectionRules.Group.wilsonLower(reasoning, n, z);
        double longAnswerBound = DetectionRules.Group.wilsonLower(longAnswers, n, z);
        double firstTurnBound = DetectionRules.Group.wilsonLower(firstTurns, n, z);
        double reasoningThreshold = reasoningThreshold(rules);
        double longAnswerThreshold = rules.groupOrDefault().longAnswerThreshold();
        double firstTurnThreshold = firstTurnThreshold(rules);
        if (a != null) {
            a.measure("group_reasoning_share", SubjectProfile.share(reasoning, n), 0)
                    .measure("group_reasoning_share_lower_bound", reasoningBound, reasoningThreshold)
                    .measure("group_long_answer_share", SubjectProfile.share(longAnswers, n), 0)
                    .measure("group_long_answer_share_lower_bound", longAnswerBound, longAnswerThreshold)
                    .measure("group_first_turn_share", SubjectProfile.share(firstTurns, n), 0)
                    .measure("group_first_turn_share_lower_bound", firstTurnBound, firstTurnThreshold);
        }
        return Math.min(Math.max(reasoningBound / reasoningThreshold, longAnswerBound / longAnswerThreshold),
                firstTurnBound / firstTurnThreshold);
    }

    private static double reasoningThreshold(DetectionRules rules) {
        DetectionRules.Group g = rules.groupOrDefault();
        return g.threshold(rules.link().clusterReasoningShare(), g.populationReasoningShare());
    }

    private static double firstTurnThreshold(DetectionRules rules) {
        DetectionRules.Group g = rules.groupOrDefault();
        return g.threshold(rules.link().clusterFirstTurnShare(), g.populationFirstTurnShare());
    }

    /**
     * Whether the group is extraction-shaped only through its long answers (its reasoning share under its threshold).
     * Long answers to first turns are also what a product that writes for its users gets, and those users share the
     * product's system prompt and its servers' addresses and network: such a group is a harvest only with a trait a
     * product's users do not share (new accounts, a move to a model released today, a card).
     */
    static boolean longAnswersOnly(DetectionRules rules, long reasoning, long firstTurns, long n) {
        return lowerBound(null, rules, reasoning, 0, firstTurns, n) < 1;
    }

    /**
     * Whether an account's own day rules out a harvest beyond chance: its first-turn share, or both its reasoning and
     * its long-answer shares, at the upper bound under the group thresholds. Measures added to {@code a} when so.
     */
    static boolean refuted(Assessment a, DetectionRules rules, long reasoning, long longAnswers, long firstTurns,
                           long n) {
        double z = rules.groupOrDefault().confidenceZ();
        double reasoningUpper = DetectionRules.Group.wilsonUpper(reasoning, n, z);
        double longAnswerUpper = DetectionRules.Group.wilsonUpper(longAnswers, n, z);
        double firstTurnUpper = DetectionRules.Group.wilsonUpper(firstTurns, n, z);
        double reasoningThreshold = reasoningThreshold(rules);
        double longAnswerThreshold = rules.groupOrDefault().longAnswerThreshold();
        double firstTurnThreshold = firstTurnThreshold(rules);
        boolean harvestRuledOut = reasoningUpper < reasoningThreshold && longAnswerUpper < longAnswerThreshold;
        if (!harvestRuledOut && firstTurnUpper >= firstTurnThreshold) {
            return false;
        }
        a.measure("own_reasoning_share_upper_bound", reasoningUpper, reasoningThreshold)
                .measure("own_long_answer_share_upper_bound", longAnswerUpper, longAnswerThreshold)
                .measure("own_first_turn_share_upper_bound", firstTurnUpper, firstTurnThreshold);
        return true;
    }
}
