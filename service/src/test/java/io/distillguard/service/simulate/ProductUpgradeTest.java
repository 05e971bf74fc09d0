package io.distillguard.service.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.avro.RequestEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProductUpgradeTest {

    private static final String[] PRODUCTS = {"acct-ide-", "acct-homework-", "acct-study-", "acct-regional-"};

    @Test
    void theProductsMoveNineRequestsInTenToTheNewModelFromItsReleaseAndEveryoneElseKeepsTheirs() {
        Map<String, String> without = models(false);
        Map<String, String> with = models(true);
        assertThat(with.keySet()).as("the same requests, only their model changes").isEqualTo(without.keySet());
        long release = new CampaignSimulator(settings(false)).settings().releaseMs();
        double[] asUsual = newModelShare(without, release);
        double[] upgraded = newModelShare(with, release);
        assertThat(asUsual[0]).as("the products without the option").isBetween(0.2, 0.4);
        assertThat(upgraded[0]).as("the products with it").isBetween(0.85, 0.95);
        assertThat(upgraded[1]).as("their requests before the release").isZero();
        without.forEach((request, model) -> {
            if (!isProducts(request)) {
                assertThat(with.get(request)).as(request).isEqualTo(model);
            }
        });
    }

    /** Each request's model, by account, time and prompt. */
    private static Map<String, String> models(boolean productUpgrades) {
        CampaignSimulator simulator = new CampaignSimulator(settings(productUpgrades));
        Map<String, String> out = new HashMap<>();
        while (simulator.hasNext()) {
            RequestEvent e = simulator.next();
            out.put(e.getAccountId() + '@' + e.getEventTime().toEpochMilli() + '/' + e.getPromptSimhash() + '/'
                    + e.getTurnIndex(), e.getModel());
        }
        return out;
    }

    /** The products' share of requests to the new model: after the release, and before it. */
    private static double[] newModelShare(Map<String, String> models, long release) {
        long[] after = {0, 0};
        long[] before = {0, 0};
        models.forEach((request, model) -> {
            if (!isProducts(request)) {
                return;
            }
            long time = Long.parseLong(request.substring(request.indexOf('@') + 1, request.indexOf('/')));
            long[] counts = time >= release ? after : before;
            counts[0]++;
            counts[1] += model.equals(CampaignSimulator.NEW_MODEL) ? 1 : 0;
        });
        assertThat(after[0]).isGreaterThan(1_000);
        assertThat(before[0]).isGreaterThan(1_000);
        return new double[] {(double) after[1] / after[0], (double) before[1] / before[0]};
    }

    private static boolean isProducts(String request) {
        for (String prefix : PRODUCTS) {
            if (request.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static CampaignSimulator.Settings settings(boolean productUpgrades) {
        return new CampaignSimulator.Settings(11, 5_000, 2, Instant.parse("2026-11-01T00:00:00Z"), 0.0, false, false,
                false, false, false, false, CampaignSimulator.Settings.STUDENTS_PER_SCHOOL, productUpgrades);
    }
}
