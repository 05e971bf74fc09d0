package io.distillguard.topology.offline;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.detect.LinkRiskProcessor;
import io.distillguard.topology.detect.PromptBands;
import io.distillguard.topology.detect.RequestRouting;
import io.distillguard.topology.detect.SubjectRiskProcessor;
import io.distillguard.topology.intel.ThreatIntelIndex;
import io.distillguard.topology.state.CampaignEdge;
import io.distillguard.topology.state.LinkRequest;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.validation.ListedProducts;
import java.io.File;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Both detection paths of a valid request in one processor node, for graphs where one task owns every key (the
 * backtest on the test driver, the benchmarks): the link processor for each of the request's links, then the subject
 * processor for each of its subjects, with the link path's cluster implications handed to the subject processor the
 * moment they are made. That is the order the graph of one node per path gives by Kafka's depth-first forwarding, so
 * the alerts are the same, alert for alert (the backtest's tests compare this graph with the offline runner's).
 *
 * <p>Why: with one node per path, each request became nine re-keyed records, each passed through two or three nodes,
 * each pass a new record, headers and record context; that was a fifth of the test driver's time per request. Where
 * the paths are on different tasks (the service, a replay), each keyed record must cross a repartition topic, and the
 * graph keeps one node per path.
 *
 * <p>A request that makes either processor throw goes to the processing-exception handler whole (the dead letters),
 * and what is left of its work is skipped, as the offline runner does.
 */
public final class SingleTaskDetection implements Processor<byte[], RequestEvent, String, DistillationAlert> {

    private final Processor<String, LinkRequest, String, Object> links;
    private final Processor<String, CampaignEdge, String, Object> campaigns;
    private final Processor<String, SubjectRequest, String, DistillationAlert> subjects;
    private final boolean orgs;
    private final ThreatIntelIndex intel;
    private final PromptBands bands;
    private final ListedProducts listed;

    /**
     * The detection processors ({@link LinkRiskProcessor}, {@link CampaignProcessor}, {@link SubjectRiskProcessor});
     * tests give stand-ins.
     */
    public SingleTaskDetection(Processor<String, LinkRequest, String, Object> links,
                               Processor<String, CampaignEdge, String, Object> campaigns,
                               Processor<String, SubjectRequest, String, DistillationAlert> subjects, boolean orgs,
                               ThreatIntelIndex intel, PromptBands bands) {
        this(links, campaigns, subjects, orgs, intel, bands, ListedProducts.NONE);
    }

    public SingleTaskDetection(Processor<String, LinkRequest, String, Object> links,
                               Processor<String, CampaignEdge, String, Object> campaigns,
                               Processor<String, SubjectRequest, String, DistillationAlert> subjects, boolean orgs,
                               ThreatIntelIndex intel, PromptBands bands, ListedProducts listed) {
        this.bands = bands;
        this.listed = listed;
        this.links = links;
        this.campaigns = campaigns;
        this.subjects = subjects;
        this.orgs = orgs;
        this.intel = intel;
    }

    @Override
    public void init(ProcessorContext<String, DistillationAlert> context) {
        // The link path and the account graph forward alike: implications to the subjects, alerts out, the link
        // path's edges to the graph (which forwards none).
        Downstream<Object> detectors = new Downstream<>(context) {
            @Override
            public <K extends String, V> void forward(Record<K, V> record) {
                if (record.value() instanceof SubjectRequest implication) {
                    subjects.process(new Record<>(record.key(), implication, record.timestamp(), record.headers()));
                } else if (record.value() instanceof DistillationAlert alert) {
                    context.forward(record.withValue(alert));
                } else if (record.value() instanceof CampaignEdge edge) {
                    campaigns.process(new Record<>(record.key(), edge, record.timestamp(), record.headers()));
                }
            }
        };
        links.init(detectors);
        campaigns.init(detectors);
        subjects.init(new Downstream<>(context) {
            @Override
            public <K extends String, V extends DistillationAlert> void forward(Record<K, V> record) {
                context.forward(record);
            }
        });
    }

    @Override
    public void process(Record<byte[], RequestEvent> record) {
        RequestEvent event = record.value();
        long timestamp = record.timestamp();
        for (KeyValue<String, LinkRequest> link : RequestRouting.byLink(event, bands, listed)) {
            links.process(new Record<>(link.key, link.value, timestamp, record.headers()));
        }
        for (KeyValue<String, SubjectRequest> subject : RequestRouting.bySubject(event, orgs, intel)) {
            subjects.process(new Record<>(subject.key, subject.value, timestamp, record.headers()));
        }
    }

    @Override
    public void close() {
        links.close();
        campaigns.close();
        subjects.close();
    }

    /** The node's context as each inner processor sees it: the same task, stores and clock; only forward differs. */
    private abstract static class Downstream<V> implements ProcessorContext<String, V> {
        private final ProcessorContext<String, DistillationAlert> task;

        Downstream(ProcessorContext<String, DistillationAlert> task) {
            this.task = task;
        }

        @Override
        public <K extends String, W extends V> void forward(Record<K, W> record, String childName) {
            throw new UnsupportedOperationException("The detection processors forward to no named child");
        }

        @Override
        public String applicationId() {
            return task.applicationId();
        }

        @Override
        public TaskId taskId() {
            return task.taskId();
        }

        @Override
        public Optional<RecordMetadata> recordMetadata() {
            return task.recordMetadata();
        }

        @Override
        public Serde<?> keySerde() {
            return task.keySerde();
        }

        @Override
        public Serde<?> valueSerde() {
            return task.valueSerde();
        }

        @Override
        public File stateDir() {
            return task.stateDir();
        }

        @Override
        public StreamsMetrics metrics() {
            return task.metrics();
        }

        @Override
        public <S extends StateStore> S getStateStore(String name) {
            return task.getStateStore(name);
        }

        @Override
        public Cancellable schedule(Duration interval, PunctuationType type, Punctuator callback) {
            return task.schedule(interval, type, callback);
        }

        @Override
        public Cancellable schedule(java.time.Instant startTime, Duration interval, PunctuationType type,
                                    Punctuator callback) {
            return task.schedule(startTime, interval, type, callback);
        }

        @Override
        public void commit() {
            task.commit();
        }

        @Override
        public Map<String, Object> appConfigs() {
            return task.appConfigs();
        }

        @Override
        public Map<String, Object> appConfigsWithPrefix(String prefix) {
            return task.appConfigsWithPrefix(prefix);
        }

        @Override
        public long currentSystemTimeMs() {
            return task.currentSystemTimeMs();
        }

        @Override
        public long currentStreamTimeMs() {
            return task.currentStreamTimeMs();
        }
    }
}
