package io.distillguard.service.demo;

import io.distillguard.serdes.json.ContractJson;
import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distillguard simulate}: the demo's labelled traffic written to a JSON Lines file (gzip when the name ends
 * in .gz) with a labels CSV, on simulated time, for backtests. Deterministic from the seed and start time.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Write labelled synthetic traffic (benign, bulk scraper, hydra proxy) as JSON Lines for backtests.")
public final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "Events file (JSON Lines; gzip if it ends in .gz).")
    Path out;

    @Option(names = "--labels", description = "Labels CSV to write (account_id,label,scenario).")
    Path labels;

    @Option(names = "--events", defaultValue = "100000", description = "How many events. Default: ${DEFAULT-VALUE}.")
    long events;

    @Option(names = "--rate", defaultValue = "50", description = "Events per second of simulated time. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--start", description = "Event time of the first event (ISO-8601). Default: one day ago, on the hour.")
    Instant start;

    @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws Exception {
        Instant first = start != null ? start : Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.HOURS);
        TrafficGenerator generator = new TrafficGenerator(seed);
        try (OutputStream file = Files.newOutputStream(out);
             OutputStream stream = out.toString().endsWith(".gz") ? new GZIPOutputStream(file, 1 << 16) : file;
             BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16)) {
            double step = 1000.0 / rate;
            for (long i = 0; i < events; i++) {
                writer.write(ContractJson.line(generator.next(first.toEpochMilli() + (long) (i * step)).event()));
                writer.write('\n');
            }
        }
        if (labels != null) {
            Files.writeString(labels, "account_id,label,scenario\n" + String.join("\n", generator.labelRows()) + "\n",
                    StandardCharsets.UTF_8);
        }
        System.out.printf("Wrote %,d events from %s over %s to %s%s%n", events, first,
                Duration.ofMillis((long) (events * 1000.0 / rate)), out, labels == null ? "" : ", labels to " + labels);
        return 0;
    }

}
