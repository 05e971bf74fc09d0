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
        if (isCanonicalIpv4(text)) {
            return text;
        }
        return normaliseWithLibrary(text);
    }

    static String normaliseWithLibrary(String text) {
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
     * Whether {@code text} is already a canonical dotted-quad IPv4 address (four decimal parts 0-255, no leading
     * zeros, nothing else): nearly every address a gateway logs. Checked by hand because it is checked on every
     * request and the library's full parse (every IPv4 and IPv6 form, ranges, masks) was a sixth of the offline
     * source stage; any other text still goes to the library.
     */
    static boolean isCanonicalIpv4(String text) {
        int length = text.length();
        if (length < 7 || length > 15) {
            return false;
        }
        int parts = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= length; i++) {
            char c = i == length ? '.' : text.charAt(i);
            if (c == '.') {
                if (digits == 0 || value > 255) {
                    return false;
                }
                parts++;
                value = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                if (digits == 1 && value == 0) {
                    return false;
                }
                value = value * 10 + (c - '0');
                digits++;
                if (digits > 3) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return parts == 4;
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
