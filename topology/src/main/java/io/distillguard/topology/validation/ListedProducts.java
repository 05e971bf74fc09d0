package io.distillguard.topology.validation;

import io.distillguard.avro.RequestEvent;

/**
 * What the operator lists as known products and tools, whose shared traits are not ties between their customers'
 * accounts: the egress networks of products that call with their users' own accounts, and the system prompts of
 * tools that many unrelated customers run.
 */
public record ListedProducts(HostedNetworks networks, KnownTemplates templates) {

    public static final ListedProducts NONE = new ListedProducts(HostedNetworks.NONE, KnownTemplates.NONE);

    /** Whether the request came through a listed product's egress. */
    public boolean throughProduct(RequestEvent event) {
        return networks.contains(event.getIp());
    }

    /** Whether the request's prompt is mostly a listed tool's template. */
    public boolean knownTemplate(RequestEvent event) {
        if (templates.isEmpty()) {
            return false;
        }
        return templates.matches(event.getPromptSimhash(),
                event.getPromptMinhash() == null ? null : event.getPromptMinhash().bytes());
    }
}
