package io.distillguard.service.cli;

import io.distillguard.topology.DetectionConfig;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/** Lets command-line durations use the same forms as the configuration: 60s, 5m, 1h, PT1H. */
public final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return DetectionConfig.parseDuration("duration", value);
    }
}
