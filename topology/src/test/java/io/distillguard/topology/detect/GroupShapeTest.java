package io.distillguard.topology.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.distillguard.topology.rules.DetectionRules;
import io.distillguard.topology.state.LinkWindowStats;
import org.junit.jupiter.api.Test;

/** A link group's shape judged against the population and with the uncertainty of its size. */
class GroupShapeTest {

    private final DetectionRules rules = DetectionRules.defaults();

    private static LinkWindowStats group(long requests, long reasoning, long firstTurns, long hosting) {
        LinkWindowStats stats = LinkRiskProcessor.empty();
        stats.setRequests(requests);
        stats.setReasoning(reasoning);
        stats.setFirstTurns(firstTurns);
        stats.setHostingRequests(hosting);
        return stats;
    }

    @Test
    void wilsonLowerBoundIsBelowTheShareAndTightensWithSize() {
        assertThat(DetectionRules.Group.wilsonLower(0, 10, 2.33)).isZero();
        assertThat(DetectionRules.Group.wilsonLower(30, 30, 2.33)).isCloseTo(30 / (30 + 2.33 * 2.33), within(1e-9));
        double small = DetectionRules.Group.wilsonLower(24, 40, 2.33);
        double large = DetectionRules.Group.wilsonLower(240, 400, 2.33);
        assertThat(small).isLessThan(large).isLessThan(0.6);
        assertThat(large).isLessThan(0.6).isGreaterThan(0.54);
    }

    @Test
    void thresholdsAreThePopulationsShareClosedByTheGapWithTheFixedSharesAsFloors() {
        DetectionRules.Group g = rules.groupOrDefault();
        assertThat(g.threshold(0.4, 0.13)).isCloseTo(0.13 + 0.4 * 0.87, within(1e-9));
        assertThat(g.threshold(0.9, 0.13)).isEqualTo(0.9);
    }

    @Test
    void longAnswersAreReadOverTheRequestsThatAskedForNoReasoning() {
        // A harvest of answers asking for reasoning on a quarter of 40 first turns, every other answer long: shaped by
        // its long answers (30 of 30), whatever its reasoning's traces made of the rest.
        HarvestShape.Bounds answers = HarvestShape.lower(rules, 10, 30, 40, 40);
        assertThat(answers.byLongAnswers()).isTrue();
        assertThat(answers.strength()).isGreaterThanOrEqualTo(1);
        // A lab's students asking for reasoning on 60 % of their first turns, the others ordinary answers: whatever
        // the reasoning requests' completions, its long answers are 4 of 40 and it is judged by its reasoning.
        HarvestShape.Bounds lab = HarvestShape.lower(rules, 60, 4, 100, 100);
        assertThat(lab.byLongAnswers()).isFalse();
        assertThat(lab.longAnswerBound()).isLessThan(0.25);
        // Every request asked for reasoning: no request to read long answers over.
        assertThat(HarvestShape.lower(rules, 50, 0, 50, 50).longAnswerBound()).isZero();
        assertThat(HarvestShape.upper(rules, 50, 0, 50, 50).longAnswerBound()).isEqualTo(1.0);
    }

    @Test
    void aWindowCountedBeforeReasoningWasLeftOutOfLongAnswersStillHasABound() {
        // Opened by the build before: 50 requests, 40 with reasoning, all 50 counted long.
        HarvestShape.Bounds group = HarvestShape.lower(rules, 40, 50, 50, 50);
        assertThat(group.longAnswerBound()).isNotNaN().isEqualTo(DetectionRules.Group.wilsonLower(10, 10,
                rules.groupOrDefault().confidenceZ()));
        assertThat(HarvestShape.upper(rules, 40, 50, 50, 50).longAnswerBound()).isNotNaN().isEqualTo(1.0);
        assertThat(HarvestShape.pointShaped(rules, 40, 50, 50, 50)).isTrue();
    }

    @Test
    void aSmallGroupThatHarvestsIsAClusterWhereAMixedOneOfTheSameSizeIsNot() {
        // 40 requests, every one a reasoning first turn, from hosting addresses: beyond chance.
        assertThat(LinkRiskProcessor.clusterAssessment(rules, LinkKind.IP_PREFIX, group(40, 40, 40, 40), 25, 1.25, false))
                .isNotNull()
                .satisfies(a -> assertThat(a.risk()).isGreaterThan(2.5));
        // The same size with reasoning on 60 %: the point share passes 0.48, its lower bound does not.
        assertThat(LinkRiskProcessor.clusterAssessment(rules, LinkKind.IP_PREFIX, group(40, 24, 40, 40), 25, 1.25, false))
                .isNull();
        // Ten times the requests at that share: now the bound passes too.
        assertThat(LinkRiskProcessor.clusterAssessment(rules, LinkKind.IP_PREFIX, group(400, 240, 400, 400), 25, 1.25,
                false)).isNotNull();
    }

    @Test
    void aTemplateGroupNeedsASecondTrait() {
        LinkWindowStats residential = group(200, 180, 200, 0);
        assertThat(LinkRiskProcessor.clusterAssessment(rules, LinkKind.PROMPT_CLUSTER, residential, 40, 2, false)).isNull();
        // A pivot is a product changing its default model as much as a campaign's (group.pivot-corroborates).
        assertThat(LinkRiskProcessor.clusterAssessment(rules, LinkKind.PROMPT_CLUSTER, residential, 40, 2, true))
                .isNull();
        DetectionRules pivotCorroborates = DetectionRules.parse(io.distillguard.topology.TopologyHarness.rulesYaml(
                "pivot-corroborates: false", "pivot-corroborates: true"));
        assertThat(LinkRiskProcessor.clusterAssessment(pivotCorroborates, LinkKind.PROMPT_CLUSTER, residential, 40, 2,
                true)).isNotNull();
        LinkWindowStats hosted = group(200, 180, 200, 150);
        assertThat(LinkRiskProcessor.clusterAssessment(rules, LinkKind.PROMPT_CLUSTER, hosted, 40, 2, false))
                .isNotNull()
                .satisfies(a -> assertThat(a.evidenceWithFired()).anySatisfy(e ->
                        assertThat(e.getSignal()).isEqualTo("fired:HOSTING_ADDRESSES")));
        // Any other link is a trait of its own: a shared /24 needs no second one.
        assertThat(LinkRiskProcessor.clusterAssessment(rules, LinkKind.IP_PREFIX, residential, 40, 2, false)).isNotNull();
    }
}
