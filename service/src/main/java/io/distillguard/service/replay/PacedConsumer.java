package io.distillguard.service.replay;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka Streams' main consumer for a replay: a history partition's records are handed on only up to the replay's
 * event-time limit ({@link ReplayPacing#limit()}) and never from the partition's stop offset on; records fetched past
 * the limit wait here, and the partition is paused until they may go. Records of every other topic (the
 * repartition topics) pass untouched.
 *
 * <p>A dynamic proxy over the consumer interface rather than a class implementing its fifty methods: only polling,
 * pausing, resuming and the rebalance listener change; everything else is the consumer's own. The partitions Kafka
 * Streams pauses itself (a full task buffer) stay paused until it resumes them, whatever the pacing says; a partition
 * revoked from this instance forgets what it held (the next owner fetches it again from the committed offset), and
 * the offsets handed to Kafka Streams as next to consume stop at the first record held back, so a commit never passes
 * a record not yet processed.
 */
final class PacedConsumer implements InvocationHandler {

    private final Consumer<byte[], byte[]> delegate;
    private final ReplayPacing pacing;
    private final Map<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> held = new HashMap<>();
    private final Set<TopicPartition> pausedHere = new HashSet<>();
    private final Set<TopicPartition> pausedByStreams = new HashSet<>();
    private final Set<TopicPartition> stopped = new HashSet<>();

    private PacedConsumer(Consumer<byte[], byte[]> delegate, ReplayPacing pacing) {
        this.delegate = delegate;
        this.pacing = pacing;
    }

    @SuppressWarnings("unchecked")
    static Consumer<byte[], byte[]> wrap(Consumer<byte[], byte[]> delegate, ReplayPacing pacing) {
        return (Consumer<byte[], byte[]>) Proxy.newProxyInstance(PacedConsumer.class.getClassLoader(),
                new Class<?>[] {Consumer.class}, new PacedConsumer(delegate, pacing));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        int arity = args == null ? 0 : args.length;
        switch (method.getName()) {
            case "poll":
                if (arity == 1 && args[0] instanceof Duration timeout) {
                    return poll(timeout);
                }
                break;
            case "pause":
                pausedByStreams.addAll((Collection<TopicPartition>) args[0]);
                delegate.pause((Collection<TopicPartition>) args[0]);
                return null;
            case "resume": {
                Collection<TopicPartition> partitions = (Collection<TopicPartition>) args[0];
                pausedByStreams.removeAll(partitions);
                List<TopicPartition> free = new ArrayList<>(partitions);
                free.removeAll(pausedHere);
                delegate.resume(free);
                return null;
            }
            case "paused":
                return Set.copyOf(pausedByStreams);
            case "subscribe":
                if (arity == 2 && args[1] instanceof ConsumerRebalanceListener listener) {
                    args = new Object[] {args[0], forgetting(listener)};
                }
                break;
            default:
                break;
        }
        try {
            return method.invoke(delegate, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private ConsumerRebalanceListener forgetting(ConsumerRebalanceListener listener) {
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                forget(partitions);
                listener.onPartitionsRevoked(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                listener.onPartitionsAssigned(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                forget(partitions);
                listener.onPartitionsLost(partitions);
            }
        };
    }

    private void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            held.remove(tp);
            if (pacing.isSource(tp)) {
                pacing.revoked(tp.partition());
            }
            pausedHere.remove(tp);
            pausedByStreams.remove(tp);
            stopped.remove(tp);
        }
    }

    private ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        pacing.recompute();
        // Records held here that may go now are not worth waiting for the broker; records that must wait for other
        // partitions are, or the stream thread would spin.
        long before = pacing.limit();
        boolean releasable = held.entrySet().stream().anyMatch(e -> !e.getValue().isEmpty()
                && !pausedByStreams.contains(e.getKey())
                && (e.getValue().peek().timestamp() <= before || pacing.isSlowest(e.getKey().partition())));
        ConsumerRecords<byte[], byte[]> fetched = delegate.poll(releasable ? Duration.ZERO : timeout);
        pacing.recompute();
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> out = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>(fetched.nextOffsets());
        for (TopicPartition tp : fetched.partitions()) {
            if (!pacing.isSource(tp)) {
                out.put(tp, fetched.records(tp));
                continue;
            }
            long stop = pacing.stopOf(tp);
            ArrayDeque<ConsumerRecord<byte[], byte[]>> queue = held.computeIfAbsent(tp, k -> new ArrayDeque<>());
            for (ConsumerRecord<byte[], byte[]> record : fetched.records(tp)) {
                if (record.offset() >= stop) {
                    stopped.add(tp);
                    break;
                }
                queue.add(record);
            }
        }
        long limit = pacing.limit();
        for (Map.Entry<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> entry : held.entrySet()) {
            TopicPartition tp = entry.getKey();
            ArrayDeque<ConsumerRecord<byte[], byte[]>> queue = entry.getValue();
            List<ConsumerRecord<byte[], byte[]>> released = new ArrayList<>();
            // A partition Kafka Streams paused (its task's buffer is full) gets nothing until it is resumed, as the
            // consumer itself would give it nothing.
            boolean streamsWaits = pausedByStreams.contains(tp);
            while (!streamsWaits && !queue.isEmpty()
                    && (queue.peek().timestamp() <= limit || mayPassTheLimit(tp, released))) {
                ConsumerRecord<byte[], byte[]> record = queue.poll();
                released.add(record);
                pacing.handedOn(tp.partition(), record.offset(), record.timestamp());
            }
            if (!released.isEmpty()) {
                out.put(tp, released);
            }
            if (!queue.isEmpty()) {
                next.put(tp, new OffsetAndMetadata(queue.peek().offset(), Optional.empty(), ""));
            } else if (stopped.contains(tp)) {
                next.put(tp, new OffsetAndMetadata(pacing.stopOf(tp), Optional.empty(), ""));
                // Its last records may still wait in the task's buffer; they are within the limit, and a record that
                // never reaches the task (one that cannot be read goes to the dead-letter topic first) must not keep
                // the replay waiting for it.
                pacing.finished(tp.partition());
            } else if (!released.isEmpty()) {
                next.put(tp, new OffsetAndMetadata(released.get(released.size() - 1).offset() + 1, Optional.empty(), ""));
            }
            boolean hold = stopped.contains(tp) || !queue.isEmpty();
            if (hold && pausedHere.add(tp)) {
                delegate.pause(List.of(tp));
            } else if (!hold && pausedHere.remove(tp) && !pausedByStreams.contains(tp)) {
                delegate.resume(List.of(tp));
            }
        }
        return new ConsumerRecords<>(out, next);
    }

    /**
     * One record past the limit goes per poll when its partition is the slowest of the replay: its next record is
     * simply far ahead (a gap in its traffic), and holding it would hold the whole replay.
     */
    private boolean mayPassTheLimit(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> releasedNow) {
        return releasedNow.isEmpty() && pacing.isSlowest(tp.partition());
    }
}
