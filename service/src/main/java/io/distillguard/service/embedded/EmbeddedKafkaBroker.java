package io.distillguard.service.embedded;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import io.distillguard.service.TempDirectories;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-node Apache Kafka broker in KRaft mode, run from the {@code kafka_2.13} jars in a child JVM. It is
 * the embedded default of the demo and the fallback broker of the integration tests where no Docker engine runs.
 *
 * <p>A child JVM rather than the broker inside this one: the broker keeps its own heap, threads and shutdown
 * hooks, can be stopped and restarted like a real one, and cannot take the service down with it.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final boolean deleteOnClose;
    private final int port;
    private final int controllerPort;
    private final String clusterId;
    private final Map<String, String> extraProperties;
    private Process process;

    private EmbeddedKafkaBroker(Path dir, boolean deleteOnClose, Map<String, String> extraProperties) {
        this.dir = dir;
        this.deleteOnClose = deleteOnClose;
        this.port = freePort();
        this.controllerPort = freePort();
        this.clusterId = clusterId();
        this.extraProperties = Map.copyOf(extraProperties);
    }

    /** Starts a broker whose data lives in a fresh temporary directory, removed on {@link #close()}. */
    public static EmbeddedKafkaBroker start() {
        return start(Map.of());
    }

    /** As {@link #start()}, with extra broker properties. */
    public static EmbeddedKafkaBroker start(Map<String, String> extraProperties) {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(
                TempDirectories.create("distillguard-kafka-"), true, extraProperties);
        try {
            broker.launch();
            return broker;
        } catch (RuntimeException e) {
            TempDirectories.delete(broker.dir);
            throw e;
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path directory() {
        return dir;
    }

    /** CPU time the broker's process has used so far, user and system, or empty when the OS does not say. */
    public Optional<Duration> cpuTime() {
        Process running = process;
        return running == null ? Optional.empty() : running.info().totalCpuDuration();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the broker (controlled shutdown) and keeps its data, so that {@link #restart()} brings it back. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                LOG.warn("Embedded broker did not stop within 60 s; killing it");
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Starts a stopped broker again on the same ports and data. */
    public void restart() {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
        if (deleteOnClose) {
            TempDirectories.delete(dir);
        }
    }

    private void launch() {
        Path logDir = dir.resolve("data");
        Path properties = dir.resolve("server.properties");
        Path log = dir.resolve("broker.log");
        try {
            Files.createDirectories(logDir);
            writeProperties(properties, logDir);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xms128m");
            command.add("-Xmx768m");
            command.add("-XX:+UseG1GC");
            command.add("-Djava.awt.headless=true");
            command.add("-cp");
            command.add(absoluteClassPath());
            command.add(BrokerProcessMain.class.getName());
            command.add(properties.toString());
            command.add(logDir.toString());
            command.add(clusterId);
            command.add(Long.toString(ProcessHandle.current().pid()));
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded Kafka broker", e);
        }
        awaitReady(log);
        LOG.info("Embedded Apache Kafka broker (KRaft, pid {}) listening on {}, data in {}",
                process.pid(), bootstrapServers(), dir);
    }

    private void writeProperties(Path file, Path logDir) throws IOException {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("log.dirs", logDir.toString());
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "4");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("num.partitions", "4");
        p.setProperty("auto.create.topics.enable", "false");
        extraProperties.forEach(p::setProperty);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, "Distillguard embedded single-node KRaft broker");
        }
    }

    private void awaitReady(Path log) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The embedded Kafka broker exited with code " + process.exitValue()
                        + " while starting; last lines of " + log + ":\n" + tail(log, 30));
            }
            if (portOpen() && clusterAnswers()) {
                return;
            }
            try {
                // Waiting on the process rather than a fixed pause: a broker that dies is noticed at once.
                process.waitFor(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the embedded broker", e);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("The embedded Kafka broker did not become ready within " + START_TIMEOUT
                + "; last lines of " + log + ":\n" + tail(log, 30));
    }

    private boolean portOpen() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean clusterAnswers() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(props)) {
            return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private static String absoluteClassPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                entries.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static String clusterId() {
        // Kafka's own generator: base64 of 16 random bytes that never starts with '-', which the storage tool's
        // argument parser would take for an option (a hand-rolled id failed one start in 64 that way).
        return org.apache.kafka.common.Uuid.randomUuid().toString();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on 127.0.0.1", e);
        }
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
