package io.distillguard.topology.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class IpAddressesTest {

    @Test
    void shouldTakeTheFastPathOnlyForTextTheLibraryKeepsAsItIs() {
        Random random = new Random(5);
        String[] partForms = {"0", "7", "10", "255", "256", "999", "01", "007", "-1", " 1", "1 ", "", "1a", "0x1"};
        int fast = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder text = new StringBuilder();
            int parts = 3 + random.nextInt(3);
            for (int p = 0; p < parts; p++) {
                if (p > 0) {
                    text.append('.');
                }
                text.append(random.nextBoolean() ? Integer.toString(random.nextInt(300))
                        : partForms[random.nextInt(partForms.length)]);
            }
            String candidate = text.toString();
            String library = IpAddresses.normaliseWithLibrary(candidate);
            if (IpAddresses.isCanonicalIpv4(candidate)) {
                fast++;
                assertThat(library).as(candidate).isEqualTo(candidate);
            } else {
                assertThat(library).as(candidate).isNotEqualTo(candidate);
            }
            assertThat(IpAddresses.normalise(candidate)).as(candidate).isEqualTo(library);
        }
        assertThat(fast).as("cases on the fast path").isGreaterThan(1_000);
    }

    @Test
    void shouldLeaveEveryOtherFormToTheLibrary() {
        assertThat(IpAddresses.normalise("::ffff:203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(IpAddresses.normalise("2001:DB8::1")).isEqualTo("2001:db8::1");
        assertThat(IpAddresses.normalise("203.0.113.0/24")).isNull();
        assertThat(IpAddresses.normalise("203.000.113.7")).isEqualTo("203.0.113.7");
        assertThat(IpAddresses.normalise("not an address")).isNull();
    }

    @Test
    void shouldReadTheIpv6NetworkByHandExactlyAsTheLibraryWritesIt() {
        Random random = new Random(11);
        int fast = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder full = new StringBuilder();
            for (int g = 0; g < 8; g++) {
                if (g > 0) {
                    full.append(':');
                }
                // Mostly zero groups, so every place and length of the "::" run comes up.
                full.append(Integer.toHexString(random.nextInt(3) == 0 ? random.nextInt(0x10000) : 0));
            }
            String canonical = IpAddresses.normaliseWithLibrary(full.toString());
            String library = IpAddresses.prefix48WithLibrary(canonical);
            String byHand = IpAddresses.canonicalIpv6Prefix48(canonical);
            if (byHand != null) {
                fast++;
                assertThat(byHand).as(canonical).isEqualTo(library);
            }
            assertThat(IpAddresses.prefixOf(canonical)).as(canonical).isEqualTo(library);
            // Text the library reads but does not write (full form, upper case, leading zeros): either read the same
            // by hand or left to the library, never another network.
            String other = random.nextBoolean() ? full.toString().toUpperCase() : full.toString().replace(":", ":0");
            String otherByHand = IpAddresses.canonicalIpv6Prefix48(other);
            if (otherByHand != null) {
                assertThat(otherByHand).as(other).isEqualTo(IpAddresses.prefix48WithLibrary(other));
            }
        }
        assertThat(fast).as("canonical addresses read by hand").isEqualTo(50_000);
        for (String odd : new String[] {"::", "::1", "1::", "1:2:3:4:5:6:7::", "::ffff:1.2.3.4", "fe80::1%eth0",
                "1:::2", "1:2:", ":1:2::", "12345::", "2001:db8::1::2"}) {
            String byHand = IpAddresses.canonicalIpv6Prefix48(odd);
            if (byHand != null) {
                assertThat(byHand).as(odd).isEqualTo(IpAddresses.prefix48WithLibrary(odd));
            }
        }
        assertThat(IpAddresses.prefixOf("2001:db8:77::2")).isEqualTo("2001:db8:77::/48");
        assertThat(IpAddresses.prefixOf("2001:0:0:1::")).isEqualTo("2001::/48");
    }
}
