package io.distillguard.service.backtest;

import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.RequestEvent;
import io.distillguard.service.config.ServiceConfig;
import io.distillguard.service.simulate.CampaignSimulator;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.DistillguardTopology;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.*;

class DebugCellTest {
    @Test
    void dump() {
        String text = System.getProperty("cell");
        if (text == null) return;
        String y = System.getProperty("y", "");
        long seed = Long.getLong("seed", 29);
        DetectionConfig config = ServiceConfig.load(null, Map.of(), Map.of()).detection();
        Instant start = Instant.parse(System.getProperty("start", "2026-12-01T00:00:00Z"));
        List<EnvelopeSweep.Cell> all = EnvelopeSweep.cells();
        for (int place = 0; place < all.size(); place++) {
            EnvelopeSweep.Cell cell = all.get(place);
            if (!(cell.grid() + " " + cell.x()).contains(text) || !cell.y().equals(y)) continue;
            CampaignSimulator simulator = new CampaignSimulator(new CampaignSimulator.Settings(seed * 1000 + place, 5000, 2,
                    start, 1.0, false), List.of(cell.knobs()));
            Map<String, String> label = new HashMap<>();
            simulator.labels().forEach(l -> label.put(l.accountId(), l.scenario()));
            DetectionConfig judged = config.withRules(QualityCommand.withRelease(config.rules(), simulator.settings().releaseMs()));
            Map<String, Double> best = new HashMap<>();
            Map<String, String> why = new HashMap<>();
            new OfflineBacktest(judged, DistillguardTopology.StateStorage.OFFLINE_IN_MEMORY).run(simulator, new OfflineBacktest.Listener() {
                @Override public void onEvent(RequestEvent event) { }
                @Override public void onAlert(DistillationAlert a) {
                    for (String acc : a.getAccounts()) {
                        if (a.getScore() > best.getOrDefault(acc, -1.0)) {
                            best.put(acc, a.getScore());
                            StringBuilder sb = new StringBuilder(a.getDetector() + " " + a.getSeverity() + " " + a.getTriggerEventTime() + " ");
                            a.getEvidence().forEach(e -> sb.append(e.getSignal()).append('=').append(String.format("%.3f/%.3f ", e.getValue(), e.getThreshold())));
                            why.put(acc, sb.toString());
                        }
                    }
                }
            });
            System.out.println("CELL " + cell);
            best.entrySet().stream().filter(e -> !"swept".equals(label.get(e.getKey())))
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(12)
                    .forEach(e -> System.out.println("BENIGN " + label.get(e.getKey()) + " " + e.getKey() + " " + String.format("%.3f", e.getValue()) + " " + why.get(e.getKey())));
            List<Double> att = new ArrayList<>();
            label.forEach((k, v) -> { if ("swept".equals(v)) att.add(best.getOrDefault(k, 0.0)); });
            Collections.sort(att);
            System.out.println("ATTACK scores n=" + att.size() + " p10=" + att.get(att.size() / 10) + " p50=" + att.get(att.size() / 2) + " p90=" + att.get(att.size() * 9 / 10));
            best.entrySet().stream().filter(e -> "swept".equals(label.get(e.getKey()))).limit(6)
                    .forEach(e -> System.out.println("ATTACK " + e.getKey() + " " + String.format("%.3f", e.getValue()) + " " + why.get(e.getKey())));
        }
    }
}
