package io.distillguard.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * The project version and the commit this build was made from, as the build recorded them
 * ({@code build.properties}, written by git-commit-id-maven-plugin). A build from a tree with uncommitted changes says
 * so; one from a source archive without Git history names no commit.
 */
public final class BuildVersion implements CommandLine.IVersionProvider {

    private static final String RESOURCE = "/io/distillguard/service/build.properties";

    /** One line: {@code distillguard 0.1.0-SNAPSHOT (commit 1a2b3c4, 2026-12-02T20:53:00Z)}. */
    public static String line() {
        Properties build = new Properties();
        try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String version = build.getProperty("git.build.version", "unknown");
        String commit = build.getProperty("git.commit.id.abbrev");
        if (commit == null || commit.isBlank()) {
            return "distillguard " + version + " (no commit recorded: built outside a Git checkout)";
        }
        return "distillguard " + version + " (commit " + commit
                + ("true".equals(build.getProperty("git.dirty")) ? " with uncommitted changes" : "")
                + ", " + build.getProperty("git.commit.time", "") + ")";
    }

    @Override
    public String[] getVersion() {
        return new String[] {line()};
    }
}
