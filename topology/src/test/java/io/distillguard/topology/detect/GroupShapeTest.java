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
        assertThat(LinkRiskProcessor.clusterAssessment(rules, LinkKind.PROMPT_CLUSTER, residential, 40, 2, true)).isNotNull();
        LinkWindowStats hosted = group(200, 180, 200, 150);
        assertThat(LinkRiskProcessor.clusterAssessment(rules, LinkKind.PROMPT_CLUSTER, hosted, 40, 2, false))
                .isNotNull()
                .satisfies(a -> assertThat(a.evidenceWithFired()).anySatisfy(e ->
                        assertThat(e.getSignal()).isEqualTo("fired:HOSTING_ADDRESSES")));
        // Any other link is a trait of its own: a shared /24 needs no second one.
        assertThat(LinkRiskProcessor.clusterAssessment(rules, LinkKind.IP_PREFIX, residential, 40, 2, false)).isNotNull();
    }
}
