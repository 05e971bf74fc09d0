package io.distillguard.topology.intel;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.distillguard.avro.IndicatorKind;
import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.ThreatIndicator;
import io.distillguard.topology.DetectionConfig;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The partners' live indicators, indexed for a lookup per request: exact values by hash map, prefixes by the few
 * prefix lengths in use (one lookup per length, not a scan), prompt SimHashes by the pigeonhole principle (split
 * 64 bits into d+1 bands; two hashes within d bits agree exactly on at least one band, so only indicators sharing a
 * band are compared bit by bit).
 *
 * <p>Written by the global thread (the indicators topic), read by every stream thread: concurrent maps, each
 * indicator published whole. Kafka Streams replays a custom global store's topic through its processor on restore
 * (KAFKA-7663), so the index is rebuilt on every start from the compacted topic; it holds what that topic holds.
 *
 * <p>Validity is judged by the request's event time, not the wall clock, so a replay of last month's traffic
 * matches what was valid last month (including indicators shared since, if their valid_from says so).
 */
public final class ThreatIntelIndex {

    /** The indicator a request matched, and the value of the request it matched on (for the evidence). */
    public record Match(ThreatIndicator indicator, String matched) {
        /** KIND:value as the partner shared it, and what of the request matched when that differs. */
        public String describe() {
            String shared = indicator.getKind() + ":" + indicator.getValue();
            return matched.equals(indicator.getValue()) ? shared : shared + " (matched " + matched + ")";
        }
    }

    /** @param prefixLength the key in {@code prefixLengths} for a prefix, else -1 */
    private record Entry(String recordKey, ThreatIndicator indicator, String lookupKey, long simhash, int prefixLength) {
    }

    private final int maxDistance;
    private final IntelHmac hmac;
    private final Map<String, Entry> byRecord = new ConcurrentHashMap<>();
    private final Map<String, Set<Entry>> byValue = new ConcurrentHashMap<>();
    private final Map<String, Set<Entry>> simhashBands = new ConcurrentHashMap<>();
    // Prefix lengths in use, IPv4 as the length, IPv6 as 1000 + length, with how many indicators use each.
    private final Map<Integer, AtomicInteger> prefixLengths = new ConcurrentHashMap<>();
    private final Map<IndicatorKind, AtomicInteger> kinds = new ConcurrentHashMap<>();

    public ThreatIntelIndex(DetectionConfig.Intel config) {
        this.maxDistance = config.simhashMaxDistance();
        this.hmac = config.hmacKey() == null ? null : new IntelHmac(config.hmacKey());
    }

    /** Adds or replaces the indicator under {@code recordKey}; throws IllegalArgumentException if it is unusable. */
    public synchronized void put(String recordKey, ThreatIndicator indicator) {
        if (indicator.getConfidence() < 0 || indicator.getConfidence() > 100) {
            throw new IllegalArgumentException("confidence must be 0 to 100, got " + indicator.getConfidence());
        }
        if (indicator.getValidUntil() != null && !indicator.getValidUntil().isAfter(indicator.getValidFrom())) {
            throw new IllegalArgumentException("valid_until is not after valid_from");
        }
        if (indicator.getKind() == IndicatorKind.PAYMENT_FINGERPRINT_HASH && hmac == null) {
            throw new IllegalArgumentException("a payment fingerprint hash cannot match without " + DetectionConfig.INTEL_HMAC_KEY);
        }
        String canonical = IndicatorValues.canonical(indicator.getKind(), indicator.getValue());
        remove(recordKey);
        String lookupKey = indicator.getKind() + ":" + canonical;
        long simhash = indicator.getKind() == IndicatorKind.PROMPT_SIMHASH ? IndicatorValues.simhash(canonical) : 0;
        int prefixLength = indicator.getKind() == IndicatorKind.IP_PREFIX
                ? prefixLengthKey(IndicatorValues.prefix(canonical)) : -1;
        Entry entry = new Entry(recordKey, indicator, lookupKey, simhash, prefixLength);
        byRecord.put(recordKey, entry);
        if (indicator.getKind() == IndicatorKind.PROMPT_SIMHASH) {
            for (int band = 0; band <= maxDistance; band++) {
                simhashBands.computeIfAbsent(bandKey(band, simhash), k -> ConcurrentHashMap.newKeySet()).add(entry);
            }
        } else {
            byValue.computeIfAbsent(lookupKey, k -> ConcurrentHashMap.newKeySet()).add(entry);
        }
        if (prefixLength >= 0) {
            prefixLengths.computeIfAbsent(prefixLength, k -> new AtomicInteger()).incrementAndGet();
        }
        kinds.computeIfAbsent(indicator.getKind(), k -> new AtomicInteger()).incrementAndGet();
    }

    public synchronized void remove(String recordKey) {
        Entry entry = byRecord.remove(recordKey);
        if (entry == null) {
            return;
        }
        if (entry.indicator().getKind() == IndicatorKind.PROMPT_SIMHASH) {
            for (int band = 0; band <= maxDistance; band++) {
                removeFrom(simhashBands, bandKey(band, entry.simhash()), entry);
            }
        } else {
            removeFrom(byValue, entry.lookupKey(), entry);
        }
        if (entry.prefixLength() >= 0 && prefixLengths.get(entry.prefixLength()).decrementAndGet() == 0) {
            prefixLengths.remove(entry.prefixLength());
        }
        kinds.get(entry.indicator().getKind()).decrementAndGet();
    }

    public int size() {
        return byRecord.size();
    }

    /**
     * The strongest indicator live at {@code eventTime} that the request matches (highest confidence; the smallest
     * record key among equals, so that every run picks the same), or null.
     */
    public Match match(RequestEvent event, long eventTime) {
        if (byRecord.isEmpty()) {
            return null;
        }
        Best best = new Best(eventTime);
        String ip = event.getIp();
        if (ip != null) {
            best.consider(byValue.get("IP:" + ip), ip);
            if (!prefixLengths.isEmpty()) {
                IPAddress address = new IPAddressString(ip).getAddress();
                if (address != null) {
                    for (Integer key : prefixLengths.keySet()) {
                        boolean v6 = key >= 1000;
                        if (v6 == address.isIPv6()) {
                            String block = address.toPrefixBlock(v6 ? key - 1000 : key).toCanonicalString();
                            best.consider(byValue.get("IP_PREFIX:" + block), ip);
                        }
                    }
                }
            }
        }
        if (event.getAsn() != null && has(IndicatorKind.ASN)) {
            best.consider(byValue.get("ASN:" + Integer.toUnsignedLong(event.getAsn())), "AS" + Integer.toUnsignedLong(event.getAsn()));
        }
        if (hmac != null && event.getPaymentFingerprint() != null && has(IndicatorKind.PAYMENT_FINGERPRINT_HASH)) {
            // The request's own fingerprint never goes into the evidence: only the hash the partner shared.
            String hash = hmac.hex(event.getPaymentFingerprint());
            best.consider(byValue.get("PAYMENT_FINGERPRINT_HASH:" + hash), hash);
        }
        if (event.getUserAgent() != null && has(IndicatorKind.USER_AGENT)) {
            best.consider(byValue.get("USER_AGENT:" + event.getUserAgent().trim()), event.getUserAgent().trim());
        }
        if (event.getPromptSimhash() != null && has(IndicatorKind.PROMPT_SIMHASH)) {
            long simhash = event.getPromptSimhash();
            for (int band = 0; band <= maxDistance; band++) {
                Set<Entry> candidates = simhashBands.get(bandKey(band, simhash));
                if (candidates != null) {
                    for (Entry candidate : candidates) {
                        int distance = Long.bitCount(candidate.simhash() ^ simhash);
                        if (distance <= maxDistance) {
                            best.consider(candidate, java.util.HexFormat.of().toHexDigits(simhash) + " (" + distance + " bits off)");
                        }
                    }
                }
            }
        }
        return best.match;
    }

    private boolean has(IndicatorKind kind) {
        AtomicInteger count = kinds.get(kind);
        return count != null && count.get() > 0;
    }

    private String bandKey(int band, long simhash) {
        int bands = maxDistance + 1;
        int start = band * 64 / bands;
        int width = (band + 1) * 64 / bands - start;
        long bits = width == 64 ? simhash : (simhash >>> start) & ((1L << width) - 1);
        return band + ":" + bits;
    }

    private static int prefixLengthKey(IPAddress block) {
        return (block.isIPv6() ? 1000 : 0) + block.getNetworkPrefixLength();
    }

    private static void removeFrom(Map<String, Set<Entry>> map, String key, Entry entry) {
        map.computeIfPresent(key, (k, set) -> {
            set.remove(entry);
            return set.isEmpty() ? null : set;
        });
    }

    private static final class Best {
        private final long eventTime;
        Match match;
        private String key;

        Best(long eventTime) {
            this.eventTime = eventTime;
        }

        void consider(Set<Entry> entries, String matched) {
            if (entries != null) {
                for (Entry entry : entries) {
                    consider(entry, matched);
                }
            }
        }

        void consider(Entry entry, String matched) {
            ThreatIndicator indicator = entry.indicator();
            if (indicator.getValidFrom().toEpochMilli() > eventTime
                    || (indicator.getValidUntil() != null && indicator.getValidUntil().toEpochMilli() <= eventTime)) {
                return;
            }
            if (match == null || indicator.getConfidence() > match.indicator().getConfidence()
                    || (indicator.getConfidence() == match.indicator().getConfidence() && entry.recordKey().compareTo(key) < 0)) {
                match = new Match(indicator, matched);
                key = entry.recordKey();
            }
        }
    }
}
