package io.distillguard.topology.validation;

import inet.ipaddr.AddressStringException;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.util.ArrayList;
import java.util.List;

/**
 * The egress networks of products that call the API from their own servers with each of their users' accounts (bring
 * your own key; routers that forward their users' keys), as the operator lists them. Such a product's users share its
 * system prompt and its servers' addresses and network by the thousand: those are the product's traits, not ties
 * between the accounts, so a request from one of these networks is not grouped by address, network or prompt.
 */
public final class HostedNetworks {

    public static final HostedNetworks NONE = new HostedNetworks(List.of(), "");

    private final List<IPAddress> networks;
    private final String text;

    private HostedNetworks(List<IPAddress> networks, String text) {
        this.networks = networks;
        this.text = text;
    }

    /**
     * Comma-separated networks in CIDR notation ({@code 203.0.113.0/28, 2001:db8::/48}); blank for none.
     *
     * @throws IllegalArgumentException naming the entry that is not a network
     */
    public static HostedNetworks parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        List<IPAddress> networks = new ArrayList<>();
        for (String entry : text.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                networks.add(new IPAddressString(trimmed).toAddress().toPrefixBlock());
            } catch (AddressStringException e) {
                throw new IllegalArgumentException("not a network in CIDR notation: '" + trimmed + "' (" + e.getMessage() + ")");
            }
        }
        return networks.isEmpty() ? NONE : new HostedNetworks(List.copyOf(networks), text.trim());
    }

    public boolean isEmpty() {
        return networks.isEmpty();
    }

    /** Whether {@code ip} (a validated request's address) is in one of the networks. */
    public boolean contains(String ip) {
        if (networks.isEmpty() || ip == null) {
            return false;
        }
        IPAddress address = new IPAddressString(ip).getAddress();
        if (address == null) {
            return false;
        }
        for (IPAddress network : networks) {
            if (network.contains(address)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
