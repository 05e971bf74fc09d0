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
        String fast = canonicalIpv6Prefix48(canonical);
        return fast != null ? fast : prefix48WithLibrary(canonical);
    }

    static String prefix48WithLibrary(String canonical) {
        IPAddress address = new IPAddressString(canonical).getAddress();
        return address == null ? canonical : address.toPrefixBlock(48).toCanonicalString();
    }

    /**
     * The /48 of an address in RFC 5952 canonical text (lower-case hex groups without leading zeros, the longest run
     * of two or more zero groups as "::"), as the library would write it; null for any other text, which the library
     * takes. Read by hand because every request's address is read for its network twice (its link key and its
     * account's profile), and the library's parse and print of an IPv6 address took about 0.8 us of the 1.2 us a
     * request's link keys cost ({@code HotPathBenchmarks.ipv6Prefix}, {@code routeByLink}).
     */
    static String canonicalIpv6Prefix48(String text) {
        int length = text.length();
        if (length < 2 || length > 39) {
            return null;
        }
        int[] groups = new int[8];
        int head = 0;
        int tail = -1;
        int[] after = new int[8];
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= length; i++) {
            char c = i == length ? ':' : text.charAt(i);
            if (c == ':') {
                if (i + 1 < length && text.charAt(i + 1) == ':') {
                    // "::": the groups so far are the head, the rest the tail.
                    if (tail >= 0 || (digits == 0 && i != 0)) {
                        return null;
                    }
                    if (digits > 0) {
                        groups[head++] = value;
                    }
                    tail = 0;
                    value = 0;
                    digits = 0;
                    i++;
                    continue;
                }
                if (digits == 0) {
                    // An empty group is only the end of a trailing "::".
                    if (!(i == length && tail == 0 && text.endsWith("::"))) {
                        return null;
                    }
                    break;
                }
                if (tail >= 0) {
                    if (tail == 8) {
                        return null;
                    }
                    after[tail++] = value;
                } else {
                    if (head == 8) {
                        return null;
                    }
                    groups[head++] = value;
                }
                value = 0;
                digits = 0;
            } else {
                int hex = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
                if (hex < 0 || digits == 4 || (digits == 1 && value == 0)) {
                    return null;
                }
                value = value << 4 | hex;
                digits++;
            }
        }
        int total = head + Math.max(tail, 0);
        if (tail < 0 ? total != 8 : total > 6) {
            return null;
        }
        if (tail > 0) {
            System.arraycopy(after, 0, groups, 8 - tail, tail);
        }
        // Groups 3 to 7 of the /48 are zero, so its longest zero run ends the address and takes in the zero groups
        // just before it.
        int run = 3;
        while (run > 0 && groups[run - 1] == 0) {
            run--;
        }
        StringBuilder out = new StringBuilder(18);
        for (int g = 0; g < run; g++) {
            if (g > 0) {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[g]));
        }
        return out.append("::/48").toString();
    }
}
