package io.distillguard.topology.validation;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;

/** Parsing and normalisation of client addresses, so that one host always lands on one key. */
public final class IpAddresses {

    private IpAddresses() {
    }

    /**
     * The canonical text of a single host address, or null if {@code text} is not one. IPv4-mapped IPv6
     * ({@code ::ffff:203.0.113.7}) becomes the IPv4 address it carries, since gateways log the same client both ways.
     */
    public static String normalise(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) {
            return null;
        }
        IPAddress address = new IPAddressString(text.trim()).getAddress();
        if (address == null || address.isPrefixed() || address.isMultiple()) {
            return null;
        }
        if (address.isIPv6() && address.toIPv6().isIPv4Mapped()) {
            address = address.toIPv6().getEmbeddedIPv4Address();
        }
        return address.toCanonicalString();
    }

    /**
     * The network an address sits in, as text: its IPv4 /24 or IPv6 /48, the smallest blocks providers usually hand
     * one customer or one proxy pool. Expects a canonical address from {@link #normalise}; null for null.
     */
    public static String prefixOf(String canonical) {
        if (canonical == null) {
            return null;
        }
        int colon = canonical.indexOf(':');
        if (colon < 0) {
            int lastDot = canonical.lastIndexOf('.');
            return lastDot < 0 ? canonical : canonical.substring(0, lastDot) + ".0/24";
        }
        IPAddress address = new IPAddressString(canonical).getAddress();
        return address == null ? canonical : address.toPrefixBlock(48).toCanonicalString();
    }
}
