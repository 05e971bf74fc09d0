package io.distillguard.service.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/** An instant on the command line: ISO-8601 with a zone ({@code 2026-11-01T06:30:00Z}), or a date as midnight UTC. */
public final class InstantConverter implements CommandLine.ITypeConverter<Instant> {

    @Override
    public Instant convert(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException notInstant) {
            try {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notDate) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "' is not a date or an instant: write 2026-11-01 (midnight UTC) or 2026-11-01T00:00:00Z");
            }
        }
    }
}
