package io.distillguard.topology.repartition;

import io.distillguard.topology.state.LinkRequest;
import io.distillguard.topology.state.LinkRequestBatch;
import io.distillguard.topology.state.LinkRequestBatchItem;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.state.SubjectRequestBatch;
import io.distillguard.topology.state.SubjectRequestBatchItem;
import io.distillguard.topology.state.Watermark;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/** Builds a batch record of requests and their keys, and reads one back, for one generated Avro batch type. */
public interface BatchCodec<V, B> {

    /** One request and its keys bound for one partition, with the request's record timestamp. */
    record Item<V>(long timestamp, List<String> keys, V request) {
    }

    B batch(List<Item<V>> items);

    List<Item<V>> items(B batch);

    /** At least the bytes the request takes in a batch's encoding. */
    int sizeBound(V request);

    /** A batch of no items that carries an upstream partition's progress; only the link batches carry it. */
    default B progress(Watermark mark) {
        throw new UnsupportedOperationException("These batches carry no progress marks");
    }

    /** The progress mark a batch carries, or null. */
    default Watermark progressOf(B batch) {
        return null;
    }

    /** What the far side hands on for a progress mark, behind the requests that came before it. */
    default V progressRecord(Watermark mark) {
        throw new UnsupportedOperationException("These batches carry no progress marks");
    }

    BatchCodec<LinkRequest, LinkRequestBatch> LINKS = new Generated<>(LinkRequest.getClassSchema(),
            LinkRequestBatchItem::new, items -> new LinkRequestBatch(items, null), LinkRequestBatch::getItems,
            LinkRequestBatchItem::getTimestamp, LinkRequestBatchItem::getKeys, LinkRequestBatchItem::getRequest) {
        @Override
        public LinkRequestBatch progress(Watermark mark) {
            return new LinkRequestBatch(List.of(), mark);
        }

        @Override
        public Watermark progressOf(LinkRequestBatch batch) {
            return batch.getWatermark();
        }

        @Override
        public LinkRequest progressRecord(Watermark mark) {
            return LinkRequest.newBuilder().setEventTime(mark.getTime()).setAccountId("").setWatermark(mark).build();
        }
    };

    BatchCodec<SubjectRequest, SubjectRequestBatch> SUBJECTS = new Generated<>(SubjectRequest.getClassSchema(),
            SubjectRequestBatchItem::new, SubjectRequestBatch::new, SubjectRequestBatch::getItems,
            SubjectRequestBatchItem::getTimestamp, SubjectRequestBatchItem::getKeys, SubjectRequestBatchItem::getRequest);

    /** The generated batch and item classes of one request type, through their constructors and getters. */
    class Generated<V extends SpecificRecord, I, B> implements BatchCodec<V, B> {

        interface ItemConstructor<V, I> {
            I create(Long timestamp, List<String> keys, V request);
        }

        private final RecordSizeBound bound;
        private final ItemConstructor<V, I> item;
        private final Function<List<I>, B> batch;
        private final Function<B, List<I>> itemsOf;
        private final ToLongFunction<I> timestamp;
        private final Function<I, List<String>> keys;
        private final Function<I, V> request;

        Generated(Schema requestSchema, ItemConstructor<V, I> item, Function<List<I>, B> batch,
                  Function<B, List<I>> itemsOf, ToLongFunction<I> timestamp, Function<I, List<String>> keys,
                  Function<I, V> request) {
            this.bound = new RecordSizeBound(requestSchema);
            this.item = item;
            this.batch = batch;
            this.itemsOf = itemsOf;
            this.timestamp = timestamp;
            this.keys = keys;
            this.request = request;
        }

        @Override
        public B batch(List<Item<V>> items) {
            List<I> out = new ArrayList<>(items.size());
            for (Item<V> each : items) {
                out.add(item.create(each.timestamp(), each.keys(), each.request()));
            }
            return batch.apply(out);
        }

        @Override
        public List<Item<V>> items(B batch) {
            List<I> in = itemsOf.apply(batch);
            List<Item<V>> out = new ArrayList<>(in.size());
            for (I each : in) {
                out.add(new Item<>(timestamp.applyAsLong(each), keys.apply(each), request.apply(each)));
            }
            return out;
        }

        @Override
        public int sizeBound(V request) {
            return bound.of(request);
        }
    }
}
