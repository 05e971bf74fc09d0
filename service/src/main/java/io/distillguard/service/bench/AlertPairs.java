package io.distillguard.service.bench;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroDeserializer;
import io.distillguard.service.backtest.OfflineBacktest;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardTopology;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Alerts as "alert_id SEVERITY" pairs, the form in which a live run, a replay and an uninterrupted (offline) run
 * are compared: what a run wrote, and what the offline backtest gives over the same events.
 */
public final class AlertPairs {

    private AlertPairs() {
    }

    public static String of(DistillationAlert alert) {
        return alert.getAlertId() + " " + alert.getSeverity();
    }

    /** Every alert record on {@code topic}, read_committed from its start to its current end, in arrival order. */
    public static List<String> readCommitted(String bootstrap, Map<String, String> serdeConfig, String topic) {
        return readCommittedAlerts(bootstrap, serdeConfig, topic).stream().map(AlertPairs::of).toList();
    }

    /** The same records whole: what a differing pair was. */
    public static List<DistillationAlert> readCommittedAlerts(String bootstrap, Map<String, String> serdeConfig,
                                                              String topic) {
        SpecificAvroDeserializer<DistillationAlert> deserializer = new SpecificAvroDeserializer<>(DistillationAlert.class);
        deserializer.configure(serdeConfig, false);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "alert-pairs-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<DistillationAlert> alerts = new ArrayList<>();
        try (KafkaConsumer<String, DistillationAlert> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                deserializer)) {
            io.distillguard.service.TopicToEnd.read(consumer, topic, r -> alerts.add(r.value()));
        }
        return alerts;
    }

    /** The pairs of an uninterrupted run: the offline backtest over {@code events}, in their order. */
    public static TreeSet<String> offline(DetectionConfig detection, Iterator<RequestEvent> events) {
        TreeSet<String> pairs = new TreeSet<>();
        offlineAlerts(detection, events).forEach(a -> pairs.add(of(a)));
        return pairs;
    }

    /** The alerts of an uninterrupted run, whole. */
    public static List<DistillationAlert> offlineAlerts(DetectionConfig detection, Iterator<RequestEvent> events) {
        List<DistillationAlert> alerts = new ArrayList<>();
        new OfflineBacktest(detection, DistillguardTopology.StateStorage.OFFLINE_IN_MEMORY).run(events,
                new OfflineBacktest.Listener() {
                    @Override
                    public void onAlert(DistillationAlert alert) {
                        alerts.add(alert);
                    }
                });
        return alerts;
    }

    /**
     * Whether {@code written} is {@code expected} under another campaign id: both CAMPAIGN alerts, same severity and
     * day, and at least half of the smaller one's named accounts in both. Smaller: the run that met the campaign
     * before its late link raises its first tiers on fewer members than the run that had the link from the start.
     */
    public static boolean sameCampaign(DistillationAlert expected, DistillationAlert written) {
        if (!expected.getDetector().equals("CAMPAIGN") || !written.getDetector().equals("CAMPAIGN")
                || expected.getSeverity() != written.getSeverity()
                || !expected.getWindowStart().equals(written.getWindowStart())) {
            return false;
        }
        Set<String> named = new HashSet<>(written.getAccounts());
        long shared = expected.getAccounts().stream().filter(named::contains).count();
        return shared > 0 && shared * 2 >= Math.min(expected.getAccounts().size(), written.getAccounts().size());
    }
}
