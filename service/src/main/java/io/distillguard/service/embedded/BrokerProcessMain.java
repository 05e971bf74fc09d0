package io.distillguard.service.embedded;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point of the embedded broker's own JVM: formats the KRaft log directory on first start, then runs the
 * Apache Kafka broker ({@code kafka.Kafka}) as the distribution's scripts would.
 *
 * <p>It also watches the JVM that started it and exits when that one does, so a parent killed with SIGKILL
 * (which runs no shutdown hook) still leaves no broker behind.
 */
public final class BrokerProcessMain {

    private BrokerProcessMain() {
    }

    /** Arguments: server.properties path, log directory, cluster id, parent pid. */
    public static void main(String[] args) throws Exception {
        Path properties = Path.of(args[0]);
        Path logDir = Path.of(args[1]);
        String clusterId = args[2];
        long parentPid = Long.parseLong(args[3]);

        // Ctrl-C in a terminal signals the whole foreground process group, this JVM included. The broker must
        // outlive that signal until the service has committed and left its group; the parent stops it with
        // SIGTERM (or by exiting) once it is done.
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);

        ProcessHandle.of(parentPid).ifPresentOrElse(
                parent -> parent.onExit().thenRun(() -> {
                    System.err.println("Parent process " + parentPid + " exited; stopping the embedded broker");
                    System.exit(0);
                }),
                () -> System.exit(0));

        if (!Files.exists(logDir.resolve("meta.properties"))) {
            int rc = kafka.tools.StorageTool.execute(
                    new String[] {"format", "-t", clusterId, "-c", properties.toString()}, System.out);
            if (rc != 0) {
                System.err.println("Formatting the KRaft log directory failed with exit code " + rc);
                System.exit(rc);
            }
        }
        kafka.Kafka.main(new String[] {properties.toString()});
    }
}
