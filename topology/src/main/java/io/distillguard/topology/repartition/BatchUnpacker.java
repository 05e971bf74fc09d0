package io.distillguard.topology.repartition;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The far side of a batched repartition topic: each item's request once per key, with the item's own timestamp, in
 * the order the batcher took them, as the records the batch replaced would have arrived one by one.
 *
 * <p>Aligned by event time ({@link EventTimeAlignment}): an item more than {@code slackMs} ahead of the slowest
 * input partition waits in a store ({@code heldStore}, changelogged, so a crash keeps it) until every partition has
 * caught up with it, then goes on in event-time order. Each request carries the aligned time in a header
 * ({@link #ALIGNED_TIME_HEADER}), which the detectors judge lateness by instead of the task's stream time. Live,
 * partitions keep within a commit interval of each other and nothing waits; after an outage, the partitions with
 * less backlog wait for the others instead of closing their windows.
 */
public final class BatchUnpacker<V, B> implements Processor<String, B, String, V> {

    public static final String ALIGNED_TIME_HEADER = "distillguard.aligned-time";
    /** A partition silent for this long (wall clock) no longer holds back the others. */
    static final long IDLE_MS = 30_000;
    private static final int TIME_DIGITS = 19;

    private final BatchCodec<V, B> codec;
    private final String heldStore;
    private final long slackMs;
    private ProcessorContext<String, V> context;
    private KeyValueStore<String, B> held;
    private EventTimeAlignment alignment;
    private long sequence;

    /** Without alignment: every item goes on at once. */
    public BatchUnpacker(BatchCodec<V, B> codec) {
        this(codec, null, 0);
    }

    /**
     * @param heldStore where items ahead of the slowest partition wait
     * @param slackMs   how far ahead of the slowest partition an item may be and still go on at once
     */
    public BatchUnpacker(BatchCodec<V, B> codec, String heldStore, long slackMs) {
        this.codec = codec;
        this.heldStore = heldStore;
        this.slackMs = slackMs;
    }

    @Override
    public void init(ProcessorContext<String, V> context) {
        this.context = context;
        // A task revived after an aborted transaction starts over: the sources report again within a commit.
        this.alignment = new EventTimeAlignment(IDLE_MS, context.currentSystemTimeMs());
        this.sequence = 0;
        if (heldStore != null) {
            held = context.getStateStore(heldStore);
            // A quiet partition stops holding back the others by wall clock, with no batch to notice it by.
            context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::release);
        }
    }

    @Override
    public void process(Record<String, B> record) {
        B batch = record.value();
        if (batch == null) {
            return;
        }
        long wall = context.currentSystemTimeMs();
        alignment.observe(codec.source(batch), wall);
        long aligned = alignment.aligned(wall);
        if (held == null) {
            for (BatchCodec.Item<V> item : codec.items(batch)) {
                forward(item, null);
            }
            return;
        }
        if (aligned == EventTimeAlignment.OFF) {
            // No sender has named its source yet (each task's first request goes alone, before the batcher knows
            // the partition count): judged late by nothing rather than by a stream time another partition set.
            for (BatchCodec.Item<V> item : codec.items(batch)) {
                forward(item, Long.MIN_VALUE);
            }
            return;
        }
        release(wall);
        long bound = bound(aligned);
        List<BatchCodec.Item<V>> ahead = new ArrayList<>();
        for (BatchCodec.Item<V> item : codec.items(batch)) {
            if (item.timestamp() <= bound) {
                forward(item, aligned);
            } else {
                ahead.add(item);
            }
        }
        if (!ahead.isEmpty()) {
            hold(ahead);
        }
    }

    private long bound(long aligned) {
        if (aligned == EventTimeAlignment.UNKNOWN) {
            return Long.MIN_VALUE;
        }
        return aligned > Long.MAX_VALUE - slackMs ? Long.MAX_VALUE : aligned + slackMs;
    }

    /**
     * Holds what of a batch is ahead, as one record under its oldest item's time: one store write a batch, not one a
     * request (per request, a catch-up ran at a third of its speed). Released together once the oldest is due, its
     * items are out of event-time order by at most a batch's span, as batches already are.
     */
    private void hold(List<BatchCodec.Item<V>> items) {
        long oldest = Long.MAX_VALUE;
        for (BatchCodec.Item<V> item : items) {
            oldest = Math.min(oldest, item.timestamp());
        }
        // Keys sort by event time, then by arrival; unique with the wall clock and a sequence.
        String key = pad(oldest) + '|' + pad(context.currentSystemTimeMs()) + '|' + pad(sequence++);
        held.put(key, codec.batch(items));
    }

    /** Sends on, in event-time order, every held item the aligned time has caught up with. */
    private void release(long wall) {
        long aligned = alignment.aligned(wall);
        if (aligned == EventTimeAlignment.UNKNOWN || aligned == EventTimeAlignment.OFF) {
            return;
        }
        long bound = bound(aligned);
        List<KeyValue<String, B>> due = new ArrayList<>();
        try (KeyValueIterator<String, B> it = held.range(pad(0), pad(bound) + '~')) {
            while (it.hasNext()) {
                due.add(it.next());
            }
        }
        for (KeyValue<String, B> entry : due) {
            held.delete(entry.key);
            for (BatchCodec.Item<V> item : codec.items(entry.value)) {
                forward(item, aligned);
            }
        }
    }

    private void forward(BatchCodec.Item<V> item, Long aligned) {
        for (String key : item.keys()) {
            RecordHeaders headers = new RecordHeaders();
            if (aligned != null) {
                headers.add(ALIGNED_TIME_HEADER, ByteBuffer.allocate(Long.BYTES).putLong(aligned).array());
            }
            context.forward(new Record<>(key, item.request(), item.timestamp(), headers));
        }
    }

    /** The aligned time a request was sent on with, or {@code fallback} when it carries none. */
    public static long alignedTime(Record<?, ?> record, long fallback) {
        Header header = record.headers().lastHeader(ALIGNED_TIME_HEADER);
        return header == null ? fallback : ByteBuffer.wrap(header.value()).getLong();
    }

    private static String pad(long time) {
        String digits = Long.toString(Math.max(0, time));
        return "0".repeat(Math.max(0, TIME_DIGITS - digits.length())) + digits;
    }
}
