package io.distillguard.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary directories for state and broker data, created and removed the same way everywhere. */
public final class TempDirectories {

    private TempDirectories() {
    }

    public static Path create(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary directory: " + e.getMessage(), e);
        }
    }

    /**
     * A working directory for a run's state under the user's cache directory ({@code $XDG_CACHE_HOME/distillguard},
     * else {@code ~/.cache/distillguard}), not the OS temp directory: Kafka Streams warns that a temp directory may
     * be cleared under a running instance, and a long demo or replay should not meet that.
     */
    public static Path createForState(String prefix) {
        try {
            return Files.createTempDirectory(Files.createDirectories(cacheRoot()), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a state directory under " + cacheRoot() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Where {@link #createForState} puts its directories, and the demo its log. */
    public static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("distillguard");
    }

    /** Deletes {@code root} and everything below it; a leftover temporary file is harmless, so failures are ignored. */
    public static void delete(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // See above.
        }
    }
}
