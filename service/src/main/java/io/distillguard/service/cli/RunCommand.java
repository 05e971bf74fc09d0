package io.distillguard.service.cli;

import io.distillguard.service.DistillguardService;
import io.distillguard.service.config.ServiceConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distillguard run}: the service against the configured cluster until SIGTERM or Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the detection service against the configured Kafka cluster and schema registry.")
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", description = "Properties file; environment variables DISTILLGUARD_* override it.")
    Path configFile;

    @Override
    public Integer call() throws Exception {
        ServiceConfig config = ServiceConfig.load(configFile, System.getenv(), Map.of());
        DistillguardService service = DistillguardService.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM runs shutdown hooks: close the streams there so state is flushed and the group is left cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "distillguard-shutdown"));
        // Stream threads that fail are replaced; should Kafka Streams still end in ERROR, exit non-zero so that the
        // orchestrator restarts the instance instead of keeping a process that no longer detects anything.
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            if (service.streams().state() == KafkaStreams.State.ERROR) {
                System.err.println("Kafka Streams is in state ERROR; exiting so that the instance is restarted");
                return 1;
            }
        }
        return 0;
    }
}
