package io.distillguard.topology.offline;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.SubjectType;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardTopology;
import io.distillguard.topology.DistillguardTopology.EventTimeRange;
import io.distillguard.topology.DistillguardTopology.StateStorage;
import io.distillguard.topology.detect.CampaignProcessor;
import io.distillguard.topology.detect.LinkRiskProcessor;
import io.distillguard.topology.detect.RequestRouting;
import io.distillguard.topology.detect.SubjectRiskProcessor;
import io.distillguard.topology.state.CampaignEdge;
import io.distillguard.topology.state.LinkRequest;
import io.distillguard.topology.state.OfflineWindowStore;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.validation.DeadLetterHeaders;
import io.distillguard.topology.validation.DuplicateFilter;
import io.distillguard.topology.validation.EventTimeExtractor;
import io.distillguard.topology.validation.RequestTriage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.InternalFixedKeyRecordFactory;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.internals.metrics.StreamsMetricsImpl;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The detection topology's processors, offline, in three pipelined stages on their own threads: the caller's
 * (event time, triage, duplicate filter, both re-keys), the link path's, and the subject path's. The backtest's
 * default driver; it exists for speed. Kafka's TopologyTestDriver runs the same graph one record at a time and
 * commits after each, which costs more than the detectors, and it uses one core of two.
 *
 * <p>Same results as the topology on the test driver, in the same order (the backtest's tests compare the two
 * alert for alert): each processor sees each record in input order with the stream time the topology's single task
 * would have at that record, and the subject stage replays, per request, what the link stage forwarded (its alerts
 * and cluster implications) in the order the topology's depth-first forwarding would have handled it, before the
 * request's own subject records. A record that makes a processor throw is dead-lettered with the exception, and its
 * later stages are skipped, as the service's processing-exception handler does.
 *
 * <p>What it does not run: the rules and threat-indicator topics (the backtest has no broker; its rules come from
 * the configuration) and RocksDB state (the test driver does that, with {@link StateStorage#OFFLINE_ROCKSDB}).
 */
public final class OfflineTopologyRunner implements AutoCloseable {

    /** Where results go; called on one thread (the subject stage), in the order the topology would emit them. */
    public interface Output {
        void alert(DistillationAlert alert);

        /** A request the contract or a processor refused, with its headers ({@link DeadLetterHeaders}). */
        void deadLetter(RequestEvent event, Headers headers);
    }

    private static final int BATCH = 512;
    private static final int QUEUED_BATCHES = 16;
    private static final List<Item> END = List.of();

    private final DetectionConfig config;
    private final EventTimeRange range;
    private final Output output;
    private final Metrics metrics = new Metrics();
    private final EventTimeExtractor timestamps;
    private final boolean orgs;

    private final RequestTriage<Object> triage;
    private final DuplicateFilter<Object> dedup;
    private final OfflineContext sourceContext;
    private final OfflineContext linkContext;
    private final OfflineContext campaignContext;
    private final Processor<String, CampaignEdge, String, Object> campaigns;
    private final OfflineContext subjectContext;
    private final Processor<String, LinkRequest, String, Object> links;
    private final Processor<String, SubjectRequest, String, DistillationAlert> subjects;
    private final List<Record<?, ?>> forwarded = new ArrayList<>(1);
    private final SharedStrings accountIds = new SharedStrings(1 << 20);
    private final BlockingQueue<List<Item>> toLinks = new ArrayBlockingQueue<>(QUEUED_BATCHES);
    private final BlockingQueue<List<Item>> toSubjects = new ArrayBlockingQueue<>(QUEUED_BATCHES);
    private final Thread linkStage;
    private final Thread subjectStage;
    private volatile Throwable crashed;
    private List<Item> batch = new ArrayList<>(BATCH);
    private Item current;
    private long offset = -1;
    private long partitionTime = -1;
    private boolean finished;

    /** @param range when not null, valid requests outside it are left out before any state is touched */
    public OfflineTopologyRunner(DetectionConfig config, EventTimeRange range, Output output) {
        // The processors read no rules topic offline: a backtest's rules are its configuration's.
        this(config, range, output, new LinkRiskProcessor(config, null), new SubjectRiskProcessor(config, null));
    }

    /** With the link and subject processors given: tests wrap the real ones to make them fail on chosen requests. */
    OfflineTopologyRunner(DetectionConfig config, EventTimeRange range, Output output,
                          Processor<String, LinkRequest, String, Object> links,
                          Processor<String, SubjectRequest, String, DistillationAlert> subjects) {
        this(config, range, output, links, new CampaignProcessor(config, null), subjects);
    }

    private OfflineTopologyRunner(DetectionConfig config, EventTimeRange range, Output output,
                                  Processor<String, LinkRequest, String, Object> links,
                                  Processor<String, CampaignEdge, String, Object> campaigns,
                                  Processor<String, SubjectRequest, String, DistillationAlert> subjects) {
        this.config = config;
        this.range = range;
        this.output = output;
        this.timestamps = new EventTimeExtractor(config.maxFutureSkew());
        this.orgs = config.subjects().contains(SubjectType.ORG);
        StreamsMetricsImpl streamsMetrics = new StreamsMetricsImpl(metrics, "distillguard-backtest", Time.SYSTEM);
        StoreBuilder<?> seen = DistillguardTopology.dedupStore(config, StateStorage.OFFLINE_IN_MEMORY);
        Map<String, StateStore> sourceStores = open(List.of(seen));
        Map<String, StateStore> linkStores = open(DistillguardTopology.linkStores(config, StateStorage.OFFLINE_IN_MEMORY));
        Map<String, StateStore> subjectStores = open(DistillguardTopology.subjectStores(config,
                StateStorage.OFFLINE_IN_MEMORY));
        String app = "distillguard-backtest";
        this.sourceContext = new OfflineContext(app, sourceStores, streamsMetrics, forwarded::add);
        this.linkContext = new OfflineContext(app, linkStores, streamsMetrics, record -> current.linkOutputs.add(record));
        this.subjectContext = new OfflineContext(app, subjectStores, streamsMetrics, this::subjectForward);
        this.triage = new RequestTriage<>(config);
        this.triage.init(sourceContext.forFixedKeyProcessor());
        this.dedup = new DuplicateFilter<>(config.dedupWindow().toMillis(), seen.name());
        if (config.dedupWindow().toMillis() > 0) {
            this.dedup.init(sourceContext.forFixedKeyProcessor());
        }
        this.links = links;
        this.links.init(linkContext.forProcessor());
        // The account graph runs on the link stage, after each request's links: what it forwards joins the link
        // outputs the subject stage replays, as its repartition topic feeds the subject path live.
        Map<String, StateStore> campaignStores = open(DistillguardTopology.campaignStores(config,
                StateStorage.OFFLINE_IN_MEMORY));
        this.campaignContext = new OfflineContext(app, campaignStores, streamsMetrics,
                record -> current.linkOutputs.add(record));
        this.campaigns = campaigns;
        this.campaigns.init(campaignContext.forProcessor());
        this.subjects = subjects;
        this.subjects.init(subjectContext.forProcessor());
        this.linkStage = new Thread(() -> stage(toLinks, this::runLinks), "offline-link-stage");
        this.subjectStage = new Thread(() -> stage(toSubjects, this::runSubjects), "offline-subject-stage");
        linkStage.setDaemon(true);
        subjectStage.setDaemon(true);
        linkStage.start();
        subjectStage.start();
    }

    private static Map<String, StateStore> open(List<? extends StoreBuilder<?>> builders) {
        Map<String, StateStore> stores = new HashMap<>();
        for (StoreBuilder<?> builder : builders) {
            StateStore store = builder.build();
            if (store instanceof OfflineWindowStore<?, ?> offline) {
                offline.openDetached();
            } else if (store instanceof io.distillguard.topology.state.OfflineKeyValueStore<?, ?> offline) {
                offline.openDetached();
            }
            stores.put(store.name(), store);
        }
        return stores;
    }

    /** One request, in input order, on the caller's thread; the link and subject stages follow on theirs. */
    public void process(RequestEvent event) {
        if (finished) {
            throw new IllegalStateException("The runner has finished");
        }
        offset++;
        long recordTimestamp = event.getEventTime() == null ? 0 : Math.max(0, event.getEventTime().toEpochMilli());
        long timestamp = timestamps.extract(event, recordTimestamp, partitionTime);
        partitionTime = Math.max(partitionTime, timestamp);
        Item item = new Item(event, partitionTime, timestamp, offset);
        sourceContext.at(partitionTime, config.requestsTopic(), offset);
        Headers headers = new RecordHeaders();
        try {
            forwarded.clear();
            triage.process(InternalFixedKeyRecordFactory.create(new Record<>(null, event, timestamp, headers)));
            Record<?, ?> out = forwarded.get(0);
            RequestTriage.Triaged triaged = (RequestTriage.Triaged) out.value();
            if (!triaged.valid()) {
                // The triage writes the reason into the record's headers, which Kafka copies into each new record.
                item.deadLetter(out.headers());
            } else {
                RequestEvent valid = triaged.event();
                boolean fresh = true;
                if (config.dedupWindow().toMillis() > 0) {
                    forwarded.clear();
                    dedup.process(InternalFixedKeyRecordFactory.create(new Record<>(null, valid, timestamp, headers)));
                    fresh = !forwarded.isEmpty();
                }
                if (fresh && (range == null || range.contains(valid.getEventTime().toEpochMilli()))) {
                    valid.setAccountId(accountIds.share(valid.getAccountId()));
                    item.links = RequestRouting.byLink(valid, config.promptBands(), config.listedProducts());
                    item.subjects = RequestRouting.bySubject(valid, orgs, null);
                }
            }
        } catch (RuntimeException e) {
            item.failed(headers, "source", e);
        }
        batch.add(item);
        if (batch.size() == BATCH) {
            hand(toLinks, batch);
            batch = new ArrayList<>(BATCH);
        }
    }

    /** Runs what is left through every stage and waits for it; the runner takes no more requests after. */
    public void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (!batch.isEmpty()) {
            hand(toLinks, batch);
        }
        hand(toLinks, END);
        try {
            linkStage.join();
            subjectStage.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while the offline stages finished", e);
        }
        if (crashed != null) {
            throw new IllegalStateException("An offline stage stopped: " + crashed, crashed);
        }
    }

    /** Kafka Streams' metrics of the run's processors (late-dropped, duplicates, dead-lettered, alerts). */
    public Map<MetricName, ? extends Metric> metrics() {
        return metrics.metrics();
    }

    @Override
    public void close() {
        if (!finished) {
            finished = true;
            linkStage.interrupt();
            subjectStage.interrupt();
        }
        metrics.close();
    }

    private void hand(BlockingQueue<List<Item>> queue, List<Item> items) {
        try {
            while (!queue.offer(items, 100, TimeUnit.MILLISECONDS)) {
                if (crashed != null) {
                    throw new IllegalStateException("An offline stage stopped: " + crashed, crashed);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while handing records to the next stage", e);
        }
    }

    private interface Stage {
        void run(List<Item> items);
    }

    private void stage(BlockingQueue<List<Item>> in, Stage work) {
        try {
            while (true) {
                List<Item> items = in.take();
                work.run(items);
                if (items == END) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            crashed = t;
        }
    }

    private void runLinks(List<Item> items) {
        for (Item item : items) {
            if (item.links == null || item.failure != null) {
                continue;
            }
            current = item;
            linkContext.at(item.streamTime, config.requestsTopic(), item.offset);
            try {
                for (KeyValue<String, LinkRequest> link : item.links) {
                    links.process(new Record<>(link.key, link.value, item.timestamp));
                }
                int made = item.linkOutputs.size();
                for (int i = 0; i < made; i++) {
                    if (item.linkOutputs.get(i).value() instanceof CampaignEdge edge) {
                        campaignContext.at(item.streamTime, config.requestsTopic(), item.offset);
                        campaigns.process(new Record<>(CampaignProcessor.KEY, edge, item.linkOutputs.get(i).timestamp()));
                    }
                }
            } catch (RuntimeException e) {
                item.failed(new RecordHeaders(), "link-risk", e);
            }
        }
        current = null;
        hand(toSubjects, items);
    }

    private void runSubjects(List<Item> items) {
        for (Item item : items) {
            subjectContext.at(item.streamTime, config.requestsTopic(), item.offset);
            try {
                for (Record<?, ?> forwarded : item.linkOutputs) {
                    if (forwarded.value() instanceof DistillationAlert alert) {
                        output.alert(alert);
                    } else if (forwarded.value() instanceof SubjectRequest implication) {
                        subjects.process(new Record<>((String) forwarded.key(), implication, forwarded.timestamp()));
                    }
                }
                if (item.failure == null && item.subjects != null) {
                    for (KeyValue<String, SubjectRequest> subject : item.subjects) {
                        subjects.process(new Record<>(subject.key, subject.value, item.timestamp));
                    }
                }
            } catch (RuntimeException e) {
                item.failed(new RecordHeaders(), "subject-risk", e);
            }
            if (item.deadLetterHeaders != null) {
                output.deadLetter(item.event, item.deadLetterHeaders);
            }
        }
    }

    private void subjectForward(Record<?, ?> record) {
        if (record.value() instanceof DistillationAlert alert) {
            output.alert(alert);
        }
    }

    /** One request on its way through the stages, with what each stage made of it. */
    private static final class Item {
        /** The request as the triage left it: what a dead letter carries, whichever stage refused it. */
        final RequestEvent event;
        final long streamTime;
        final long timestamp;
        final long offset;
        List<KeyValue<String, LinkRequest>> links;
        List<KeyValue<String, SubjectRequest>> subjects;
        final List<Record<?, ?>> linkOutputs = new ArrayList<>(0);
        /** Set when the request is a dead letter: why, in the dead-letter topic's headers. */
        Headers deadLetterHeaders;
        RuntimeException failure;

        Item(RequestEvent event, long streamTime, long timestamp, long offset) {
            this.event = event;
            this.streamTime = streamTime;
            this.timestamp = timestamp;
            this.offset = offset;
        }

        void deadLetter(Headers headers) {
            this.deadLetterHeaders = headers;
        }

        /** A processor threw: the request goes to the dead letters with the exception, as the service would send it. */
        void failed(Headers headers, String node, RuntimeException e) {
            failure = e;
            String message = String.valueOf(e.getMessage());
            headers.add(DeadLetterHeaders.REASON, bytes("processing failed at " + node + ": " + e.getClass().getSimpleName()
                    + ": " + message));
            headers.add(DeadLetterHeaders.STAGE, bytes("PROCESSING"));
            headers.add(DeadLetterHeaders.EXCEPTION, bytes(e.getClass().getName()));
            headers.add(DeadLetterHeaders.MESSAGE, bytes(message));
            deadLetter(headers);
        }

        private static byte[] bytes(String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
    }
}
