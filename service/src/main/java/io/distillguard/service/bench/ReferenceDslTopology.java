package io.distillguard.service.bench;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.SubjectType;
import io.distillguard.topology.detect.Alerts;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;

/**
 * What a user would build first instead of Distillguard, written plainly in the Kafka Streams DSL, for the
 * throughput bench to compare against: re-key the requests by account and by address, count each in hourly and
 * daily windows (and the distinct accounts an address serves in the hour), and write an alert when a count first
 * reaches a threshold. It has none of Distillguard's detection (no links beyond the address, no shares, no sketches,
 * no scoring, no dead letters), so the detector should cost more per event; the bench says how much more.
 *
 * <p>Only its cost is compared, not its alerts: with Kafka's record cache on, as a user leaves it, updates are
 * coalesced per commit and a crossing that falls inside one is not seen by the {@code ==} threshold.
 */
public final class ReferenceDslTopology {

    static final long ACCOUNT_REQUESTS_PER_HOUR = 300;
    static final long ACCOUNT_REQUESTS_PER_DAY = 2_000;
    static final long ADDRESS_ACCOUNTS_PER_HOUR = 25;
    static final long ADDRESS_REQUESTS_PER_DAY = 10_000;
    private static final Duration GRACE = Duration.ofMinutes(5);

    private ReferenceDslTopology() {
    }

    public static Topology build(String requestsTopic, String alertsTopic, Serde<RequestEvent> requests,
                                 Serde<DistillationAlert> alerts) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<byte[], RequestEvent> input = builder.stream(requestsTopic, Consumed.with(Serdes.ByteArray(), requests));
        // One repartition per re-key, shared by that key's aggregates (as topology.optimization=all would make it).
        KStream<String, RequestEvent> byAccount = input.selectKey((key, event) -> event.getAccountId())
                .repartition(Repartitioned.with(Serdes.String(), requests).withName("reference-by-account"));
        KStream<String, RequestEvent> byAddress = input.selectKey((key, event) -> event.getIp())
                .repartition(Repartitioned.with(Serdes.String(), requests).withName("reference-by-ip"));

        count(byAccount, requests, Duration.ofHours(1), "reference-account-1h", ACCOUNT_REQUESTS_PER_HOUR,
                SubjectType.ACCOUNT, "REFERENCE_ACCOUNT_HOURLY", alertsTopic, alerts);
        count(byAccount, requests, Duration.ofDays(1), "reference-account-24h", ACCOUNT_REQUESTS_PER_DAY,
                SubjectType.ACCOUNT, "REFERENCE_ACCOUNT_DAILY", alertsTopic, alerts);
        count(byAddress, requests, Duration.ofDays(1), "reference-ip-24h", ADDRESS_REQUESTS_PER_DAY,
                SubjectType.IP, "REFERENCE_IP_DAILY", alertsTopic, alerts);
        // The cross-account signal a user writes first: the accounts an address served this hour, as a set.
        byAddress.groupByKey(Grouped.with("reference-by-ip", Serdes.String(), requests))
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofHours(1), GRACE))
                .aggregate(() -> "", (ip, event, accounts) -> addAccount(accounts, event.getAccountId()),
                        Materialized.<String, String, org.apache.kafka.streams.state.WindowStore<
                                org.apache.kafka.common.utils.Bytes, byte[]>>as("reference-ip-accounts-1h")
                                .withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
                .toStream()
                .filter((window, accounts) -> accountCount(accounts) == ADDRESS_ACCOUNTS_PER_HOUR)
                .map((window, accounts) -> alert(window, SubjectType.IP, "REFERENCE_IP_FAN_IN", ADDRESS_ACCOUNTS_PER_HOUR,
                        List.of(accounts.split(","))))
                .to(alertsTopic, Produced.with(Serdes.String(), alerts));
        return builder.build();
    }

    private static void count(KStream<String, RequestEvent> keyed, Serde<RequestEvent> requests, Duration size,
                              String store, long threshold, SubjectType type, String detector, String alertsTopic,
                              Serde<DistillationAlert> alerts) {
        keyed.groupByKey(Grouped.with(store + "-by-key", Serdes.String(), requests))
                .windowedBy(TimeWindows.ofSizeAndGrace(size, GRACE))
                .count(Materialized.as(store))
                .toStream()
                .filter((window, count) -> count != null && count == threshold)
                .map((window, count) -> alert(window, type, detector, count,
                        type == SubjectType.ACCOUNT ? List.of(window.key()) : List.of()))
                .to(alertsTopic, Produced.with(Serdes.String(), alerts));
    }

    static String addAccount(String accounts, String account) {
        if (accounts.isEmpty()) {
            return account;
        }
        TreeSet<String> set = new TreeSet<>(List.of(accounts.split(",")));
        return set.add(account) ? String.join(",", set) : accounts;
    }

    static int accountCount(String accounts) {
        return accounts.isEmpty() ? 0 : accounts.split(",").length;
    }

    private static KeyValue<String, DistillationAlert> alert(Windowed<String> window, SubjectType type, String detector,
                                                             long value, List<String> accounts) {
        DistillationAlert alert = Alerts.alert(detector, type, window.key(), window.window().start(),
                window.window().end(), window.window().start(), 1.0, accounts, accounts.size(),
                List.of(Alerts.evidence(detector.toLowerCase(), value, value)), "reference");
        return KeyValue.pair(type + ":" + window.key(), alert);
    }
}
