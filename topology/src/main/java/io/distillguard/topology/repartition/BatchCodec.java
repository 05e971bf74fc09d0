package io.distillguard.topology.repartition;

import io.distillguard.topology.state.LinkRequest;
import io.distillguard.topology.state.LinkRequestBatch;
import io.distillguard.topology.state.LinkRequestBatchItem;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.state.SubjectRequestBatch;
import io.distillguard.topology.state.SubjectRequestBatchItem;
import java.util.ArrayList;
import java.util.List;

/** Builds a batch record of requests and their keys, and reads one back, for one generated Avro batch type. */
public interface BatchCodec<V, B> {

    /** One request and its keys bound for one partition, with the request's record timestamp. */
    record Item<V>(long timestamp, List<String> keys, V request) {
    }

    B batch(List<Item<V>> items);

    /** At least the bytes the request takes in a batch's encoding. */
    int sizeBound(V request);

    List<Item<V>> items(B batch);

    BatchCodec<LinkRequest, LinkRequestBatch> LINKS = new BatchCodec<>() {
        private final RecordSizeBound bound = new RecordSizeBound(LinkRequest.getClassSchema());

        @Override
        public int sizeBound(LinkRequest request) {
            return bound.of(request);
        }

        @Override
        public LinkRequestBatch batch(List<Item<LinkRequest>> items) {
            List<LinkRequestBatchItem> out = new ArrayList<>(items.size());
            for (Item<LinkRequest> item : items) {
                out.add(new LinkRequestBatchItem(item.timestamp(), item.keys(), item.request()));
            }
            return new LinkRequestBatch(out);
        }

        @Override
        public List<Item<LinkRequest>> items(LinkRequestBatch batch) {
            List<Item<LinkRequest>> out = new ArrayList<>(batch.getItems().size());
            for (LinkRequestBatchItem item : batch.getItems()) {
                out.add(new Item<>(item.getTimestamp(), item.getKeys(), item.getRequest()));
            }
            return out;
        }
    };

    BatchCodec<SubjectRequest, SubjectRequestBatch> SUBJECTS = new BatchCodec<>() {
        private final RecordSizeBound bound = new RecordSizeBound(SubjectRequest.getClassSchema());

        @Override
        public int sizeBound(SubjectRequest request) {
            return bound.of(request);
        }

        @Override
        public SubjectRequestBatch batch(List<Item<SubjectRequest>> items) {
            List<SubjectRequestBatchItem> out = new ArrayList<>(items.size());
            for (Item<SubjectRequest> item : items) {
                out.add(new SubjectRequestBatchItem(item.timestamp(), item.keys(), item.request()));
            }
            return new SubjectRequestBatch(out);
        }

        @Override
        public List<Item<SubjectRequest>> items(SubjectRequestBatch batch) {
            List<Item<SubjectRequest>> out = new ArrayList<>(batch.getItems().size());
            for (SubjectRequestBatchItem item : batch.getItems()) {
                out.add(new Item<>(item.getTimestamp(), item.getKeys(), item.getRequest()));
            }
            return out;
        }
    };
}
