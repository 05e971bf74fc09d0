package io.distillguard.service.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillguard.avro.RequestEvent;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.embedded.EmbeddedSchemaRegistry;
import io.distillguard.topology.detect.SubjectRiskProcessor;
import io.distillguard.topology.state.SubjectWindowStats;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a four-partition requests topic, a cluster member's implication reaches the task that holds the member's own
 * windows: each member has one day record, holding both its requests and its cluster, and both subject-path
 * repartition topics have the requests topic's partitions. (Without an explicit count and partitioner, the
 * implications topic, fed also by the campaign graph's single-partition stage, could be created with one partition
 * when the requests topic was new, and every member's implication then landed in task 0 beside its windows.)
 */
@ExtendWith(KafkaClusterExtension.class)
class ClusterMemberWindowsIT {

    @TempDir
    Path dir;

    @Test
    void shouldKeepAMembersImplicationInTheSameWindowAsItsRequests(KafkaCluster cluster) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> overrides = new HashMap<>();
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start()) {
            overrides.putAll(ServiceClients.isolated(cluster, registry.url(), "members-" + run, run,
                    dir.resolve("state")));
            overrides.put(ServiceConfig.TOPICS_PARTITIONS, "4");
            overrides.put(ServiceConfig.HTTP_PORT, "0");
            ServiceConfig config = ServiceConfig.load(null, Map.of(), overrides);
            try (DistillguardService service = DistillguardService.start(config)) {
                assertThat(service.awaitRunning(Duration.ofSeconds(90))).isTrue();
                Random random = new Random(5);
                long start = Instant.now().minus(Duration.ofMinutes(20)).toEpochMilli();
                // The requests below span 13 minutes and must fall in one UTC day (one day record an account is
                // asserted): shortly after midnight they are moved to the end of the day before.
                long midnight = start - Math.floorMod(start, 86_400_000L) + 86_400_000L;
                if (start + 14 * 60_000L > midnight) {
                    start = midnight - 14 * 60_000L;
                }
                List<RequestEvent> events = new ArrayList<>();
                // Eight accounts harvesting on one card: a cluster, whose members spread over the four partitions.
                for (int a = 0; a < 8; a++) {
                    for (int i = 0; i < 8; i++) {
                        long time = start + (a * 8 + i) * 12_000L;
                        events.add(RequestEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                                .setEventTime(Instant.ofEpochMilli(time)).setAccountId("acct-card-" + a)
                                .setIp("198.51.100.7").setModel("frontier-1").setEndpoint("/v1/messages")
                                .setPromptTokens(200).setCompletionTokens(2_000).setStatus(200)
                                .setReasoningRequested(true).setTurnIndex(0).setCapability("coding")
                                .setPromptSimhash(random.nextLong()).setPaymentFingerprint("card-shared")
                                .setAccountCreatedAt(Instant.ofEpochMilli(time - 86_400_000L)).build());
                    }
                }
                ServiceClients.produce(config, config.detection().requestsTopic(), events.iterator(), e -> { });

                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    List<String> implicated = new ArrayList<>();
                    for (int a = 0; a < 8; a++) {
                        String key = "ACCOUNT:acct-card-" + a;
                        List<SubjectWindowStats> records = new ArrayList<>();
                        for (int p = 0; p < 4; p++) {
                            try (var it = service.streams().store(StoreQueryParameters.fromNameAndType(
                                            SubjectRiskProcessor.DAY_STORE,
                                            QueryableStoreTypes.<String, SubjectWindowStats>windowStore()).withPartition(p))
                                    .fetch(key, Instant.EPOCH, Instant.now().plus(Duration.ofDays(1)))) {
                                it.forEachRemaining(kv -> records.add(kv.value));
                            }
                        }
                        assertThat(records).as("%s's day records over the four tasks", key).hasSize(1);
                        assertThat(records.get(0).getRequests()).as("%s's requests", key).isEqualTo(8);
                        if (records.get(0).getCluster() != null) {
                            implicated.add(key);
                        }
                    }
                    assertThat(implicated).as("members implicated in their own windows").hasSizeGreaterThanOrEqualTo(5);
                });
                // Both subject-path repartition topics have the requests topic's four partitions, whatever the
                // order topics' metadata reached Kafka Streams at the first rebalance.
                try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers",
                        cluster.bootstrapServers()))) {
                    String app = "members-" + run;
                    var topics = admin.describeTopics(List.of(app + "-cluster-implications-repartition",
                            app + "-requests-by-subject-batched-repartition")).allTopicNames().get();
                    assertThat(topics.values()).allSatisfy(t -> assertThat(t.partitions()).hasSize(4));
                }
            }
        }
    }
}
