package io.distillguard.service.bench;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.serdes.avro.SpecificAvroSerializer;
import io.distillguard.service.DistillguardService;
import io.distillguard.service.GroupProgress;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.demo.TrafficGenerator;
import io.distillguard.service.replay.TopicReplay;
import io.distillguard.topology.DetectionConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * An outage, as an operator meets it: a span of traffic piles up while the service is down, most of it on one
 * partition; the service is started and catches up. Prints how long the catch-up took, the window updates dropped as
 * late, and how the alerts read back (read_committed) compare, as (alert_id, severity) pairs, with an uninterrupted
 * run over the same events (the offline backtest in event-time order), and whether any was written twice.
 */
public final class OutageBench {

    /**
     * What the catch-up gave.
     *
     * @param extraDetectors the detectors of the alerts written that an uninterrupted run does not have
     * @param campaignIdsMoved missing pairs that were written as a CAMPAIGN alert of the same severity, day and accounts
     *                         under another id (the account graph's one order effect, see {@code OutageCatchUpIT})
     */
    public record Result(long events, Duration catchUp, double lateDropped, int pairs, int missing, int extra,
                         int writtenTwice, Set<String> extraDetectors, int campaignIdsMoved) {
    }

    private final ServiceConfig base;
    private final PrintStream out;

    public OutageBench(ServiceConfig base, PrintStream out) {
        this.base = base;
        this.out = out;
    }

    /**
     * @param skew share of accounts whose requests go to partition 0; the others spread over the rest
     */
    public Result run(long events, Duration span, int partitions, double skew, Path stateDir) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "bench-outage-" + run;
        try (Admin admin = Admin.create(adminProps())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) -1)
                    .configs(Map.of("retention.ms", "-1")))).all().get(60, TimeUnit.SECONDS);
        }
        List<RequestEvent> history = generate(events, span);
        produce(topic, history, partitions, skew);
        out.printf("Outage: %,d requests over %s piled up on %s (%.0f %% of accounts on partition 0 of %d)%n",
                events, span, topic, 100 * skew, partitions);

        Map<String, String> overrides = new HashMap<>(base.asMap());
        overrides.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-outage-app-" + run);
        overrides.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(run).toString());
        overrides.put(DetectionConfig.REQUESTS_TOPIC, topic);
        overrides.put(DetectionConfig.ALERTS_TOPIC, topic + "-alerts");
        overrides.put(DetectionConfig.DEAD_LETTER_TOPIC, topic + "-dead-letter");
        overrides.put(ServiceConfig.HTTP_ENABLED, "false");
        ServiceConfig config = ServiceConfig.load(null, Map.of(), overrides);
        double late = 0;
        long t0 = System.nanoTime();
        Duration catchUp;
        try (DistillguardService service = DistillguardService.start(config);
             Admin admin = Admin.create(adminProps())) {
            Map<TopicPartition, Long> ends = GroupProgress.endOffsets(admin, List.of(topic));
            while (!GroupProgress.committedToEnd(admin, "bench-outage-app-" + run, ends)) {
                TimeUnit.MILLISECONDS.sleep(250);
            }
            catchUp = Duration.ofNanos(System.nanoTime() - t0);
            for (var metric : service.streams().metrics().entrySet()) {
                if (metric.getKey().name().equals("late-dropped-total")) {
                    late += ((Number) metric.getValue().metricValue()).doubleValue();
                }
            }
        }
        List<String> written = AlertPairs.readCommitted(base.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG),
                config.serdeConfig(), config.detection().alertsTopic());
        List<DistillationAlert> expectedAlerts = AlertPairs.offlineAlerts(config.detection(),
                history.iterator());
        TreeSet<String> expected = new TreeSet<>();
        expectedAlerts.forEach(a -> expected.add(AlertPairs.of(a)));
        TreeSet<String> missing = new TreeSet<>(expected);
        missing.removeAll(written);
        TreeSet<String> extra = new TreeSet<>(written);
        extra.removeAll(expected);
        int twice = written.size() - new TreeSet<>(written).size();
        List<DistillationAlert> extraAlerts = extra.isEmpty() ? List.of()
                : AlertPairs.readCommittedAlerts(base.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG), config.serdeConfig(),
                        config.detection().alertsTopic()).stream().filter(a -> extra.contains(AlertPairs.of(a))).toList();
        int moved = (int) expectedAlerts.stream().filter(a -> missing.contains(AlertPairs.of(a)))
                .filter(a -> extraAlerts.stream().anyMatch(w -> AlertPairs.sameCampaign(a, w))).count();
        Set<String> extraDetectors = new TreeSet<>();
        extraAlerts.forEach(a -> extraDetectors.add(a.getDetector()));
        Result result = new Result(events, catchUp, late, expected.size(), missing.size(), extra.size(), twice,
                extraDetectors, moved);
        out.printf("Caught up in %s (%,.0f events/s); window updates late-dropped: %,.0f; alert pairs: %,d of an "
                        + "uninterrupted run's %,d written, %,d missing (%,d of them a campaign under another id), "
                        + "%,d extra, %,d written twice%n",
                catchUp, events * 1e9 / catchUp.toNanos(), late, expected.size() - missing.size(), expected.size(),
                missing.size(), moved, extra.size(), twice);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            out.printf("  missing (first 10): %s%n  extra (first 10): %s%n", missing.stream().limit(10).toList(),
                    extra.stream().limit(10).toList());
            extraAlerts.stream().limit(10).forEach(a -> out.printf("  extra: %s %s %s window %s trigger %s accounts %d %s%n",
                            a.getDetector(), a.getSeverity(), a.getSubjectId(), a.getWindowStart(),
                            a.getTriggerEventTime(), a.getAccountsTotal(), a.getEvidence()));
        }
        last = new Backlog(topic, history, catchUp, expected);
        return result;
    }

    /** The last run's backlog and what an uninterrupted run made of it: what {@link #replays} replays. */
    private record Backlog(String topic, List<RequestEvent> history, Duration catchUp, TreeSet<String> expected) {
    }

    private Backlog last;

    /** What replaying the outage's topic gave, with one instance and with two sharing the replay. */
    public record ReplayResult(double liveEventsPerSecond, double oneEventsPerSecond, double twoEventsPerSecond,
                               int pairs, int oneMissing, int oneExtra, int twoMissing, int twoExtra,
                               long joinerRecords) {
    }

    /**
     * After {@link #run}: replays the same topic's whole span through {@code replay} with one instance, then with two
     * sharing one replay id, and compares each with the uninterrupted run's pairs and the catch-up's rate (the live
     * detector over the same backlog, in the same process).
     */
    public ReplayResult replays() throws Exception {
        if (last == null) {
            throw new IllegalStateException("replays() replays the backlog of run(): run it first");
        }
        List<RequestEvent> history = last.history();
        Instant from = history.get(0).getEventTime();
        Instant to = history.get(history.size() - 1).getEventTime().plusMillis(1);
        TreeSet<String> expected = last.expected();
        Map<String, String> overrides = new HashMap<>(base.asMap());
        overrides.put(DetectionConfig.REQUESTS_TOPIC, last.topic());
        ServiceConfig config = ServiceConfig.load(null, Map.of(), overrides);
        double live = history.size() * 1e9 / last.catchUp().toNanos();

        TreeSet<String> one = new TreeSet<>();
        TopicReplay.Result single = replay(config, from, to, null, one);
        double oneRate = single.recordsInRange() * 1e9 / single.elapsed().toNanos();

        TreeSet<String> two = new TreeSet<>();
        String id = "bench-replay-" + UUID.randomUUID().toString().substring(0, 8);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<TopicReplay.Result> shared = new ArrayList<>();
        try {
            List<Future<TopicReplay.Result>> instances = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                instances.add(pool.submit(() -> replay(config, from, to, id, two)));
            }
            for (Future<TopicReplay.Result> instance : instances) {
                shared.add(instance.get());
            }
        } finally {
            pool.shutdownNow();
        }
        long slowest = shared.stream().mapToLong(r -> r.elapsed().toNanos()).max().orElseThrow();
        double twoRate = single.recordsInRange() * 1e9 / slowest;
        long joiner = shared.stream().filter(TopicReplay.Result::joined).mapToLong(TopicReplay.Result::recordsHere).sum();
        ReplayResult result = new ReplayResult(live, oneRate, twoRate, expected.size(), diff(expected, one),
                diff(one, expected), diff(expected, two), diff(two, expected), joiner);
        out.printf("Replay of the same %,d requests: one instance %,.0f events/s (%.2f of the live catch-up's %,.0f), "
                        + "pairs %,d missing / %,d extra of %,d; two instances %,.0f events/s (the joiner took in %,d "
                        + "records), pairs %,d missing / %,d extra%n", history.size(), oneRate, oneRate / live, live,
                result.oneMissing(), result.oneExtra(), expected.size(), twoRate, joiner, result.twoMissing(),
                result.twoExtra());
        return result;
    }

    /** One instance of a replay of [from, to), its alerts' pairs added to {@code pairs}. */
    private TopicReplay.Result replay(ServiceConfig config, Instant from, Instant to, String id, Set<String> pairs)
            throws Exception {
        return new TopicReplay(config, out).run(new TopicReplay.Request(last.topic(), from, to, null, false,
                Duration.ofHours(2), id), alert -> {
                    synchronized (pairs) {
                        pairs.add(AlertPairs.of(alert));
                    }
                });
    }

    private static int diff(TreeSet<String> a, TreeSet<String> b) {
        TreeSet<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d.size();
    }

    private static List<RequestEvent> generate(long events, Duration span) {
        TrafficGenerator generator = new TrafficGenerator(41);
        long start = System.currentTimeMillis() - span.toMillis() - 60_000;
        double step = (double) span.toMillis() / events;
        List<RequestEvent> history = new ArrayList<>();
        for (long i = 0; i < events; i++) {
            RequestEvent event = generator.next(start + (long) (i * step)).event();
            event.setEventId("outage-" + i);
            history.add(event);
        }
        return history;
    }

    private void produce(String topic, List<RequestEvent> history, int partitions, double skew) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, base.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        SpecificAvroSerializer<RequestEvent> serializer = new SpecificAvroSerializer<>(RequestEvent.class);
        serializer.configure(base.serdeConfig(), false);
        try (KafkaProducer<String, RequestEvent> producer = new KafkaProducer<>(props, new StringSerializer(), serializer)) {
            for (RequestEvent event : history) {
                // One account always on one partition, so its requests keep their order, as gateways key them.
                int bucket = Math.floorMod(event.getAccountId().hashCode(), 1000);
                int partition = partitions == 1 || bucket < skew * 1000 ? 0 : 1 + bucket % (partitions - 1);
                producer.send(new ProducerRecord<>(topic, partition, event.getEventTime().toEpochMilli(),
                        event.getAccountId(), event));
            }
            producer.flush();
        }
    }

    private Properties adminProps() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, base.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        return props;
    }
}
