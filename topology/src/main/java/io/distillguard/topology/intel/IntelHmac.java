package io.distillguard.topology.intel;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed HMAC-SHA256 of a value, as lowercase hex: how payment fingerprints (and any other value that belongs to one
 * customer) leave a lab and are matched by its partners. Only holders of the partner group's key can compute or
 * test it, so an exported hash reveals nothing to anyone else, and a lab without the key cannot even tell whether
 * two exports name the same card.
 */
public final class IntelHmac {

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    // Mac is not thread-safe and costly to create; one per thread that matches (stream threads, the exporter).
    private final ThreadLocal<Mac> macs;

    public IntelHmac(String key) {
        if (key == null || key.length() < 16) {
            throw new IllegalArgumentException("the intel HMAC key must be at least 16 characters");
        }
        this.key = new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    public String hex(String value) {
        return HexFormat.of().formatHex(macs.get().doFinal(value.getBytes(StandardCharsets.UTF_8)));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "IntelHmac[key hidden]";
    }
}
