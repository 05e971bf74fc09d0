package io.distillguard.topology.detect;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.SubjectType;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.state.IpRequest;
import io.distillguard.topology.state.IpWindowStats;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.kafka.streams.kstream.Windowed;

/**
 * IP_FAN_IN: distinct accounts seen on one client address in a window. Distinct accounts are an HLL sketch
 * (DataSketches), so an address with a million accounts costs the same few kilobytes as one with ten.
 */
public final class IpFanInDetector implements Detector<IpWindowStats> {

    public static final String NAME = "IP_FAN_IN";
    // lgK 12: about 1.6% relative error, at most ~2.6 KB per sketch (HLL_4), and exact while small (list mode).
    static final int LG_K = 12;

    private final DetectionConfig config;

    public IpFanInDetector(DetectionConfig config) {
        this.config = config;
    }

    public static IpWindowStats empty() {
        return new IpWindowStats(0L, ByteBuffer.allocate(0), new ArrayList<>(), 0L);
    }

    /** The part of a request this detector's windows need, which is all that crosses the repartition topic. */
    public static IpRequest project(RequestEvent request) {
        return new IpRequest(request.getEventTime().toEpochMilli(), request.getAccountId());
    }

    public IpWindowStats add(IpRequest request, IpWindowStats stats) {
        HllSketch sketch = sketchOf(stats);
        sketch.update(request.getAccountId());
        List<String> sample = stats.getSampleAccounts();
        if (sample.size() < config.maxAccountsPerAlert() && !sample.contains(request.getAccountId())) {
            sample.add(request.getAccountId());
        }
        stats.setAccountsSketch(ByteBuffer.wrap(sketch.toCompactByteArray()));
        stats.setRequests(stats.getRequests() + 1);
        stats.setLastEventTime(Math.max(stats.getLastEventTime(), request.getEventTime()));
        return stats;
    }

    public static long distinctAccounts(IpWindowStats stats) {
        return Math.round(sketchOf(stats).getEstimate());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SubjectType subjectType() {
        return SubjectType.IP;
    }

    @Override
    public double ratio(IpWindowStats stats) {
        return (double) distinctAccounts(stats) / config.ipDistinctAccountsThreshold();
    }

    @Override
    public DistillationAlert alert(Windowed<String> ip, IpWindowStats stats, double ratio) {
        long distinct = distinctAccounts(stats);
        List<Evidence> evidence = List.of(Alerts.evidence("distinct_accounts", distinct, config.ipDistinctAccountsThreshold()));
        List<String> accounts = new ArrayList<>(stats.getSampleAccounts());
        accounts.sort(null);
        return Alerts.alert(NAME, SubjectType.IP, ip.key(), ip.window().start(), ip.window().end(),
                stats.getLastEventTime(), ratio, accounts, (int) Math.max(distinct, accounts.size()), evidence,
                config.ruleVersion());
    }

    private static HllSketch sketchOf(IpWindowStats stats) {
        ByteBuffer bytes = stats.getAccountsSketch();
        if (bytes == null || !bytes.hasRemaining()) {
            return new HllSketch(LG_K, TgtHllType.HLL_4);
        }
        byte[] array = new byte[bytes.remaining()];
        bytes.duplicate().get(array);
        // heapify, not wrap: the compact form is read-only and the sketch is about to be updated.
        return HllSketch.heapify(array);
    }
}
