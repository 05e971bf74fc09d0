package io.distillguard.topology.repartition;

import io.distillguard.avro.RequestEvent;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;

/**
 * Re-keys requests for a repartition topic in batches: one record per target partition and commit, holding every
 * request and key bound for that partition, instead of one record per request and key.
 *
 * <p>Why: live, the detector's cost is Kafka's per-record work, not its logic. A request fans out to about eight
 * re-keyed records (six link groups, an account and an org), each produced, written by the broker, fetched and
 * deserialized again; the passthrough moves one record. A batch moves thousands of keys as one record.
 *
 * <p>What makes it safe: a batch is keyed by the first of its keys and partitioned by {@link KeyPartitioner} exactly
 * as Kafka would partition each key, so every key reaches the task that owns its windows, as before. What is held
 * is sent from the task's prepare-commit ({@link CommitHookStore}), before its offsets are committed, so under
 * exactly-once a batch is in the same transaction as its input, and a dirty close drops it along with the input's
 * offsets. The partition count is learned from the partitioner on the first send: until then each key goes alone.
 *
 * <p>Time: a batch's record timestamp is its oldest item's, so the far side's stream time never runs ahead of an item
 * it has not processed yet and nothing in a batch is judged late by its own batch-mates; each item keeps its own
 * timestamp. A batch spans at most {@code maxSpanMs} of event time (a replay of history covers minutes of it in one
 * commit interval), which bounds how far records from different upstream partitions can be reordered, as they
 * interleave batch by batch instead of record by record.
 */
public final class RequestBatcher<V, B> implements Processor<byte[], RequestEvent, String, B> {

    /**
     * A batch's size bound, half the producer's default request size (1 MiB): the bound counts 3 bytes a char, so a
     * batch of ASCII ids is about a third of it.
     */
    static final int MAX_BYTES = 512 * 1024;

    private final Function<RequestEvent, List<KeyValue<String, V>>> route;
    private final BatchCodec<V, B> codec;
    private final KeyPartitioner<B> partitioner;
    private final String hookStore;
    private final long maxSpanMs;
    private final int maxKeys;
    private InternalProcessorContext<String, B> context;
    private ProcessorNode<?, ?, ?, ?> node;
    private ProcessorRecordContext lastSource;
    private PartitionedBatches<V> batches;

    /**
     * @param route    the request's keys and the projection each carries (one projection object may serve many keys)
     * @param maxKeys  keys in one batch before it is sent without waiting for the commit (its bytes are bounded by
     *                 {@link #MAX_BYTES} too)
     */
    public RequestBatcher(Function<RequestEvent, List<KeyValue<String, V>>> route, BatchCodec<V, B> codec,
                          KeyPartitioner<B> partitioner, String hookStore, long maxSpanMs, int maxKeys) {
        this.route = route;
        this.codec = codec;
        this.partitioner = partitioner;
        this.hookStore = hookStore;
        this.maxSpanMs = maxSpanMs;
        this.maxKeys = maxKeys;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void init(ProcessorContext<String, B> context) {
        // Kafka's internal context: the commit-time send needs this processor's node set as the current one, as
        // Kafka's caching stores set theirs when they forward from the same hook.
        this.context = (InternalProcessorContext<String, B>) context;
        this.node = this.context.currentNode();
        CommitHookStore hook = context.getStateStore(hookStore);
        hook.register(this::sendBeforeCommit, this::drop);
    }

    @Override
    public void process(Record<byte[], RequestEvent> record) {
        List<KeyValue<String, V>> routed = route.apply(record.value());
        long timestamp = record.timestamp();
        int partitions = partitioner.known();
        if (partitions == 0) {
            for (KeyValue<String, V> keyed : routed) {
                send(new PartitionedBatches.Batch<>(keyed.key, timestamp,
                        List.of(new BatchCodec.Item<>(timestamp, List.of(keyed.key), keyed.value))));
            }
            return;
        }
        if (batches == null || batches.partitions() != partitions) {
            if (batches != null) {
                batches.sendAll();
            }
            batches = new PartitionedBatches<>(partitions, maxSpanMs, maxKeys, MAX_BYTES, codec::sizeBound, this::send);
        }
        lastSource = context.recordContext();
        for (KeyValue<String, V> keyed : routed) {
            batches.add(KeyPartitioner.partition(keyed.key, partitions), timestamp, keyed.key, keyed.value);
        }
    }

    private void sendBeforeCommit() {
        if (batches == null || batches.held() == 0) {
            return;
        }
        ProcessorNode<?, ?, ?, ?> previousNode = context.currentNode();
        ProcessorRecordContext previousRecord = context.recordContext();
        context.setCurrentNode(node);
        context.setRecordContext(lastSource);
        try {
            batches.sendAll();
        } finally {
            context.setRecordContext(previousRecord);
            context.setCurrentNode(previousNode);
        }
    }

    private void send(PartitionedBatches.Batch<V> batch) {
        context.forward(new Record<>(batch.key(), codec.batch(batch.items()), batch.timestamp(), new RecordHeaders()));
    }

    private void drop() {
        if (batches != null) {
            batches.clear();
        }
    }
}
