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
}
