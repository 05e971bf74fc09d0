package io.distillguard.topology.errors;

import io.distillguard.topology.validation.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records that cannot be decoded to the dead-letter topic (Kafka Streams' built-in support, configured by
 * {@code errors.dead.letter.queue.topic.name}) with Distillguard's reason header, and keeps going.
 *
 * <p>The one exception is a registry that cannot be reached: the record is probably fine, so it must not be
 * dead-lettered as bad. The handler fails the task instead; the service's uncaught-exception policy replaces the
 * stream thread, which resumes from the last committed offset and so retries the record.
 */
public class DeadLetterDeserializationHandler extends LogAndContinueExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);
    private static final AtomicLong DEAD_LETTERED = new AtomicLong();

    /** Records this JVM dead-lettered because they could not be decoded. */
    public static long deadLettered() {
        return DEAD_LETTERED.get();
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (isRetriable(exception)) {
            LOG.warn("Cannot decode {}-{}@{} because a dependency is unavailable ({}); failing the task so the record is retried",
                    context.topic(), context.partition(), context.offset(), exception.getMessage());
            return Response.fail();
        }
        Response response = super.handleError(context, record, exception);
        String reason = "undecodable record: " + rootMessage(exception);
        for (ProducerRecord<byte[], byte[]> dlq : response.deadLetterQueueRecords()) {
            dlq.headers().add(DeadLetterHeaders.REASON, reason.getBytes(StandardCharsets.UTF_8));
            dlq.headers().add(DeadLetterHeaders.STAGE, "DESERIALIZATION".getBytes(StandardCharsets.UTF_8));
        }
        DEAD_LETTERED.incrementAndGet();
        LOG.warn("Dead-lettered {}-{}@{}: {}", context.topic(), context.partition(), context.offset(), reason);
        return response;
    }

    private static boolean isRetriable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RetriableException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && t.getMessage() == null) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }
}
