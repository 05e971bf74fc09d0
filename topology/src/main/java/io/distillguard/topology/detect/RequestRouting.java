package io.distillguard.topology.detect;

import io.distillguard.avro.RequestEvent;
import io.distillguard.avro.SubjectType;
import io.distillguard.topology.intel.ThreatIntelIndex;
import io.distillguard.topology.state.LinkRequest;
import io.distillguard.topology.state.SubjectRequest;
import io.distillguard.topology.validation.IpAddresses;
import io.distillguard.topology.validation.ListedProducts;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;

/**
 * The two re-keys of a valid request: one record per subject (account, org) for the subject path and one per shared
 * attribute for the link path. An API key has no record of its own: its windows are kept with its account's
 * ({@link SubjectRiskProcessor}), so the key rides on the account's record. The live topology's flatMaps and the offline runner both call these, so
 * both key and project requests the same way.
 */
public final class RequestRouting {

    private RequestRouting() {
    }

    /**
     * @param intel the partner indicators to match, or null; a match annotates the projection every subject shares
     */
    public static List<KeyValue<String, SubjectRequest>> bySubject(RequestEvent event, boolean orgs,
                                                                    ThreatIntelIndex intel) {
        SubjectRequest projection = SubjectProfile.project(event);
        ThreatIntelIndex.Match match = intel == null ? null : intel.match(event, event.getEventTime().toEpochMilli());
        if (match != null) {
            projection.setIntelIndicator(match.describe());
            projection.setIntelSource(match.indicator().getSource());
            projection.setIntelConfidence(match.indicator().getConfidence());
        }
        List<KeyValue<String, SubjectRequest>> out = new ArrayList<>(2);
        out.add(KeyValue.pair(Subjects.key(SubjectType.ACCOUNT, event.getAccountId()), projection));
        if (orgs && event.getOrgId() != null && !event.getOrgId().isBlank()) {
            out.add(KeyValue.pair(Subjects.key(SubjectType.ORG, event.getOrgId()), projection));
        }
        return out;
    }

    /** @param bands the prompt bands it is grouped under ({@code detector.template-tables} and its kin) */
    public static List<KeyValue<String, LinkRequest>> byLink(RequestEvent event, PromptBands bands) {
        return byLink(event, bands, ListedProducts.NONE);
    }

    /**
     * @param listed the operator's known products ({@code detector.hosted-product-networks}: a request from one is
     *               grouped only by its card and signup cohort; {@code detector.known-templates-file}: a request whose
     *               prompt is mostly a listed template is not grouped by its prompt)
     */
    public static List<KeyValue<String, LinkRequest>> byLink(RequestEvent event, PromptBands bands,
                                                             ListedProducts listed) {
        String prefix = IpAddresses.prefixOf(event.getIp());
        LinkRequest projection = LinkRiskProcessor.project(event, prefix);
        List<String> links = LinkRiskProcessor.linkKeys(event, prefix, bands, listed);
        List<KeyValue<String, LinkRequest>> out = new ArrayList<>(links.size());
        for (String link : links) {
            out.add(KeyValue.pair(link, projection));
        }
        return out;
    }
}
