package io.distillguard.topology.intel;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.distillguard.avro.IndicatorKind;
import io.distillguard.topology.validation.IpAddresses;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The canonical text of an indicator's value, so that a partner's "203.000.113.7", "AS64500" or upper-case hex
 * matches what our requests carry. Throws {@link IllegalArgumentException} saying what is wrong with a value.
 */
public final class IndicatorValues {

    private IndicatorValues() {
    }

    public static String canonical(IndicatorKind kind, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("empty value");
        }
        String v = value.trim();
        return switch (kind) {
            case IP -> {
                String ip = IpAddresses.normalise(v);
                if (ip == null) {
                    throw new IllegalArgumentException("not a single IPv4 or IPv6 address: " + value);
                }
                yield ip;
            }
            case IP_PREFIX -> prefix(v).toCanonicalString();
            case ASN -> {
                String digits = v.toUpperCase(Locale.ROOT).startsWith("AS") ? v.substring(2) : v;
                try {
                    long asn = Long.parseLong(digits);
                    if (asn < 0 || asn > 4_294_967_295L) {
                        throw new NumberFormatException();
                    }
                    yield Long.toString(asn);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not an AS number: " + value);
                }
            }
            case PAYMENT_FINGERPRINT_HASH -> {
                String hex = v.toLowerCase(Locale.ROOT);
                if (hex.length() != 64 || !HexFormat.isHexDigit(hex.charAt(0)) || !hex.chars().allMatch(HexFormat::isHexDigit)) {
                    throw new IllegalArgumentException("not a 64-digit hex HMAC-SHA256: " + value);
                }
                yield hex;
            }
            case PROMPT_SIMHASH -> HexFormat.of().toHexDigits(simhash(v));
            case USER_AGENT -> {
                if (v.length() > 512) {
                    throw new IllegalArgumentException("user agent longer than 512 characters");
                }
                yield v;
            }
            case UNKNOWN -> throw new IllegalArgumentException("unknown indicator kind (written with a newer schema?)");
        };
    }

    /** A CIDR block with its host bits zero; a single address is not a prefix (use IP). */
    static IPAddress prefix(String text) {
        IPAddress block = new IPAddressString(text).getAddress();
        if (block == null || !block.isPrefixed()) {
            throw new IllegalArgumentException("not a CIDR prefix such as 203.0.113.0/24 or 2001:db8::/48: " + text);
        }
        int bits = block.getNetworkPrefixLength();
        if (bits < (block.isIPv4() ? 8 : 16)) {
            // Wider blocks hold whole providers' customers; sharing them would flag bystanders.
            throw new IllegalArgumentException("prefix wider than /" + (block.isIPv4() ? 8 : 16) + ": " + text);
        }
        return block.toPrefixBlock();
    }

    /** 16 hex digits (optionally 0x-prefixed), or a signed decimal long. */
    static long simhash(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("0x")) {
                t = t.substring(2);
            }
            if (t.length() == 16 && t.chars().allMatch(HexFormat::isHexDigit)) {
                return HexFormat.fromHexDigitsToLong(t);
            }
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a 64-bit SimHash (16 hex digits): " + text);
        }
    }
}
