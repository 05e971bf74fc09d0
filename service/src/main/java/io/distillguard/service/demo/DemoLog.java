package io.distillguard.service.demo;

import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Sends every log line of the process (the service's, Kafka's, the embedded registry's) to a file instead of the
 * terminal, at the levels log4j2.xml sets: the demo's terminal is for the alerts and the summary, and the file is
 * there for whoever wants to know what the service did.
 */
final class DemoLog {

    private DemoLog() {
    }

    /** Until closed: closing reads log4j2.xml again (the demo may run inside a longer-lived JVM, as in tests). */
    static AutoCloseable toFile(Path file) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        Appender appender = FileAppender.newBuilder()
                .setName("demo-file")
                .withFileName(file.toString())
                .withAppend(false)
                .setLayout(PatternLayout.newBuilder().withConfiguration(configuration)
                        .withPattern("%d{HH:mm:ss.SSS} %-5level [%t] %c{1} - %msg%n").build())
                .setConfiguration(configuration)
                .build();
        appender.start();
        configuration.addAppender(appender);
        for (LoggerConfig logger : configuration.getLoggers().values()) {
            for (String name : java.util.List.copyOf(logger.getAppenders().keySet())) {
                logger.removeAppender(name);
            }
        }
        LoggerConfig root = configuration.getRootLogger();
        root.addAppender(appender, null, null);
        context.updateLoggers();
        return context::reconfigure;
    }
}
