package io.distillguard.topology.errors;

import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A processor that throws sends the record to the dead-letter topic and the stream goes on (Kafka Streams' own
 * log-and-continue handler), except when the cause is a dependency that is down: a repartition or alert serializer
 * that cannot reach the schema registry to register its schema. That record is fine; dead-lettering it would take
 * it out of detection for good. The task fails instead, the stream thread is replaced, and the record is retried
 * from the last commit once the registry answers.
 */
public class DeadLetterProcessingHandler extends LogAndContinueProcessingExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof RetriableException) {
                LOG.warn("Processing {}-{}@{} at {} needs a dependency that is unavailable ({}); failing the task so "
                                + "the record is retried", context.topic(), context.partition(), context.offset(),
                        context.processorNodeId(), t.getMessage());
                return Response.fail();
            }
        }
        return super.handleError(context, record, exception);
    }
}
