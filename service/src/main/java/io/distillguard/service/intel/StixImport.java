package io.distillguard.service.intel;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.avro.IndicatorKind;
import io.distillguard.avro.ThreatIndicator;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * STIX 2.1 indicator objects into {@link ThreatIndicator} records: the patterns {@link StixExport} writes and the
 * common single-comparison ones for addresses, networks, AS numbers and user agents. An indicator whose pattern
 * is anything else (boolean combinations, other object types) is skipped with its id and the reason; a revoked
 * one becomes a tombstone, so it stops matching everywhere.
 */
public final class StixImport {

    /** One indicator to publish under {@code id}: a record, or null to retract it. */
    public record Entry(String id, ThreatIndicator indicator) {
    }

    /** What a bundle turned into. */
    public record Result(List<Entry> entries, List<String> skipped) {
    }

    private record Form(Pattern pattern, IndicatorKind kind) {
    }

    private static final List<Form> FORMS = List.of(
            new Form(Pattern.compile("\\[ipv[46]-addr:value\\s*=\\s*'([^']+)'\\]"), IndicatorKind.IP),
            new Form(Pattern.compile("\\[ipv[46]-addr:value\\s+ISSUBSET\\s+'([^']+)'\\]"), IndicatorKind.IP_PREFIX),
            new Form(Pattern.compile("\\[autonomous-system:number\\s*=\\s*(\\d+)\\]"), IndicatorKind.ASN),
            new Form(Pattern.compile("\\[" + StixExport.PAYMENT_OBJECT + ":fingerprint_hmac\\s*=\\s*'([0-9a-fA-F]{64})'\\]"),
                    IndicatorKind.PAYMENT_FINGERPRINT_HASH),
            new Form(Pattern.compile("\\[" + StixExport.PROMPT_OBJECT + ":simhash\\s*=\\s*'([0-9a-fA-F]{16})'\\]"),
                    IndicatorKind.PROMPT_SIMHASH),
            new Form(Pattern.compile("\\[network-traffic:extensions\\.'http-request-ext'\\.request_header\\.'User-Agent'"
                    + "\\s*=\\s*'((?:[^'\\\\]|\\\\.)*)'\\]"), IndicatorKind.USER_AGENT));

    /** Confidence when a partner's indicator states none: STIX leaves it open; the middle of the scale. */
    static final int DEFAULT_CONFIDENCE = 50;

    private StixImport() {
    }

    /** @param source the partner's name for every indicator; null to take the creating identity's name */
    public static Result read(JsonNode bundle, String source) {
        if (!"bundle".equals(bundle.path("type").asText())) {
            throw new IllegalArgumentException("not a STIX bundle (type is '" + bundle.path("type").asText() + "')");
        }
        Map<String, String> identities = new HashMap<>();
        for (JsonNode object : bundle.path("objects")) {
            if ("identity".equals(object.path("type").asText())) {
                identities.put(object.path("id").asText(), object.path("name").asText());
            }
        }
        List<Entry> entries = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (JsonNode object : bundle.path("objects")) {
            if (!"indicator".equals(object.path("type").asText())) {
                continue;
            }
            String id = object.path("id").asText();
            if (object.path("revoked").asBoolean(false)) {
                entries.add(new Entry(id, null));
                continue;
            }
            try {
                entries.add(new Entry(id, indicator(object, source != null ? source
                        : identities.getOrDefault(object.path("created_by_ref").asText(), "unknown"))));
            } catch (IllegalArgumentException | DateTimeParseException e) {
                skipped.add(id + ": " + e.getMessage());
            }
        }
        return new Result(entries, skipped);
    }

    private static ThreatIndicator indicator(JsonNode object, String source) {
        if (!"stix".equals(object.path("pattern_type").asText())) {
            throw new IllegalArgumentException("pattern_type " + object.path("pattern_type").asText() + " is not stix");
        }
        String pattern = object.path("pattern").asText().trim();
        for (Form form : FORMS) {
            Matcher m = form.pattern().matcher(pattern);
            if (m.matches()) {
                String value = form.kind() == IndicatorKind.USER_AGENT
                        ? m.group(1).replace("\\'", "'").replace("\\\\", "\\") : m.group(1);
                if (form.kind() == IndicatorKind.IP && value.contains("/")) {
                    // '= 203.0.113.0/24' is a network in STIX too.
                    return build(object, IndicatorKind.IP_PREFIX, value, source);
                }
                return build(object, form.kind(), value, source);
            }
        }
        throw new IllegalArgumentException("pattern not supported: " + pattern);
    }

    private static ThreatIndicator build(JsonNode object, IndicatorKind kind, String value, String source) {
        if (!object.hasNonNull("valid_from")) {
            throw new IllegalArgumentException("no valid_from");
        }
        Instant validFrom = Instant.parse(object.path("valid_from").asText());
        int confidence = object.hasNonNull("confidence") ? object.path("confidence").asInt() : DEFAULT_CONFIDENCE;
        return ThreatIndicator.newBuilder()
                .setKind(kind)
                .setValue(value)
                .setConfidence(confidence)
                .setSource(source)
                .setValidFrom(validFrom)
                .setValidUntil(object.hasNonNull("valid_until") ? Instant.parse(object.path("valid_until").asText()) : null)
                .setFirstSeen(object.hasNonNull("created") ? Instant.parse(object.path("created").asText()) : validFrom)
                .setDescription(object.hasNonNull("description") ? object.path("description").asText() : null)
                .build();
    }
}
