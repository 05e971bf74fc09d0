package io.distillguard.topology.detect;

import static io.distillguard.topology.TopologyHarness.BASE;
import static io.distillguard.topology.TopologyHarness.byDetector;
import static io.distillguard.topology.TopologyHarness.evidence;
import static io.distillguard.topology.TopologyHarness.harvest;
import static io.distillguard.topology.TopologyHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import io.distillguard.topology.HarnessTest;
import io.distillguard.topology.TopologyHarness;
import io.distillguard.topology.rules.DetectionRules;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The per-subject signals, each firing and not firing, and how they combine. */
class SubjectRiskTest extends HarnessTest {

    private final Random random = new Random(7);

    /** Minute {@code i} plus up to 50 s: gaps as irregular as a person's, so the timing signal stays out of it. */
    private long jittered(int i) {
        return BASE + i * 60_000L + random.nextInt(50_000);
    }

    private static DistillationAlert highest(List<DistillationAlert> alerts) {
        return alerts.stream().max((a, b) -> a.getSeverity().compareTo(b.getSeverity())).orElseThrow();
    }

    @Test
    void extractionProfileRaisesAHighAlertWithEveryFeatureAsEvidence() {
        TopologyHarness h = start();
        // Three hours of it (an hour of long answers alone is also an evaluation run's), the second light: the day
        // stays under its own profile's 100 requests until the third hour's has fired.
        for (int hour = 0; hour < 3; hour++) {
            for (int i = 0; i < (hour == 1 ? 10 : 40); i++) {
                h.send(harvest("acct-distiller", "198.51.100.7", BASE + hour * 3_600_000L + i * 60_000L,
                        random.nextLong()).build());
            }
        }

        List<DistillationAlert> risk = byDetector(h.alerts(), "ACCOUNT_RISK");

        // The first HIGH: the third hour's profile, at its 30th request.
        DistillationAlert top = risk.stream().filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0).findFirst()
                .orElseThrow();
        assertThat(top.getTriggerEventTime().toEpochMilli()).isEqualTo(BASE + 2 * 3_600_000L + 29 * 60_000L);
        assertThat(top.getSubjectType()).isEqualTo(SubjectType.ACCOUNT);
        assertThat(top.getAccounts()).containsExactly("acct-distiller");
        assertThat(evidence(top, "answer_harvest_hours_24h")).hasValueSatisfying(e -> assertThat(e.getValue())
                .isEqualTo(3.0));
        assertThat(evidence(top, "reasoning_share_1h")).hasValueSatisfying(e -> assertThat(e.getValue()).isEqualTo(1.0));
        assertThat(evidence(top, "single_turn_share_1h")).hasValueSatisfying(e -> assertThat(e.getThreshold()).isEqualTo(0.7));
        // Its single turns pass: the share that opens conversations is not read.
        assertThat(evidence(top, "opener_share_1h")).isEmpty();
        assertThat(evidence(top, "prompt_diversity_1h")).hasValueSatisfying(e -> assertThat(e.getValue()).isGreaterThan(0.9));
        assertThat(evidence(top, "capability_concentration_1h")).isPresent();
        // Every answer ten times its prompt, but each with the reasoning asked for: no answer without reasoning to
        // read, so no booster.
        assertThat(evidence(top, "output_input_ratio_1h")).hasValueSatisfying(e -> assertThat(e.getValue()).isZero());
        // The extraction profile's strength: its weakest required feature over its threshold (capability
        // concentration 1/0.8).
        assertThat(evidence(top, "fired:EXTRACTION")).hasValueSatisfying(e ->
                assertThat(e.getValue()).isCloseTo(1.25, org.assertj.core.data.Offset.offset(1e-9)));
        // Fired at the 30th request, the 1 h minimum, not before: 30 of 30 is at least 85 % at the rules' confidence.
        assertThat(risk.get(0).getTriggerEventTime().toEpochMilli()).isEqualTo(BASE + 29 * 60_000L);
        assertThat(evidence(top, "reasoning_share_lower_bound_1h")).hasValueSatisfying(e -> assertThat(e.getValue())
                .isCloseTo(DetectionRules.Group.wilsonLower(30, 30, 2.33), org.assertj.core.data.Offset.offset(1e-9)));
    }

    @Test
    void longAnswersBoostExtractionOnlyWhereNoReasoningWasAsked() {
        TopologyHarness h = start();
        // Two accounts with reasoning on three requests in four and long completions on those: one gets answers
        // ten times its prompts on the others too (a harvest of long answers), one short answers (a person whose
        // reasoning traces are what made its completions long).
        for (int i = 0; i < 40; i++) {
            boolean plain = i % 4 == 3;
            h.send(harvest("acct-long", "198.51.100.7", BASE + i * 60_000L, random.nextLong())
                    .setReasoningRequested(!plain).build());
            h.send(harvest("acct-traces", "198.51.100.8", BASE + i * 60_000L, random.nextLong())
                    .setReasoningRequested(!plain).setCompletionTokens(plain ? 300 : 2000).build());
        }
        List<DistillationAlert> risk = byDetector(h.alerts(), "ACCOUNT_RISK");
        DistillationAlert boosted = highest(risk.stream().filter(a -> a.getSubjectId().equals("acct-long")).toList());
        DistillationAlert plain = highest(risk.stream().filter(a -> a.getSubjectId().equals("acct-traces")).toList());
        assertThat(evidence(boosted, "output_input_ratio_1h")).hasValueSatisfying(e -> assertThat(e.getValue())
                .isEqualTo(10.0));
        assertThat(evidence(plain, "output_input_ratio_1h")).hasValueSatisfying(e -> assertThat(e.getValue())
                .isEqualTo(1.5));
        double boostedStrength = evidence(boosted, "fired:EXTRACTION").orElseThrow().getValue();
        double plainStrength = evidence(plain, "fired:EXTRACTION").orElseThrow().getValue();
        assertThat(boostedStrength).isCloseTo(1.25 * plainStrength, org.assertj.core.data.Offset.offset(1e-9));
    }

    /**
     * A developer's coding agents: reasoning on every request, single turns, distinct prompts on one capability, as a
     * harvest, but each prompt carries its files (4,000 tokens) for an answer of 600. That hour is a burst, under HIGH
     * with the profile and why in its evidence; the same hour with answers ten times their prompts is an evaluation
     * run's as much as a harvest's, and is one only in the third hour of the day the account keeps it up; and the
     * agents' traffic held through thirteen hours of the day is one whatever its prompts.
     */
    @Test
    void anAccountsOwnProfileIsAHarvestWithLongAnswersKeptUpOrThroughMoreThanHalfADayAndABurstOtherwise() {
        TopologyHarness h = start();
        for (int i = 0; i < 40; i++) {
            h.send(harvest("acct-agents", "198.51.100.7", BASE + i * 60_000L, random.nextLong())
                    .setPromptTokens(4_000).setCompletionTokens(600).build());
            h.send(harvest("acct-harvest", "198.51.100.8", BASE + i * 60_000L, random.nextLong()).build());
        }
        List<DistillationAlert> first = byDetector(h.alerts(), "ACCOUNT_RISK");
        DistillationAlert burst = highest(first.stream().filter(a -> a.getSubjectId().equals("acct-agents")).toList());
        assertThat(burst.getSeverity()).isLessThan(Severity.HIGH);
        assertThat(evidence(burst, "fired:EXTRACTION")).isPresent();
        assertThat(evidence(burst, "answer_prompt_ratio_1h")).hasValueSatisfying(e -> {
            assertThat(e.getValue()).isEqualTo(0.15);
            assertThat(e.getThreshold()).isEqualTo(3.0);
        });
        assertThat(evidence(burst, "harvest_hours_24h")).hasValueSatisfying(e -> {
            assertThat(e.getValue()).isEqualTo(1.0);
            assertThat(e.getThreshold()).isEqualTo(13.0);
        });
        DistillationAlert run = highest(first.stream().filter(a -> a.getSubjectId().equals("acct-harvest")).toList());
        assertThat(run.getSeverity()).isLessThan(Severity.HIGH);
        assertThat(evidence(run, "answer_prompt_ratio_1h")).hasValueSatisfying(e -> assertThat(e.getValue())
                .isEqualTo(10.0));
        assertThat(evidence(run, "answer_harvest_hours_24h")).hasValueSatisfying(e -> {
            assertThat(e.getValue()).isEqualTo(1.0);
            assertThat(e.getThreshold()).isEqualTo(3.0);
        });
        List<DistillationAlert> later = new java.util.ArrayList<>();
        for (int hour = 1; hour < 13; hour++) {
            for (int i = 0; i < 40; i++) {
                h.send(harvest("acct-agents", "198.51.100.7", BASE + hour * 3_600_000L + i * 60_000L,
                        random.nextLong()).setPromptTokens(4_000).setCompletionTokens(600).build());
            }
            if (hour < 3) {
                keptUp(h, hour);
            }
            List<DistillationAlert> agents = byDetector(h.alerts(), "ACCOUNT_RISK").stream()
                    .filter(a -> a.getSubjectId().equals("acct-agents")).toList();
            if (hour < 12) {
                assertThat(agents).as("after %d hours", hour + 1)
                        .allMatch(a -> a.getSeverity().compareTo(Severity.HIGH) < 0);
            }
            later.addAll(agents);
        }
        DistillationAlert sustained = highest(later);
        assertThat(sustained.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        assertThat(evidence(sustained, "harvest_hours_24h")).hasValueSatisfying(e -> assertThat(e.getValue())
                .isEqualTo(13.0));
    }

    /** The harvesting account's hour {@code hour} of the day, 40 requests as its first: HIGH only in the third. */
    private void keptUp(TopologyHarness h, int hour) {
        for (int i = 0; i < 40; i++) {
            h.send(harvest("acct-harvest", "198.51.100.8", BASE + hour * 3_600_000L + i * 60_000L,
                    random.nextLong()).build());
        }
        List<DistillationAlert> kept = byDetector(h.alerts(), "ACCOUNT_RISK").stream()
                .filter(a -> a.getSubjectId().equals("acct-harvest")).toList();
        if (hour == 1) {
            assertThat(kept).as("in its second hour").allMatch(a -> a.getSeverity().compareTo(Severity.HIGH) < 0);
        } else {
            DistillationAlert harvest = highest(kept);
            assertThat(harvest.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
            assertThat(evidence(harvest, "answer_harvest_hours_24h")).hasValueSatisfying(e -> assertThat(
                    e.getValue()).isEqualTo(3.0));
        }
    }

    /** {@code count} harvesting requests a minute apart from {@code start}, with the account's one API key. */
    private void harvestFrom(TopologyHarness h, String account, long start, int count) {
        for (int i = 0; i < count; i++) {
            h.send(harvest(account, "198.51.100.8", start + i * 60_000L, random.nextLong()).setApiKeyId("key-h")
                    .build());
        }
    }

    /** The subject's alerts by that detector among all read so far (reading the output topic consumes it). */
    private static List<DistillationAlert> of(TopologyHarness h, List<DistillationAlert> read, String detector,
                                              String subject) {
        read.addAll(h.alerts());
        return byDetector(read, detector).stream().filter(a -> a.getSubjectId().equals(subject)).toList();
    }

    /**
     * Midnight is not a sitting's end: a harvest from 23:00 is under HIGH in its second hour, the day's first, and
     * in its third clock hour at 01:00 as one started at noon is at 14:00; its API key the same.
     */
    @Test
    void aHarvestRunningIntoMidnightIsInItsThirdHourAtOneNotTwo() {
        TopologyHarness h = start();
        List<DistillationAlert> read = new java.util.ArrayList<>();
        harvestFrom(h, "acct-night", BASE - 3_600_000L, 40);
        harvestFrom(h, "acct-night", BASE, 40);
        assertThat(of(h, read, "ACCOUNT_RISK", "acct-night")).as("the day before's hour and the day's first")
                .isNotEmpty().allMatch(a -> a.getSeverity().compareTo(Severity.HIGH) < 0);
        harvestFrom(h, "acct-night", BASE + 3_600_000L, 40);
        keptUpFrom(of(h, read, "ACCOUNT_RISK", "acct-night"), BASE + 3_600_000L, 3);
        assertThat(highest(of(h, read, "API_KEY_RISK", "key-h")).getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
    }

    /**
     * A harvest kept up through three hours the day before is one at its first hour of the next day (not MEDIUM again
     * until that day's third), with the day before's hours in its evidence; its API key the same.
     */
    @Test
    void aHarvestKeptUpTheDayBeforeIsOneFromItsFirstHourOfTheNext() {
        TopologyHarness h = start();
        List<DistillationAlert> read = new java.util.ArrayList<>();
        for (int hour = 20; hour < 23; hour++) {
            harvestFrom(h, "acct-kept", BASE - (24 - hour) * 3_600_000L, 40);
        }
        assertThat(highest(of(h, read, "ACCOUNT_RISK", "acct-kept")).getSeverity())
                .isGreaterThanOrEqualTo(Severity.HIGH);
        int before = of(h, read, "ACCOUNT_RISK", "acct-kept").size();
        harvestFrom(h, "acct-kept", BASE + 9 * 3_600_000L, 40);
        List<DistillationAlert> today = of(h, read, "ACCOUNT_RISK", "acct-kept");
        // The day's first alerts with the profile (at the hour's 30th request, the 1 h minimum; each tier up to the
        // alert's is written at once) reach HIGH.
        long profile = today.subList(before, today.size()).stream()
                .filter(a -> evidence(a, "fired:EXTRACTION").isPresent()).findFirst().orElseThrow()
                .getTriggerEventTime().toEpochMilli();
        assertThat(profile).isEqualTo(BASE + 9 * 3_600_000L + 29 * 60_000L);
        DistillationAlert first = highest(today.stream().filter(a -> a.getTriggerEventTime().toEpochMilli() == profile)
                .toList());
        assertThat(first.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        assertThat(evidence(first, "answer_harvest_hours_yesterday")).hasValueSatisfying(e -> {
            assertThat(e.getValue()).isEqualTo(3.0);
            assertThat(e.getThreshold()).isEqualTo(3.0);
        });
        assertThat(highest(of(h, read, "API_KEY_RISK", "key-h").stream().filter(a -> a.getTriggerEventTime()
                .toEpochMilli() == profile).toList()).getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
    }

    /**
     * A day before of reasoning hours without long answers (a developer's agents sending their files) was no harvest:
     * an hour of long answers today is one sitting, under HIGH, as on a first day.
     */
    @Test
    void aDayBeforeOfReasoningWithoutLongAnswersIsNotCarried() {
        TopologyHarness h = start();
        List<DistillationAlert> read = new java.util.ArrayList<>();
        for (int hour = 20; hour < 23; hour++) {
            for (int i = 0; i < 40; i++) {
                h.send(harvest("acct-dev", "198.51.100.8", BASE - (24 - hour) * 3_600_000L + i * 60_000L,
                        random.nextLong()).setPromptTokens(4_000).setCompletionTokens(600).build());
            }
        }
        harvestFrom(h, "acct-dev", BASE + 9 * 3_600_000L, 40);
        List<DistillationAlert> alerts = of(h, read, "ACCOUNT_RISK", "acct-dev");
        assertThat(alerts).isNotEmpty().allMatch(a -> a.getSeverity().compareTo(Severity.HIGH) < 0);
        assertThat(alerts).allMatch(a -> evidence(a, "answer_harvest_hours_yesterday").isEmpty());
    }

    /**
     * A day before of long answers with reasoning through three hours whose profile never fired (questions over four
     * capabilities, as a person's or a lab's mixed work is) was no harvest either: not carried.
     */
    @Test
    void aDayBeforeWhoseProfileNeverFiredIsNotCarried() {
        TopologyHarness h = start();
        List<DistillationAlert> read = new java.util.ArrayList<>();
        String[] capabilities = {"coding", "math", "writing", "science"};
        for (int hour = 20; hour < 23; hour++) {
            for (int i = 0; i < 40; i++) {
                h.send(harvest("acct-mixed", "198.51.100.8", BASE - (24 - hour) * 3_600_000L + i * 60_000L,
                        random.nextLong()).setCapability(capabilities[i % 4]).build());
            }
        }
        assertThat(of(h, read, "ACCOUNT_RISK", "acct-mixed")).noneMatch(a -> evidence(a, "fired:EXTRACTION")
                .isPresent());
        harvestFrom(h, "acct-mixed", BASE + 9 * 3_600_000L, 40);
        List<DistillationAlert> alerts = of(h, read, "ACCOUNT_RISK", "acct-mixed");
        assertThat(alerts).anyMatch(a -> evidence(a, "fired:EXTRACTION").isPresent())
                .allMatch(a -> a.getSeverity().compareTo(Severity.HIGH) < 0);
    }

    /**
     * Two evaluation runs a night apart (one over 22:00 and 23:00, one at 09:00) are two sittings, as two runs on
     * different UTC days always were: only hours that run on into the day's first hour carry over.
     */
    @Test
    void twoRunsANightApartStayTwoSittings() {
        TopologyHarness h = start();
        List<DistillationAlert> read = new java.util.ArrayList<>();
        harvestFrom(h, "acct-evals", BASE - 2 * 3_600_000L + 30 * 60_000L, 50);
        harvestFrom(h, "acct-evals", BASE + 9 * 3_600_000L, 50);
        List<DistillationAlert> runs = of(h, read, "ACCOUNT_RISK", "acct-evals");
        assertThat(runs).isNotEmpty().allMatch(a -> a.getSeverity().compareTo(Severity.HIGH) < 0);
        assertThat(evidence(runs.get(runs.size() - 1), "answer_harvest_hours_24h")).hasValueSatisfying(e -> assertThat(
                e.getValue()).isEqualTo(1.0));
        assertThat(of(h, read, "API_KEY_RISK", "key-h")).allMatch(a -> a.getSeverity().compareTo(Severity.HIGH) < 0);
    }

    /**
     * Two evaluation runs on one day, hours apart (09:30 to 10:20, and 15:00), are three clock hours of long answers
     * but two sittings of two hours and one: under HIGH, the account and its API key, and still with a second hour on
     * from the second run's. A third makes that sitting one of three, kept up: HIGH.
     */
    @Test
    void twoRunsHoursApartInOneDayAreTwoSittingsNotAHarvestKeptUp() {
        TopologyHarness h = start();
        List<DistillationAlert> read = new java.util.ArrayList<>();
        harvestFrom(h, "acct-evals", BASE + 9 * 3_600_000L + 30 * 60_000L, 50);
        harvestFrom(h, "acct-evals", BASE + 15 * 3_600_000L, 50);
        List<DistillationAlert> runs = of(h, read, "ACCOUNT_RISK", "acct-evals");
        assertThat(runs).isNotEmpty().allMatch(a -> a.getSeverity().compareTo(Severity.HIGH) < 0);
        assertThat(of(h, read, "API_KEY_RISK", "key-h")).allMatch(a -> a.getSeverity().compareTo(Severity.HIGH) < 0);
        harvestFrom(h, "acct-evals", BASE + 16 * 3_600_000L, 40);
        assertThat(of(h, read, "ACCOUNT_RISK", "acct-evals")).as("a sitting of two hours, 15:00 and 16:00")
                .allMatch(a -> a.getSeverity().compareTo(Severity.HIGH) < 0);
        harvestFrom(h, "acct-evals", BASE + 17 * 3_600_000L, 40);
        keptUpFrom(of(h, read, "ACCOUNT_RISK", "acct-evals"), BASE + 17 * 3_600_000L, 3);
    }

    /** The highest of an account's alerts, checked: HIGH, from {@code from} on, with {@code hours} answer hours. */
    private static DistillationAlert keptUpFrom(List<DistillationAlert> alerts, long from, double hours) {
        DistillationAlert kept = highest(alerts);
        assertThat(kept.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        assertThat(kept.getTriggerEventTime().toEpochMilli()).isGreaterThanOrEqualTo(from);
        assertThat(evidence(kept, "answer_harvest_hours_24h")).hasValueSatisfying(e -> assertThat(e.getValue())
                .isEqualTo(hours));
        return kept;
    }

    /**
     * A harvest cut into sittings of two hours, hours apart (09:00, 13:00, 17:00), to pass as evaluation runs: under
     * HIGH through five hours, HIGH in the sixth, when its sittings add up to twice the three hours a harvest keeps up.
     */
    @Test
    void sittingsAddingUpToTwiceTheHoursAreAHarvestKeptUp() {
        TopologyHarness h = start();
        List<DistillationAlert> read = new java.util.ArrayList<>();
        for (int start = 9; start <= 17; start += 4) {
            harvestFrom(h, "acct-shifts", BASE + start * 3_600_000L, 40);
            List<DistillationAlert> sitting = of(h, read, "ACCOUNT_RISK", "acct-shifts");
            assertThat(sitting).as("up to %d:00", start).isNotEmpty()
                    .allMatch(a -> a.getSeverity().compareTo(Severity.HIGH) < 0);
            harvestFrom(h, "acct-shifts", BASE + (start + 1) * 3_600_000L, 40);
        }
        keptUpFrom(of(h, read, "ACCOUNT_RISK", "acct-shifts"), BASE + 18 * 3_600_000L, 6);
    }

    /**
     * An account harvesting at under the 1 h minimum an hour, in hours apart (01:00, 04:00, 07:00, 10:00, 25 requests
     * each), has no sittings to tell apart: its hours count wherever they fall, and it is HIGH once its day's profile
     * fires, at the day's 100th request.
     */
    @Test
    void aHarvestAtAFewRequestsAnHourCountsItsHoursWhereverTheyFall() {
        TopologyHarness h = start();
        List<DistillationAlert> read = new java.util.ArrayList<>();
        for (int hour = 1; hour <= 10; hour += 3) {
            harvestFrom(h, "acct-thin", BASE + hour * 3_600_000L, 25);
        }
        long hundredth = BASE + 10 * 3_600_000L + 24 * 60_000L;
        DistillationAlert top = keptUpFrom(of(h, read, "ACCOUNT_RISK", "acct-thin"), hundredth, 4);
        assertThat(top.getTriggerEventTime().toEpochMilli()).isEqualTo(hundredth);
    }

    @Test
    void anHourOfMoreHarvestRequestsThanTheVolumeThresholdIsAHarvestInThatHour() {
        TopologyHarness h = start();
        for (int i = 0; i < 1_000; i++) {
            h.send(harvest("acct-bulk", "198.51.100.9", BASE + i * 3_000L, random.nextLong()).build());
        }
        List<DistillationAlert> risk = byDetector(h.alerts(), "ACCOUNT_RISK");
        DistillationAlert first = risk.stream().filter(a -> a.getSeverity().compareTo(Severity.HIGH) >= 0).findFirst()
                .orElseThrow();
        assertThat(first.getTriggerEventTime().toEpochMilli()).isEqualTo(BASE + 999 * 3_000L);
        assertThat(evidence(first, "answer_harvest_volume_1h")).hasValueSatisfying(e -> {
            assertThat(e.getValue()).isEqualTo(1_000.0);
            assertThat(e.getThreshold()).isEqualTo(1_000.0);
        });
        assertThat(evidence(first, "answer_harvest_hours_24h")).hasValueSatisfying(e -> assertThat(e.getValue())
                .isEqualTo(1.0));
    }

    @Test
    void withoutSpecificAnswerHoursAnHourOfLongAnswersIsAHarvestAtOnce() {
        TopologyHarness h = start("    specific-answer-hours: 3\n", "");
        for (int i = 0; i < 40; i++) {
            h.send(harvest("acct-harvest", "198.51.100.8", BASE + i * 60_000L, random.nextLong()).build());
        }
        DistillationAlert top = highest(byDetector(h.alerts(), "ACCOUNT_RISK"));
        assertThat(top.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        assertThat(evidence(top, "answer_prompt_ratio_1h")).isPresent();
        assertThat(evidence(top, "answer_harvest_hours_24h")).isEmpty();
    }

    @Test
    void withoutSpecificHoursAnAccountsOwnProfileIsSpecificWhateverItsPrompts() {
        TopologyHarness h = start("    specific-answer-hours: 3\n", "",
                "    specific-answer-ratio: 3.0\n    specific-hours: 13\n", "");
        for (int i = 0; i < 40; i++) {
            h.send(harvest("acct-agents", "198.51.100.7", BASE + i * 60_000L, random.nextLong())
                    .setPromptTokens(4_000).setCompletionTokens(600).build());
        }
        DistillationAlert top = highest(byDetector(h.alerts(), "ACCOUNT_RISK"));
        assertThat(top.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        assertThat(evidence(top, "harvest_hours_24h")).isEmpty();
    }

    /**
     * An hour of 30 requests whose point shares each pass their thresholds (reasoning 17 of 30, conversations that
     * never got a second turn 22 of 30, two capabilities 27 of 30), as a mixed account's hour does by chance when its
     * profile is judged at every request: none is beyond chance at 30 requests.
     */
    private void mixedHour(TopologyHarness h, String account) {
        String[] others = {"chat", "writing", "tool_use", "reasoning"};
        for (int i = 0; i < 30; i++) {
            boolean followUp = i % 7 == 6;
            h.send(harvest(account, "198.51.100.7", jittered(i), random.nextLong())
                    .setReasoningRequested(i < 17)
                    .setConversationId("conv-" + (followUp ? i - 1 : i)).setTurnIndex(followUp ? 1 : 0)
                    .setCapability(i >= 26 ? others[i - 26] : "coding").build());
        }
    }

    private static boolean extractionFired(List<DistillationAlert> alerts) {
        return byDetector(alerts, "ACCOUNT_RISK").stream().anyMatch(a -> evidence(a, "fired:EXTRACTION").isPresent());
    }

    @Test
    void anHourWhosePointSharesPassByChanceIsNotExtractionAtTheRulesConfidence() {
        TopologyHarness h = start();
        mixedHour(h, "acct-mixed");
        assertThat(extractionFired(h.alerts())).isFalse();
    }

    @Test
    void withoutAConfidenceTheSameHourIsJudgedByItsPointShares() {
        TopologyHarness h = start("    confidence-z: 2.33\n", "");
        mixedHour(h, "acct-mixed");
        assertThat(extractionFired(h.alerts())).isTrue();
    }

    /**
     * Three hours of a harvest that wraps two of every five questions in a second turn, each turn asking for its own
     * trace with a long answer: three conversations in seven never get a second turn, five in seven open one.
     */
    private void wrappedHarvest(TopologyHarness h, String account) {
        for (int hour = 0; hour < 3; hour++) {
            for (int i = 0; i < (hour == 1 ? 14 : 42); i++) {
                int inSeven = i % 7;
                RequestEvent.Builder r = harvest(account, "198.51.100.7", BASE + hour * 3_600_000L + i * 60_000L,
                        random.nextLong());
                if (inSeven >= 3) {
                    int conversation = hour * 100 + i - (inSeven - 3) % 2;
                    r.setConversationId(account + "-c" + conversation).setTurnIndex((inSeven - 3) % 2);
                }
                h.send(r.build());
            }
        }
    }

    @Test
    void aHarvestWrappingSomeQuestionsInASecondTurnIsTheProfileByTheShareThatOpensConversations() {
        TopologyHarness h = start();
        wrappedHarvest(h, "acct-wrapped");
        DistillationAlert top = highest(byDetector(h.alerts(), "ACCOUNT_RISK"));
        assertThat(top.getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        assertThat(evidence(top, "fired:EXTRACTION")).isPresent();
        assertThat(evidence(top, "opener_share_1h")).hasValueSatisfying(e -> {
            // Named at the hour's 30th request: 22 of them open a conversation.
            assertThat(e.getValue()).isCloseTo(22.0 / 30, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(e.getThreshold()).isEqualTo(0.4);
        });
        assertThat(evidence(top, "opener_share_lower_bound_1h")).hasValueSatisfying(e ->
                assertThat(e.getValue()).isGreaterThanOrEqualTo(0.4).isLessThan(22.0 / 30));
        assertThat(evidence(top, "single_turn_share_1h")).isEmpty();
    }

    @Test
    void withoutOpenerShareTheSameWrappedHarvestIsJudgedOnSingleTurnsAndIsNotTheProfile() {
        TopologyHarness h = start("    opener-share: 0.4\n", "");
        wrappedHarvest(h, "acct-wrapped");
        assertThat(extractionFired(h.alerts())).isFalse();
        assertThat(byDetector(h.alerts(), "ACCOUNT_RISK")).allSatisfy(a ->
                assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
    }

    /**
     * An org's twenty agents, each starting a session of tool calls on the hour and going on a minute apart, reasoning
     * on, long answers: the org's hour opens with twenty openers in its first thirty requests, but its day opens a
     * conversation at one request in sixty.
     */
    @Test
    void anOrgsAgentsStartingSessionsTogetherOnTheHourAreNotTheProfileAfterItsFirstHour() {
        TopologyHarness h = start();
        for (int hour = 0; hour < 3; hour++) {
            for (int turn = 0; turn < 60; turn++) {
                for (int agent = 0; agent < 20; agent++) {
                    h.send(harvest("acct-agent-" + agent, "198.51.100." + (10 + agent),
                            BASE + hour * 3_600_000L + turn * 60_000L + agent * 100L, random.nextLong())
                            .setOrgId("org-fleet").setConversationId("agent-" + agent + "-" + hour)
                            .setTurnIndex(turn).build());
                }
            }
        }
        List<DistillationAlert> org = h.alerts().stream()
                .filter(a -> a.getSubjectType() == SubjectType.ORG).toList();
        assertThat(org).allSatisfy(a -> assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
        assertThat(org).noneMatch(a -> evidence(a, "fired:EXTRACTION").isPresent()
                && a.getTriggerEventTime().toEpochMilli() >= BASE + 3_600_000L);
        assertThat(byDetector(h.alerts(), "ACCOUNT_RISK")).noneMatch(a -> evidence(a, "fired:EXTRACTION").isPresent());
    }

    @Test
    void extractionProfileDoesNotFireForConversations() {
        TopologyHarness h = start();
        for (int i = 0; i < 60; i++) {
            // Same asks, but every conversation continues to a third turn: a person, or an agent, not a harvester
            // (one request in three opens a conversation, under the profile's 0.4).
            h.send(harvest("acct-chat", "198.51.100.7", jittered(i), random.nextLong())
                    .setConversationId("conv-" + i / 3).setTurnIndex(i % 3).build());
        }
        assertThat(byDetector(h.alerts(), "ACCOUNT_RISK")).isEmpty();
    }

    @Test
    void extractionProfileDoesNotFireForOneTemplateOrForBroadCapabilities() {
        TopologyHarness h = start();
        String[] capabilities = {"coding", "math", "writing", "chat", "tool_use", "reasoning"};
        for (int i = 0; i < 60; i++) {
            // A batch job: one template at volume.
            h.send(harvest("acct-batch", "198.51.100.8", jittered(i), 0x1234_5678_9abc_def0L).build());
            // An app backend: fresh prompts with reasoning, but across every capability.
            h.send(harvest("acct-app", "198.51.100.9", jittered(i), random.nextLong())
                    .setCapability(capabilities[i % capabilities.length]).build());
        }
        assertThat(byDetector(h.alerts(), "ACCOUNT_RISK")).isEmpty();
    }

    @Test
    void volumeAloneStaysBelowHigh() {
        TopologyHarness h = start("requests-1h: 1000", "requests-1h: 50");
        for (int i = 0; i < 500; i++) {
            h.send(request("acct-busy", "198.51.100.1", BASE + i * 5_000L).build());
        }
        List<DistillationAlert> risk = byDetector(h.alerts(), "ACCOUNT_RISK");
        assertThat(risk).extracting(DistillationAlert::getSeverity).containsExactly(Severity.LOW, Severity.MEDIUM);
        assertThat(evidence(highest(risk), "requests_1h")).isPresent();
        assertThat(highest(risk).getScore()).isLessThan(0.8);
    }

    @Test
    void baselineFiresWhenAnHourIsFarAboveYesterdaysAverageHour() {
        TopologyHarness h = start();
        for (int i = 0; i < 48; i++) {
            h.send(request("acct-steady", "198.51.100.1", BASE + i * 1_800_000L).build());
        }
        assertThat(byDetector(h.alerts(), "ACCOUNT_RISK")).isEmpty();
        long today = BASE + 86_400_000L + 3_600_000L;
        long t = today;
        for (int i = 0; i < 200; i++) {
            t += random.nextInt(30_000);
            h.send(request("acct-steady", "198.51.100.1", t).build());
        }
        List<DistillationAlert> risk = byDetector(h.alerts(), "ACCOUNT_RISK");
        assertThat(risk).isNotEmpty();
        assertThat(evidence(highest(risk), "requests_1h_vs_yesterday_hourly")).hasValueSatisfying(e ->
                assertThat(e.getThreshold()).isEqualTo(100.0));
        assertThat(evidence(highest(risk), "fired:BASELINE")).isPresent();
    }

    @Test
    void fanOutFiresForAnAccountRotatingOverManyNetworks() {
        TopologyHarness h = start();
        for (int i = 0; i < 30; i++) {
            h.send(request("acct-rotating", "100.64." + i + ".9", BASE + i * 60_000L).build());
            h.send(request("acct-home", "203.0.113.4", BASE + i * 60_000L).build());
        }
        List<DistillationAlert> alerts = h.alerts();
        List<DistillationAlert> risk = byDetector(alerts, "ACCOUNT_RISK");
        assertThat(risk).extracting(DistillationAlert::getSubjectId).containsOnly("acct-rotating");
        assertThat(evidence(highest(risk), "distinct_prefixes_1h")).hasValueSatisfying(e ->
                assertThat(e.getValue()).isBetween(10.0, 33.0));
    }

    /**
     * Conversations of two or three turns, one to three minutes apart, across four capabilities with fresh prompts
     * (so neither the extraction profile nor volume fires), each request from the network {@code network} gives it.
     */
    private void conversations(TopologyHarness h, String account, String org, double reasoningShare,
                               java.util.function.IntUnaryOperator network) {
        String[] capabilities = {"coding", "math", "writing", "reasoning"};
        long t = BASE + 9 * 3_600_000L;
        for (int i = 0; i < 45; i++) {
            int asn = network.applyAsInt(i);
            h.send(request(account, "100." + (asn % 200) + "." + i + ".7", t)
                    .setOrgId(org)
                    .setAsn(asn)
                    .setConversationId(account + "-c" + i / 3).setTurnIndex(i % 3)
                    .setReasoningRequested(random.nextDouble() < reasoningShare)
                    .setCapability(capabilities[i % capabilities.length])
                    .setPromptSimhash(random.nextLong()).build());
            // Turns a minute or three apart; a quarter of an hour between conversations, so the reasoning of a
            // day spreads over its hours as a harvest's does.
            t += 60_000L + random.nextInt(120_000) + (i % 3 == 2 ? 15 * 60_000L : 0);
        }
    }

    @Test
    void networkRotationWithAHarvestsReasoningIsHighAndWithoutItStaysBelow() {
        TopologyHarness h = start();
        // A proxy rotating per request: nearly every request from another provider than the one before.
        conversations(h, "acct-proxied-harvest", null, 0.6, i -> 7_000 + i % 15);
        conversations(h, "acct-proxied-chat", null, 0.0, i -> 7_000 + i % 15);
        List<DistillationAlert> risk = byDetector(h.alerts(), "ACCOUNT_RISK");

        DistillationAlert harvest = highest(risk.stream()
                .filter(a -> a.getSubjectId().equals("acct-proxied-harvest")).toList());
        assertThat(harvest.getSeverity()).isEqualTo(Severity.HIGH);
        assertThat(evidence(harvest, "fired:ROTATION")).isPresent();
        assertThat(evidence(harvest, "network_switch_share_24h")).hasValueSatisfying(e -> {
            assertThat(e.getValue()).isEqualTo(1.0);
            assertThat(e.getThreshold()).isEqualTo(0.6);
        });
        assertThat(evidence(harvest, "reasoning_share_24h")).hasValueSatisfying(e ->
                assertThat(e.getValue()).isGreaterThanOrEqualTo(0.4));

        // Proxy use without the harvest's reasoning: named, but below HIGH.
        DistillationAlert chat = highest(risk.stream()
                .filter(a -> a.getSubjectId().equals("acct-proxied-chat")).toList());
        assertThat(chat.getSeverity()).isLessThan(Severity.HIGH);
        assertThat(evidence(chat, "fired:ROTATION")).isPresent();
    }

    @Test
    void aLightAccountRotatingOverFiveNetworksIsHighOnceItsReasoningSpansThreeHoursAndNotOnOneSitting() {
        TopologyHarness h = start();
        // Conversations of three turns a minute apart, every request from another of five networks, reasoning on
        // two turns of three: one conversation in each of three hours, and one sitting of the same nine requests.
        long t = BASE + 9 * 3_600_000L;
        for (int i = 0; i < 9; i++) {
            long at = t + (i / 3) * 3_600_000L + (i % 3) * 60_000L;
            h.send(rotating("acct-harvest-hours", i, at, i % 3 != 2));
            h.send(rotating("acct-one-sitting", i, t + i * 60_000L, i % 3 != 2));
        }
        List<DistillationAlert> risk = byDetector(h.alerts(), "ACCOUNT_RISK");

        DistillationAlert harvest = highest(risk.stream()
                .filter(a -> a.getSubjectId().equals("acct-harvest-hours")).toList());
        assertThat(harvest.getSeverity()).isEqualTo(Severity.HIGH);
        assertThat(evidence(harvest, "fired:ROTATION")).isPresent();
        assertThat(evidence(harvest, "distinct_asns_24h")).hasValueSatisfying(e -> {
            assertThat(e.getValue()).isEqualTo(5.0);
            assertThat(e.getThreshold()).isEqualTo(5.0);
        });
        assertThat(evidence(harvest, "reasoning_hours_24h")).hasValueSatisfying(e -> {
            assertThat(e.getValue()).isEqualTo(3.0);
            assertThat(e.getThreshold()).isEqualTo(3.0);
        });

        // The same requests in one sitting (a person's one reasoning-heavy conversation behind a residential VPN):
        // rotation, but no harvest.
        DistillationAlert sitting = highest(risk.stream()
                .filter(a -> a.getSubjectId().equals("acct-one-sitting")).toList());
        assertThat(evidence(sitting, "fired:ROTATION")).isPresent();
        assertThat(evidence(sitting, "reasoning_hours_24h")).hasValueSatisfying(e ->
                assertThat(e.getValue()).isEqualTo(1.0));
        assertThat(sitting.getSeverity()).isLessThan(Severity.HIGH);
    }

    private RequestEvent rotating(String account, int i, long at, boolean reasoning) {
        int asn = 7_400 + i % 5;
        return request(account, "100." + (asn % 200) + "." + i + ".9", at)
                .setAsn(asn)
                .setConversationId(account + "-c" + i / 3).setTurnIndex(i % 3)
                .setReasoningRequested(reasoning)
                .setCapability("coding")
                .setPromptSimhash(random.nextLong()).build();
    }

    @Test
    void networkSwitchesAmongAFewNetworksOrOncePerTenMinutesAreNotRotation() {
        TopologyHarness h = start();
        // A phone between Wi-Fi and its carrier, or an office balancing two providers: every request switches.
        conversations(h, "acct-two-networks", null, 0.8, i -> 7_000 + i % 2);
        // A privacy relay's operators.
        conversations(h, "acct-relay", null, 0.8, i -> 7_100 + i % 4);
        // Tor: a new circuit, and usually a new network, every ten minutes or so.
        conversations(h, "acct-tor", null, 0.8, i -> 7_200 + i / 5);
        // An org's members, each at home: the org's requests switch network, its accounts' do not.
        for (int m = 0; m < 15; m++) {
            int member = m;
            conversations(h, "acct-member-" + m, "org-lab", 0.8, i -> 7_300 + member);
        }
        List<DistillationAlert> alerts = h.alerts();
        assertThat(alerts).allSatisfy(a -> assertThat(evidence(a, "fired:ROTATION")).isEmpty());
        assertThat(alerts).allSatisfy(a -> assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
    }

    @Test
    void machineTimingFiresForRegularGapsAndNotForBurstyOnes() {
        TopologyHarness h = start();
        long t = BASE;
        for (int i = 0; i < 60; i++) {
            h.send(request("acct-cron", "198.51.100.1", BASE + i * 30_000L).build());
            // A person: gaps from a few seconds to several minutes.
            t += (long) (-Math.log(1 - random.nextDouble()) * 40_000);
            h.send(request("acct-person", "198.51.100.2", t).build());
        }
        List<DistillationAlert> risk = byDetector(h.alerts(), "ACCOUNT_RISK");
        assertThat(risk).extracting(DistillationAlert::getSubjectId).containsOnly("acct-cron");
        assertThat(evidence(risk.get(0), "inter_arrival_cv_1h")).hasValueSatisfying(e ->
                assertThat(e.getValue()).isLessThan(0.01));
        assertThat(risk).allSatisfy(a -> assertThat(a.getSeverity()).isLessThan(Severity.HIGH));
    }

    /**
     * An org's requests come from its several accounts, which live runs read from several input partitions in no
     * fixed order: the gaps between them are neither the org's rhythm nor the same live and in a backtest. Here the
     * org's merged requests come every three seconds exactly, each from one of ten accounts drawn at random (whose own
     * gaps are as irregular as a person's).
     */
    @Test
    void anOrgsMergedGapsAreNotReadAsMachineTiming() {
        TopologyHarness h = start();
        for (int i = 0; i < 120; i++) {
            h.send(request("acct-" + random.nextInt(10), "198.51.100.9", BASE + i * 3_000L).setOrgId("org-team")
                    .build());
        }
        List<DistillationAlert> alerts = h.alerts();
        assertThat(byDetector(alerts, "ORG_RISK")).isEmpty();
        assertThat(alerts).noneMatch(a -> evidence(a, "inter_arrival_cv_1h").isPresent());
    }

    @Test
    void orgAndApiKeyAreSubjectsOfTheirOwn() {
        TopologyHarness h = start("requests-1h: 1000", "requests-1h: 20");
        for (int i = 0; i < 30; i++) {
            // Ten accounts of one org each under the threshold; together over it.
            h.send(request("acct-" + i % 10, "198.51.100." + i % 10, BASE + i * 1000L)
                    .setOrgId("org-1").setApiKeyId("key-" + i % 10).build());
        }
        List<DistillationAlert> alerts = h.alerts();
        assertThat(byDetector(alerts, "ACCOUNT_RISK")).isEmpty();
        assertThat(byDetector(alerts, "API_KEY_RISK")).isEmpty();
        assertThat(byDetector(alerts, "ORG_RISK")).first().satisfies(a -> {
            assertThat(a.getSubjectType()).isEqualTo(SubjectType.ORG);
            assertThat(a.getSubjectId()).isEqualTo("org-1");
        });
    }

    @Test
    void anApiKeyAnAccountUsesAloneAlertsWithTheAccountsProfile() {
        TopologyHarness h = start();
        for (int hour = 0; hour < 3; hour++) {
            for (int i = 0; i < 40; i++) {
                h.send(harvest("acct-distiller", "198.51.100.7", BASE + hour * 3_600_000L + i * 60_000L,
                        random.nextLong()).setApiKeyId("key-d").build());
            }
        }

        List<DistillationAlert> alerts = h.alerts();
        List<DistillationAlert> account = byDetector(alerts, "ACCOUNT_RISK");
        List<DistillationAlert> key = byDetector(alerts, "API_KEY_RISK");
        assertThat(key).hasSameSizeAs(account).allSatisfy(a -> {
            assertThat(a.getSubjectType()).isEqualTo(SubjectType.API_KEY);
            assertThat(a.getSubjectId()).isEqualTo("key-d");
            assertThat(a.getAccounts()).containsExactly("acct-distiller");
        });
        assertThat(highest(key).getSeverity()).isGreaterThanOrEqualTo(Severity.HIGH);
        for (int i = 0; i < key.size(); i++) {
            assertThat(key.get(i).getScore()).isEqualTo(account.get(i).getScore());
            assertThat(key.get(i).getTriggerEventTime()).isEqualTo(account.get(i).getTriggerEventTime());
            assertThat(key.get(i).getEvidence()).isEqualTo(account.get(i).getEvidence());
        }
    }

    @Test
    void eachKeyOfAnAccountWithSeveralCountsItsOwnRequestsOnly() {
        TopologyHarness h = start("requests-1h: 1000", "requests-1h: 20");
        // key-1 alone for 15 requests, then 5 without a key, 5 with key-2 and 5 more with key-1: the account
        // reaches 20 requests at the 20th, key-1 at the 30th, key-2 never.
        String[] keys = new String[30];
        java.util.Arrays.fill(keys, 0, 15, "key-1");
        java.util.Arrays.fill(keys, 20, 25, "key-2");
        java.util.Arrays.fill(keys, 25, 30, "key-1");
        for (int i = 0; i < keys.length; i++) {
            h.send(request("acct-keys", "198.51.100.9", BASE + i * 1000L).setApiKeyId(keys[i]).build());
        }

        List<DistillationAlert> alerts = h.alerts();
        assertThat(byDetector(alerts, "ACCOUNT_RISK")).first().satisfies(a -> {
            assertThat(a.getTriggerEventTime().toEpochMilli()).isEqualTo(BASE + 19 * 1000L);
            assertThat(evidence(a, "requests_1h")).hasValueSatisfying(e -> assertThat(e.getValue()).isEqualTo(20.0));
        });
        List<DistillationAlert> key = byDetector(alerts, "API_KEY_RISK");
        assertThat(key).extracting(DistillationAlert::getSubjectId).containsOnly("key-1");
        assertThat(key).first().satisfies(a -> {
            assertThat(a.getTriggerEventTime().toEpochMilli()).isEqualTo(BASE + 29 * 1000L);
            assertThat(evidence(a, "requests_1h")).hasValueSatisfying(e -> assertThat(e.getValue()).isEqualTo(20.0));
            assertThat(a.getAccounts()).containsExactly("acct-keys");
        });
    }

    @Test
    void aKeyFirstSeenAfterRequestsWithoutOneCountsFromItsFirstRequest() {
        TopologyHarness h = start("requests-1h: 1000", "requests-1h: 20");
        for (int i = 0; i < 40; i++) {
            h.send(request("acct-late-key", "198.51.100.9", BASE + i * 1000L)
                    .setApiKeyId(i < 15 ? null : "key-3").build());
        }
        assertThat(byDetector(h.alerts(), "API_KEY_RISK")).first().satisfies(a -> {
            assertThat(a.getSubjectId()).isEqualTo("key-3");
            assertThat(a.getTriggerEventTime().toEpochMilli()).isEqualTo(BASE + 34 * 1000L);
        });
    }

    @Test
    void aSubjectBehindTheTasksStreamTimeIsJudgedOnItsOwnTimeUntilItsDayLeavesTheStore() {
        TopologyHarness h = start("requests-1h: 1000", "requests-1h: 10");
        // Another partition caught up first and pushed stream time 90 minutes ahead, past the hour's end and grace:
        // acct-behind's own requests, in order for it, still count in their hour and day (and the link path's
        // windows, held two windows back), and raise the hourly alert they raise on time.
        h.send(request("acct-x", "198.51.100.1", BASE + 90 * 60_000L).build());
        for (int i = 0; i < 10; i++) {
            h.send(request("acct-behind", "198.51.100.2", BASE + i).build());
        }
        assertThat(byDetector(h.alerts(), "ACCOUNT_RISK")).extracting(a -> a.getSubjectId())
                .containsOnly("acct-behind").isNotEmpty();
        assertThat(h.metric("late-dropped-total")).isZero();

        // A subject's own request an hour and more behind its latest: its day takes it, its hour is closed.
        h.send(request("acct-y", "198.51.100.3", BASE + 3 * 3_600_000L).build());
        h.send(request("acct-y", "198.51.100.3", BASE + 3_600_000L).build());
        assertThat(h.metric("late-dropped-total")).isEqualTo(1.0);

        // A day the store no longer holds (two days and the grace period behind stream time): dropped and counted,
        // by the subject path and by the link path for each of its groups.
        h.send(request("acct-x", "198.51.100.1", BASE + 3 * 86_400_000L).build());
        h.send(request("acct-old", "198.51.100.4", BASE + 3_600_000L).build());
        assertThat(h.metric("late-dropped-total")).isGreaterThanOrEqualTo(3.0);
        assertThat(byDetector(h.alerts(), "ACCOUNT_RISK")).extracting(a -> a.getSubjectId()).doesNotContain("acct-old");
    }
}
