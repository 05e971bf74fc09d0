package io.distillguard.service.intel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import io.distillguard.topology.intel.IntelHmac;
import io.distillguard.topology.validation.IpAddresses;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Indicators for partners, derived from our HIGH and CRITICAL alerts, as a STIX 2.1 bundle, without handing over
 * any customer's data:
 * <ul>
 *   <li>account ids are never exported (they mean nothing to another lab, and name one of our customers);</li>
 *   <li>payment fingerprints leave only as HMAC-SHA256 under the partner group's key
 *       ({@code PAYMENT_FINGERPRINT_HASH}); without a key they are left out;</li>
 *   <li>an address or prefix is exported in clear only when it served at least {@code k} accounts that were each
 *       flagged in at least two distinct alerts, so one customer's home or office address is never shared;</li>
 *   <li>a prompt template leaves as its 64-bit SimHash (a locality-sensitive hash: it cannot be turned back into
 *       the text).</li>
 * </ul>
 * Ids are name-based (UUID v5 of the producer and the pattern), so exporting again updates an indicator rather than
 * duplicating it; STIX asks for random (v4) UUIDs only as a SHOULD. Timestamps are UTC with milliseconds.
 */
public final class StixExport {

    /** Settings of one export. */
    public record Options(String producer, IntelHmac hmac, int minAccounts, Duration validFor, Instant now) {
    }

    /** What was exported and what was held back, for the summary line. */
    public record Result(ObjectNode bundle, int indicators, int heldBackBelowK, int paymentsWithoutKey) {
    }

    static final String PAYMENT_OBJECT = "x-distillguard-payment";
    static final String PROMPT_OBJECT = "x-distillguard-prompt";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STIX_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);
    private static final UUID NAMESPACE = UUID.fromString("6f2b2cf8-6a0f-4a4e-9d5c-0d7b1c4f3e21");

    private StixExport() {
    }

    public static Result export(List<DistillationAlert> alerts, Options options) {
        List<DistillationAlert> serious = alerts.stream()
                .filter(a -> a.getSeverity() == Severity.HIGH || a.getSeverity() == Severity.CRITICAL).toList();
        // Accounts flagged in at least two distinct alerts (an alert counted once whatever its tiers).
        Map<String, Set<String>> alertsPerAccount = new HashMap<>();
        for (DistillationAlert alert : serious) {
            for (String account : alert.getAccounts()) {
                alertsPerAccount.computeIfAbsent(account, a -> new HashSet<>()).add(alert.getAlertId());
            }
        }
        Map<String, Candidate> candidates = new TreeMap<>();
        int paymentsWithoutKey = 0;
        for (DistillationAlert alert : serious) {
            String[] link = link(alert);
            if (link == null) {
                continue;
            }
            String pattern;
            String name;
            switch (link[0]) {
                case "IP" -> {
                    String ip = IpAddresses.normalise(link[1]);
                    if (ip == null) {
                        continue;
                    }
                    pattern = "[" + (ip.contains(":") ? "ipv6-addr" : "ipv4-addr") + ":value = '" + ip + "']";
                    name = "Distillation traffic from " + ip;
                }
                case "IP_PREFIX" -> {
                    pattern = "[" + (link[1].contains(":") ? "ipv6-addr" : "ipv4-addr") + ":value ISSUBSET '" + link[1] + "']";
                    name = "Distillation traffic from " + link[1];
                }
                case "PAYMENT_FINGERPRINT" -> {
                    if (options.hmac() == null) {
                        paymentsWithoutKey++;
                        continue;
                    }
                    pattern = "[" + PAYMENT_OBJECT + ":fingerprint_hmac = '" + options.hmac().hex(link[1]) + "']";
                    name = "Payment instrument shared by a distillation campaign";
                }
                default -> {
                    continue;
                }
            }
            candidates.computeIfAbsent(pattern, p -> new Candidate(p, name, link[0])).add(alert);
        }
        for (DistillationAlert alert : serious) {
            for (Evidence evidence : alert.getEvidence()) {
                if (evidence.getSignal().startsWith("prompt_simhash:")) {
                    String hex = evidence.getSignal().substring("prompt_simhash:".length());
                    String pattern = "[" + PROMPT_OBJECT + ":simhash = '" + hex + "']";
                    candidates.computeIfAbsent(pattern, p -> new Candidate(p, "Prompt template of a distillation campaign",
                            "PROMPT_SIMHASH")).add(alert);
                }
            }
        }

        ArrayNode objects = JSON.createArrayNode();
        String identity = "identity--" + uuid("identity:" + options.producer());
        String now = time(options.now());
        objects.add(JSON.createObjectNode().put("type", "identity").put("spec_version", "2.1").put("id", identity)
                .put("created", now).put("modified", now).put("name", options.producer())
                .put("identity_class", "organization"));
        int exported = 0;
        int heldBack = 0;
        for (Candidate c : candidates.values()) {
            if (c.kind.equals("IP") || c.kind.equals("IP_PREFIX")) {
                long repeatedlyFlagged = c.accounts.stream()
                        .filter(a -> alertsPerAccount.getOrDefault(a, Set.of()).size() >= 2).count();
                if (repeatedlyFlagged < options.minAccounts()) {
                    heldBack++;
                    continue;
                }
            }
            Instant validFrom = c.firstSeen.truncatedTo(ChronoUnit.MILLIS);
            ObjectNode indicator = JSON.createObjectNode()
                    .put("type", "indicator").put("spec_version", "2.1")
                    .put("id", "indicator--" + uuid(options.producer() + "|" + c.pattern))
                    .put("created_by_ref", identity).put("created", now).put("modified", now)
                    .put("name", c.name)
                    .put("description", "Seen in " + c.alertIds.size() + " " + String.join("/", c.detectors)
                            + " alert(s) at " + c.maxSeverity + " by " + options.producer() + ", involving "
                            + c.accounts.size() + " account(s); rules " + String.join(", ", c.ruleVersions) + ".")
                    .put("pattern", c.pattern).put("pattern_type", "stix").put("pattern_version", "2.1")
                    .put("valid_from", time(validFrom))
                    .put("valid_until", time(validFrom.plus(options.validFor())))
                    .put("confidence", (int) Math.round(c.maxScore * 100));
            indicator.putArray("indicator_types").add("malicious-activity");
            indicator.putArray("labels").add("model-distillation");
            ArrayNode detectors = indicator.putArray("x_distillguard_detectors");
            c.detectors.forEach(detectors::add);
            objects.add(indicator);
            exported++;
        }
        ObjectNode bundle = JSON.createObjectNode().put("type", "bundle").put("id", "bundle--" + UUID.randomUUID());
        bundle.set("objects", objects);
        return new Result(bundle, exported, heldBack, paymentsWithoutKey);
    }

    /** The link an alert is about, as {KIND, value}, or null for alerts about accounts, orgs and keys. */
    private static String[] link(DistillationAlert alert) {
        SubjectType type = alert.getSubjectType();
        String id = alert.getSubjectId();
        if (type == SubjectType.ACCOUNT_CLUSTER) {
            int colon = id.indexOf(':');
            return colon < 0 ? null : new String[] {id.substring(0, colon), id.substring(colon + 1)};
        }
        return switch (type) {
            case IP, IP_PREFIX, PAYMENT_FINGERPRINT -> new String[] {type.name(), id};
            default -> null;
        };
    }

    static String time(Instant instant) {
        return STIX_TIME.format(instant);
    }

    static UUID uuid(String name) {
        // RFC 4122 version 5 (SHA-1, namespaced), as STIX's own deterministic ids are made.
        try {
            java.security.MessageDigest sha1 = java.security.MessageDigest.getInstance("SHA-1");
            sha1.update(toBytes(NAMESPACE));
            byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
            hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
            hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
            long msb = 0;
            long lsb = 0;
            for (int i = 0; i < 8; i++) {
                msb = (msb << 8) | (hash[i] & 0xff);
                lsb = (lsb << 8) | (hash[i + 8] & 0xff);
            }
            return new UUID(msb, lsb);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] toBytes(UUID uuid) {
        return java.nio.ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits()).array();
    }

    private static final class Candidate {
        final String pattern;
        final String name;
        final String kind;
        final Set<String> accounts = new TreeSet<>();
        final Set<String> alertIds = new TreeSet<>();
        final Set<String> detectors = new TreeSet<>();
        final Set<String> ruleVersions = new TreeSet<>();
        Instant firstSeen = Instant.MAX;
        double maxScore;
        Severity maxSeverity = Severity.LOW;

        Candidate(String pattern, String name, String kind) {
            this.pattern = pattern;
            this.name = name;
            this.kind = kind;
        }

        void add(DistillationAlert alert) {
            accounts.addAll(alert.getAccounts());
            alertIds.add(alert.getAlertId());
            detectors.add(alert.getDetector());
            ruleVersions.add(alert.getRuleVersion());
            if (alert.getTriggerEventTime().isBefore(firstSeen)) {
                firstSeen = alert.getTriggerEventTime();
            }
            maxScore = Math.max(maxScore, alert.getScore());
            if (alert.getSeverity().ordinal() > maxSeverity.ordinal()) {
                maxSeverity = alert.getSeverity();
            }
        }
    }

}
