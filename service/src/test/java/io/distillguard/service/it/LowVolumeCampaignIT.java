package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.backtest.OfflineBacktest;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import io.distillguard.service.simulate.CampaignKnobs;
import io.distillguard.service.simulate.CampaignSimulator;
import io.distillguard.topology.DistillguardTopology.StateStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A low-volume campaign of many light accounts (the template farm's class: 120 aged accounts at ten requests a day on
 * one hosting provider, a handful of templates), the same with its templates written as text, the same harvesting
 * long answers rather than reasoning, and one that shares nothing behind a rotating proxy, beside benign
 * traffic, through the live service on a real broker with the account graph's single-partition edge topic: its
 * (alert_id, severity) pairs equal an offline backtest's. The requests topic has two partitions and every request goes
 * to the first: the second, empty, must change nothing that is raised.
 */
@ExtendWith(KafkaClusterExtension.class)
class LowVolumeCampaignIT {

    @TempDir
    Path dir;

    @Test
    void shouldRaiseTheSameAlertsLiveAsABacktestOfTheSameEvents(KafkaCluster cluster) throws Exception {
        // Two days, so that what a day's judgement reaches back to is compared too (a card's members judged on their
        // day before, when both days fall in one card week).
        CampaignSimulator.Settings settings = new CampaignSimulator.Settings(41, 300, 2,
                Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.DAYS), 1.0);
        List<RequestEvent> events = new ArrayList<>();
        // And a campaign that shares nothing, its harvests wrapped in conversations behind a proxy rotating per
        // request: only ROTATION, a per-account signal over consecutive requests, finds it.
        CampaignKnobs rotating = CampaignKnobs.nominal().with("accounts", 40).with("templates", 0)
                .with("residential_addresses", 10_000).with("first_turn_share", 0.4).with("requests_per_day", 30)
                .withScenario("rotating");
        // And one tied by templates written as text, 20 words around a three-word slot, which only the word bands
        // group: the MinHash crosses the wire in each event, as a gateway that computes it sends it.
        CampaignKnobs text = CampaignKnobs.nominal().with("accounts", 60).with("template_words", 20)
                .withScenario("textfarm");
        // And a harvest of long answers rather than reasoning (reasoning on 30 %) from rented machines: its campaign
        // is corroborated only once ten members are judged to run one configuration, each over its requests through
        // all five templates (two a template in the day), which the template edges' member tallies carry.
        CampaignKnobs light = CampaignKnobs.nominal().with("accounts", 60).with("reasoning_share", 0.3)
                .with("long_answer_share", 0.8).withScenario("light");
        // And one tied only by cards, each shared by two of its accounts, behind a residential pool rotating per
        // request: a card's group that only its members' roaming corroborates is judged from twelve requests, held,
        // and each member named by its own day's networks. Its members' own days also fire ROTATION for part of a
        // day, which the live path reads after the day has moved on: each member is judged on its day's own peak.
        CampaignKnobs pairs = CampaignKnobs.nominal().with("accounts", 40).with("templates", 0)
                .with("residential_addresses", 10_000).with("accounts_per_card", 2).with("requests_per_day", 30)
                .withScenario("pairs");
        new CampaignSimulator(settings, List.of(CampaignKnobs.nominal().with("accounts", 120).withScenario("farm"),
                rotating, text, light, pairs)).forEachRemaining(events::add);
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<DistillationAlert> live = new ArrayList<>();
        Map<String, String> overrides = new HashMap<>();
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start()) {
            overrides.putAll(ServiceClients.isolated(cluster, registry.url(), "campaign-" + run, run,
                    dir.resolve("state")));
            // A day of history produced at once: one partition keeps it in event-time order through the re-keys, as
            // the backtest reads it; a second, empty one is what an uneven key space leaves.
            overrides.put(ServiceConfig.TOPICS_PARTITIONS, "2");
            overrides.put(ServiceConfig.HTTP_PORT, "0");
            ServiceConfig config = ServiceConfig.load(null, Map.of(), overrides);
            try (DistillguardService service = DistillguardService.start(config)) {
                assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();
                ServiceClients.produce(config, config.detection().requestsTopic(), 0, events.iterator(), event -> { });
                try (KafkaConsumer<String, DistillationAlert> consumer = ServiceClients.alerts(config, config.detection().alertsTopic())) {
                    long[] lastAlertAt = {System.currentTimeMillis()};
                    await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(100)).until(() -> {
                        consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                            live.add(r.value());
                            lastAlertAt[0] = System.currentTimeMillis();
                        });
                        return !live.isEmpty() && System.currentTimeMillis() - lastAlertAt[0] > 20_000;
                    });
                }
            }
        }
        List<DistillationAlert> offline = new ArrayList<>();
        new OfflineBacktest(ServiceConfig.load(null, Map.of(), overrides).detection(), StateStorage.OFFLINE_IN_MEMORY)
                .run(events.iterator(), new OfflineBacktest.Listener() {
                    @Override
                    public void onAlert(DistillationAlert alert) {
                        offline.add(alert);
                    }
                });

        Set<String> livePairs = pairs(live);
        Set<String> offlinePairs = pairs(offline);
        assertThat(livePairs).as("live and backtest agree on (alert_id, severity); live only: %s; backtest only: %s",
                describe(live, offlinePairs), describe(offline, livePairs)).isEqualTo(offlinePairs);
        assertThat(offline).extracting(DistillationAlert::getDetector).contains("CAMPAIGN", "ACCOUNT_RISK");
        assertThat(offline).filteredOn(a -> a.getDetector().equals("CAMPAIGN"))
                .allSatisfy(a -> assertThat(a.getAccounts().stream().allMatch(account -> account.startsWith("acct-farm-"))
                        || a.getAccounts().stream().allMatch(account -> account.startsWith("acct-textfarm-"))
                        || a.getAccounts().stream().allMatch(account -> account.startsWith("acct-light-")))
                        .as("one campaign's accounts only: %s", a.getAccounts()).isTrue())
                .anySatisfy(a -> assertThat(a.getAccounts()).allMatch(account -> account.startsWith("acct-textfarm-")));
        assertThat(offline).filteredOn(a -> a.getDetector().equals("CAMPAIGN")
                        && a.getSeverity().compareTo(io.distillguard.avro.Severity.HIGH) >= 0
                        && a.getAccounts().stream().allMatch(account -> account.startsWith("acct-light-")))
                .as("the long answers' campaign named HIGH, its members judged over its templates").isNotEmpty()
                .allSatisfy(a -> assertThat(a.getEvidence()).anySatisfy(e -> {
                    assertThat(e.getSignal()).isEqualTo("group_members_judged");
                    assertThat(e.getValue()).isGreaterThanOrEqualTo(e.getThreshold());
                }));
        assertThat(named(offline, "acct-pairs-")).as("the cards' members named").hasSizeGreaterThan(20);
        assertThat(offline).filteredOn(a -> a.getDetector().equals("ACCOUNT_CLUSTER")
                        && a.getSubjectId().startsWith("PAYMENT_FINGERPRINT:card-pairs-"))
                .as("cards of two judged under the cluster floor, held for their members").isNotEmpty()
                .anySatisfy(a -> assertThat(a.getEvidence()).anySatisfy(e -> {
                    assertThat(e.getSignal()).isEqualTo("group_requests");
                    assertThat(e.getValue()).isLessThan(30);
                    assertThat(e.getThreshold()).isEqualTo(12);
                }));
        assertThat(offline).filteredOn(a -> a.getSubjectId().startsWith("acct-pairs-")
                        && a.getSeverity().compareTo(io.distillguard.avro.Severity.HIGH) >= 0)
                .as("members of the cards of two named HIGH by their card and their own networks")
                .anySatisfy(a -> assertThat(a.getEvidence()).anyMatch(e -> e.getSignal().startsWith("cluster:PAYMENT_FINGERPRINT:")));
        assertThat(offline).filteredOn(a -> a.getSubjectId().startsWith("acct-rotating-")
                        && a.getSeverity().compareTo(io.distillguard.avro.Severity.HIGH) >= 0)
                .as("accounts of the rotating campaign named HIGH through ROTATION").isNotEmpty()
                .allSatisfy(a -> assertThat(a.getEvidence()).anyMatch(e -> e.getSignal().equals("fired:ROTATION")));
    }

    /** The accounts of {@code prefix} named in a HIGH or CRITICAL alert. */
    private static Set<String> named(List<DistillationAlert> alerts, String prefix) {
        return alerts.stream().filter(a -> a.getSeverity().compareTo(io.distillguard.avro.Severity.HIGH) >= 0)
                .flatMap(a -> a.getAccounts().stream()).filter(account -> account.startsWith(prefix))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> pairs(List<DistillationAlert> alerts) {
        return alerts.stream().map(a -> a.getAlertId() + "/" + a.getSeverity()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<String> describe(List<DistillationAlert> alerts, Set<String> other) {
        return alerts.stream().filter(a -> !other.contains(a.getAlertId() + "/" + a.getSeverity()))
                .map(a -> a.getDetector() + " " + a.getSubjectId() + " " + a.getSeverity() + " at "
                        + a.getTriggerEventTime()).limit(10).toList();
    }
}
