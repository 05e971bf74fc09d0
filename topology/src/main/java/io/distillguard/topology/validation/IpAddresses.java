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
}
