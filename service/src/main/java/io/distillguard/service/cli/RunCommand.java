package io.distillguard.service.cli;

import io.distillguard.service.DistillguardService;
import io.distillguard.service.config.ServiceConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
        stopped.await();
        return 0;
    }
}
