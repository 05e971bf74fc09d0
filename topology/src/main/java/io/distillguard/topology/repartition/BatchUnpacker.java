package io.distillguard.topology.repartition;

import io.distillguard.topology.state.Watermark;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The far side of a batched repartition topic: each item's request once per key, with the item's own timestamp, in
 * the order the batcher took them, as the records the batch replaced would have arrived one by one; a batch's
 * progress mark last, keyed {@link #PROGRESS}, behind them.
 */
public final class BatchUnpacker<V, B> implements Processor<String, B, String, V> {

    /** The key of the record that hands on a progress mark. */
    public static final String PROGRESS = "~progress";

    private final BatchCodec<V, B> codec;
    private ProcessorContext<String, V> context;

    public BatchUnpacker(BatchCodec<V, B> codec) {
        this.codec = codec;
    }

    @Override
    public void init(ProcessorContext<String, V> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, B> record) {
        for (BatchCodec.Item<V> item : codec.items(record.value())) {
            for (String key : item.keys()) {
                context.forward(new Record<>(key, item.request(), item.timestamp(), record.headers()));
            }
        }
        Watermark mark = codec.progressOf(record.value());
        if (mark != null) {
            context.forward(new Record<>(PROGRESS, codec.progressRecord(mark), record.timestamp(), record.headers()));
        }
    }
}
