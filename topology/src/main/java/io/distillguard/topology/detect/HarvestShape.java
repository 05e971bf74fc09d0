package io.distillguard.topology.detect;

import io.distillguard.topology.rules.DetectionRules;

/**
 * What makes traffic read as a harvest, for a link group, a campaign's union and an implicated account's own day:
 * first turns (no conversation), and either reasoning asked for or long answers to short prompts. A harvest wants
 * outputs to train on; the reasoning trace is one such output, a long answer another, and a campaign that asks for
 * reasoning on a third of its requests (under every reasoning threshold) still asks for long answers on most of them.
 * The long-answer share is over the requests that asked for no reasoning: the trace is counted as completion tokens,
 * so a reasoning request is long whoever sends it, and what tells a harvest of answers is that the others are long
 * too.
 * Each share is judged at the bound of its Wilson interval against the population-relative threshold of
 * {@link DetectionRules.Group}; the two harvest markers are alternatives, the first-turn share is required.
 */
public final class HarvestShape {

    /**
     * An answer at least this many times its prompt's tokens is a long answer. Fixed, like a window length: it decides
     * what each re-keyed request carries (a flag), not a threshold that can be changed at runtime.
     */
    public static final int LONG_ANSWER_RATIO = 3;

    /**
     * Tokens a long answer has at the least, whatever its prompt. A short prompt gets a reply many times its length in
     * any chat ("hello, what can you do?", the example a quickstart has every new developer send, answered in two
     * hundred tokens), and a reply of a few hundred tokens is what a person reads; what a harvest of answers keeps is
     * pages. Fixed, as the ratio is.
     */
    public static final int LONG_ANSWER_MIN_TOKENS = 1_000;

    private HarvestShape() {
    }

    /**
     * Whether a request is a long answer: one that did not ask for reasoning and got at least {@link
     * #LONG_ANSWER_RATIO} times its prompt's tokens, and at least {@link #LONG_ANSWER_MIN_TOKENS}. The APIs count a
     * reasoning trace as completion tokens, so whoever asks for reasoning gets a long completion, a person as much as a
     * harvest: its length says nothing the reasoning share has not said, and counting it twice would make every
     * reasoning-heavy group (a lab's students, a course) read as harvesting long answers as well.
     */
    public static boolean longAnswer(int promptTokens, int completionTokens, boolean reasoning) {
        return !reasoning && completionTokens >= LONG_ANSWER_MIN_TOKENS
                && completionTokens >= (long) LONG_ANSWER_RATIO * Math.max(1, promptTokens);
    }

    /** Whether one request has a harvest's shape: a first turn that asked for reasoning or got a long answer. */
    static boolean request(boolean firstTurn, boolean reasoning, boolean longAnswer) {
        return firstTurn && (reasoning || longAnswer);
    }

    /**
     * Whether a group's point shares pass the floors: {@code link.cluster-first-turn-share} and either
     * {@code link.cluster-reasoning-share} or, over the requests without reasoning, {@code group.long-answer-share}.
     */
    static boolean pointShaped(DetectionRules rules, long reasoning, long longAnswers, long firstTurns, long requests) {
        return pointShapedByReasoning(rules, reasoning, firstTurns, requests)
                || SubjectProfile.share(firstTurns, requests) >= rules.link().clusterFirstTurnShare()
                && SubjectProfile.share(plainLong(longAnswers, reasoning, requests), requests - reasoning)
                >= rules.groupOrDefault().longAnswerFloor();
    }

    /** The floors by reasoning alone: {@code link.cluster-first-turn-share} and {@code link.cluster-reasoning-share}. */
    static boolean pointShapedByReasoning(DetectionRules rules, long reasoning, long firstTurns, long requests) {
        return SubjectProfile.share(firstTurns, requests) >= rules.link().clusterFirstTurnShare()
                && SubjectProfile.share(reasoning, requests) >= rules.link().clusterReasoningShare();
    }

    /**
     * A group's or a day's three shares at one end of their Wilson intervals (group.confidence-z), each with its
     * threshold: computed once, then read for the verdict and written into the evidence.
     */
    record Bounds(String prefix, long n, long reasoning, long longAnswers, long firstTurns, double reasoningBound,
                  double longAnswerBound, double firstTurnBound, double reasoningThreshold,
                  double longAnswerThreshold, double firstTurnThreshold) {

        /**
         * At the lower bounds: the weaker of the first-turn share and the stronger of the two harvest markers, over
         * their thresholds (1 and more: extraction-shaped).
         */
        double strength() {
            return Math.min(Math.max(reasoningBound / reasoningThreshold, longAnswerBound / longAnswerThreshold),
                    firstTurnBound / firstTurnThreshold);
        }

        /** At the lower bounds: extraction-shaped through its long answers, whatever its reasoning. */
        boolean byLongAnswers() {
            return longAnswerBound >= longAnswerThreshold;
        }

        /**
         * At the lower bounds: extraction-shaped only through its long answers (its reasoning under its threshold).
         * Long answers to first turns are also what a product that writes for its users gets, and those users share
         * the product's system prompt and its servers' addresses and network: such a group is a harvest only with a
         * trait a product's users do not share (new accounts, a move to a model released today, a card).
         */
        boolean longAnswersOnly() {
            return Math.min(reasoningBound / reasoningThreshold, firstTurnBound / firstTurnThreshold) < 1;
        }

        /**
         * At the upper bounds: an account's own day rules out a harvest beyond chance, by its first turns or by both
         * its reasoning and its long answers.
         */
        boolean ruledOut() {
            return reasoningBound < reasoningThreshold && longAnswerBound < longAnswerThreshold
                    || firstTurnBound < firstTurnThreshold;
        }

        /** The measures for the evidence: a group's shares and lower bounds, or an account's upper bounds. */
        Assessment measure(Assessment a) {
            boolean group = prefix.equals(GROUP);
            String bound = group ? "_lower_bound" : "_upper_bound";
            if (group) {
                a.measure(prefix + "reasoning_share", SubjectProfile.share(reasoning, n), 0);
            }
            a.measure(prefix + "reasoning_share" + bound, reasoningBound, reasoningThreshold);
            if (group) {
                a.measure(prefix + "long_answer_share", SubjectProfile.share(plainLong(longAnswers, reasoning, n),
                        n - reasoning), 0);
            }
            a.measure(prefix + "long_answer_share" + bound, longAnswerBound, longAnswerThreshold);
            if (group) {
                a.measure(prefix + "first_turn_share", SubjectProfile.share(firstTurns, n), 0);
            }
            return a.measure(prefix + "first_turn_share" + bound, firstTurnBound, firstTurnThreshold);
        }
    }

    private static final String GROUP = "group_";

    /**
     * Long answers, at most the requests that asked for no reasoning: a window opened by a build that counted a
     * reasoning request's long completion as a long answer holds more, and a share over 1 has no bound.
     */
    static long plainLong(long longAnswers, long reasoning, long requests) {
        return Math.max(0, Math.min(longAnswers, requests - reasoning));
    }

    /** A group's or a campaign union's shares at their lower bounds. */
    static Bounds lower(DetectionRules rules, long reasoning, long longAnswers, long firstTurns, long n) {
        return lower(rules, reasoning, longAnswers, firstTurns, n, rules.groupOrDefault().confidenceZ());
    }

    /** The shares at their lower bounds at {@code z}: a held member's own at group.held-member-confidence-z. */
    static Bounds lower(DetectionRules rules, long reasoning, long longAnswers, long firstTurns, long n, double z) {
        long plain = plainLong(longAnswers, reasoning, n);
        return bounds(rules, GROUP, reasoning, longAnswers, firstTurns, n,
                DetectionRules.Group.wilsonLower(reasoning, n, z),
                DetectionRules.Group.wilsonLower(plain, n - reasoning, z),
                DetectionRules.Group.wilsonLower(firstTurns, n, z));
    }

    /** A group's shares as they are (no interval), against the same thresholds ({@code shared-card-held-at-point}). */
    static Bounds point(DetectionRules rules, long reasoning, long longAnswers, long firstTurns, long n) {
        long plain = plainLong(longAnswers, reasoning, n);
        return bounds(rules, GROUP, reasoning, longAnswers, firstTurns, n, SubjectProfile.share(reasoning, n),
                SubjectProfile.share(plain, n - reasoning), SubjectProfile.share(firstTurns, n));
    }

    /**
     * A group's first turns judged apart ({@code group.shared-card-first-turns}): the share of them that asked for
     * reasoning or got a long answer, at its lower bound against the reasoning threshold, and the first turns' share of
     * all the group's requests against the population's. Ordinary conversations sent around a harvest lower a group's
     * reasoning and first-turn shares together and leave its openers a harvest's; a person's conversations are
     * judged by the same measure, so the first turns must be no rarer than people's.
     */
    record Openers(long harvests, long firstTurns, long n, double harvestBound, double harvestThreshold,
                   double firstTurnFloor) {

        /** At or over 1: the openers are a harvest's, and no rarer than a person's. */
        double strength() {
            return Math.min(harvestBound / harvestThreshold, SubjectProfile.share(firstTurns, n) / firstTurnFloor);
        }

        /** An implicated account's own openers, over {@code window} (its day, or its day and the day before). */
        Assessment measureOwn(Assessment a, String window) {
            return a.measure("own_first_turn_harvest_share_lower_bound_" + window, harvestBound, harvestThreshold)
                    .measure("own_first_turn_share_" + window, SubjectProfile.share(firstTurns, n), firstTurnFloor);
        }

        Assessment measure(Assessment a) {
            return a.measure("group_first_turn_harvest_share", SubjectProfile.share(harvests, firstTurns), 0)
                    .measure("group_first_turn_harvest_share_lower_bound", harvestBound, harvestThreshold)
                    .measure("group_first_turn_share", SubjectProfile.share(firstTurns, n), firstTurnFloor);
        }
    }

    /** A group's openers at the groups' z; null for a window written before it counted them. */
    static Openers openers(DetectionRules rules, Long harvests, long firstTurns, long n) {
        if (harvests == null || firstTurns == 0) {
            return null;
        }
        DetectionRules.Group g = rules.groupOrDefault();
        return new Openers(harvests, firstTurns, n, DetectionRules.Group.wilsonLower(harvests, firstTurns, g.confidenceZ()),
                reasoningThreshold(rules), g.populationFirstTurnShare());
    }

    /**
     * A held member's own openers at group.held-member-confidence-z ({@code group.held-member-openers}), their
     * harvest share against the first-turn threshold: as many of its conversations open with a harvest's question as
     * a harvest's requests are first turns, so that a member that never follows up needs the first turns it needs by
     * its first-turn share. Null before its first turn.
     */
    static Openers ownOpeners(DetectionRules rules, long harvests, long firstTurns, long n) {
        if (firstTurns == 0) {
            return null;
        }
        DetectionRules.Group g = rules.groupOrDefault();
        return new Openers(harvests, firstTurns, n,
                DetectionRules.Group.wilsonLower(harvests, firstTurns, g.heldMemberConfidenceZOrDefault()),
                g.threshold(rules.link().clusterFirstTurnShare(), g.populationFirstTurnShare()),
                g.populationFirstTurnShare());
    }

    /** The share of reasoning a group's bound must reach: the rules' floor, or the population's plus the gap. */
    static double reasoningThreshold(DetectionRules rules) {
        DetectionRules.Group g = rules.groupOrDefault();
        return g.threshold(rules.link().clusterReasoningShare(), g.populationReasoningShare());
    }

    /** An implicated account's own day at its upper bounds. */
    static Bounds upper(DetectionRules rules, long reasoning, long longAnswers, long firstTurns, long n) {
        double z = rules.groupOrDefault().confidenceZ();
        long plain = plainLong(longAnswers, reasoning, n);
        return bounds(rules, "own_", reasoning, longAnswers, firstTurns, n,
                DetectionRules.Group.wilsonUpper(reasoning, n, z),
                DetectionRules.Group.wilsonUpper(plain, n - reasoning, z),
                DetectionRules.Group.wilsonUpper(firstTurns, n, z));
    }

    private static Bounds bounds(DetectionRules rules, String prefix, long reasoning, long longAnswers,
                                 long firstTurns, long n, double reasoningBound, double longAnswerBound,
                                 double firstTurnBound) {
        DetectionRules.Group g = rules.groupOrDefault();
        return new Bounds(prefix, n, reasoning, longAnswers, firstTurns, reasoningBound, longAnswerBound,
                firstTurnBound, reasoningThreshold(rules),
                g.longAnswerThreshold(), g.threshold(rules.link().clusterFirstTurnShare(), g.populationFirstTurnShare()));
    }
}
