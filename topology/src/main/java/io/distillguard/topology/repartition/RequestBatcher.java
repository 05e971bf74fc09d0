package io.distillguard.topology.repartition;

import io.distillguard.avro.RequestEvent;
import io.distillguard.topology.state.Watermark;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntPredicate;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
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
 *
 * <p>Progress ({@link #withProgressMarks}): behind its batches, the task tells every partition how far its own input
 * partition has got in event time, so that a judgment on the far side can wait for the slowest input partition
 * instead of the fastest ({@link PartitionWatermarks}). A mark is sent when the task's stream time enters a new step,
 * and when the task goes idle (nothing to process for a while of wall-clock time, or nothing more to come: a
 * replay's partition at its end) or comes back: a few records per step and partition, whatever the rate.
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
    /** 0: no progress marks. */
    private long markStepMs;
    private Duration idleAfter;
    private IntPredicate finished = partition -> false;
    private int inputPartition;
    /** Wall-clock time of the last check that found records processed since the one before. */
    private long lastActive;
    private long streamTime = Long.MIN_VALUE;
    private long markedStep = Long.MIN_VALUE;
    private boolean markedIdle;
    private boolean processedSinceCheck;
    /** A request processed since the last mark said idle: the next commit says active again. */
    private boolean backFromIdle;

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

    /**
     * Sends progress marks (see above) whenever this task's stream time enters a new step of {@code stepMs}, and once
     * it has had nothing to process for {@code idleAfter} of wall-clock time (checked every second) or its input
     * partition is {@code finished}, which says it holds no one back until its next record. Only for a codec that
     * carries marks.
     */
    public RequestBatcher<V, B> withProgressMarks(long stepMs, Duration idleAfter, IntPredicate finished) {
        this.markStepMs = stepMs;
        this.idleAfter = idleAfter;
        this.finished = finished;
        return this;
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
        // A task revived after an aborted transaction starts again from its committed offsets: so do its marks.
        streamTime = Long.MIN_VALUE;
        markedStep = Long.MIN_VALUE;
        markedIdle = false;
        backFromIdle = false;
        if (markStepMs > 0) {
            inputPartition = context.taskId().partition();
            lastActive = context.currentSystemTimeMs();
            Duration check = idleAfter.compareTo(Duration.ofSeconds(1)) < 0 ? idleAfter : Duration.ofSeconds(1);
            context.schedule(check, PunctuationType.WALL_CLOCK_TIME, now -> {
                if (processedSinceCheck) {
                    lastActive = now;
                    processedSinceCheck = false;
                }
                if (!markedIdle && (finished.test(inputPartition) || now - lastActive >= idleAfter.toMillis())) {
                    markedIdle = true;
                    sendMark(true);
                }
            });
        }
    }

    @Override
    public void process(Record<byte[], RequestEvent> record) {
        List<KeyValue<String, V>> routed = route.apply(record.value());
        long timestamp = record.timestamp();
        streamTime = Math.max(streamTime, timestamp);
        processedSinceCheck = true;
        backFromIdle = markedIdle;
        lastSource = context.recordContext();
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
        for (KeyValue<String, V> keyed : routed) {
            batches.add(KeyPartitioner.partition(keyed.key, partitions), timestamp, keyed.key, keyed.value);
        }
    }

    private void sendBeforeCommit() {
        boolean held = batches != null && batches.held() > 0;
        long step = streamTime == Long.MIN_VALUE ? Long.MIN_VALUE
                : Math.floorDiv(streamTime, Math.max(1, markStepMs));
        boolean mark = markStepMs > 0 && streamTime != Long.MIN_VALUE && (step != markedStep || backFromIdle);
        boolean exhausted = markStepMs > 0 && streamTime != Long.MIN_VALUE && finished.test(inputPartition);
        if (!held && !mark && !(exhausted && !markedIdle)) {
            return;
        }
        ProcessorNode<?, ?, ?, ?> previousNode = context.currentNode();
        ProcessorRecordContext previousRecord = context.recordContext();
        context.setCurrentNode(node);
        context.setRecordContext(lastSource);
        try {
            if (held) {
                batches.sendAll();
            }
            if (mark) {
                // Behind the batches, on the same producer: a partition gets the mark after every request it covers.
                markedStep = step;
                markedIdle = false;
                backFromIdle = false;
                sendMark(false);
            }
            if (exhausted && !markedIdle) {
                // Its last request is in this commit: nothing more will come, so it holds no one back from now on.
                markedIdle = true;
                sendMark(true);
            }
        } finally {
            context.setRecordContext(previousRecord);
            context.setCurrentNode(previousNode);
        }
    }

    private void sendMark(boolean idle) {
        // No later than the batches it follows (a batch's timestamp is its oldest item's, at most a span behind):
        // a mark must not move the far side's stream time past records it has not processed.
        long timestamp = streamTime == Long.MIN_VALUE ? 0 : Math.max(0, streamTime - maxSpanMs);
        context.forward(new Record<>(KeyPartitioner.EVERY_PARTITION,
                codec.progress(new Watermark(inputPartition, streamTime, idle)), timestamp, new RecordHeaders()));
    }

    private void send(PartitionedBatches.Batch<V> batch) {
        context.forward(new Record<>(batch.key(), codec.batch(batch.items()), batch.timestamp(), new RecordHeaders()));
    }

    private void drop() {
        if (batches != null) {
            batches.clear();
        }
        markedStep = Long.MIN_VALUE;
    }
}
