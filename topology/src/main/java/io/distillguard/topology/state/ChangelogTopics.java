package io.distillguard.topology.state;

import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;

/**
 * Topic settings of the changelogs that are compacted and also deleted by time.
 *
 * <p>The time is when the broker wrote a record ({@code message.timestamp.type=LogAppendTime}), not the event time
 * Kafka Streams stamps a changelog record with. Why: the broker deletes by a record's timestamp against its own clock.
 * A replay of last month's history, or a catch-up of a backlog older than the retention, stamps every window with an
 * event time already past the retention, and the broker deletes those records at its next retention check (every
 * five minutes by default) while the run still needs them. A task restored after that (moved to another stream
 * thread, or restarted after an aborted transaction) came back without its windows, and its accounts were judged on
 * part of their day: the replay's alerts then differed from a backtest of the same events. By write time the
 * changelog keeps what was written within the retention, whatever the events' age. For live traffic the two times
 * are the same, so the live service keeps what it kept before.
 *
 * <p>The restore does not read a record's timestamp: a window store's record key carries its window start, and a
 * key-value store has no time.
 */
public final class ChangelogTopics {

    private ChangelogTopics() {
    }

    /** Compacted, and deleted {@code retentionMs} after the broker wrote a record. */
    public static Map<String, String> compactedAndKeptFor(long retentionMs) {
        return Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs),
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, TimestampType.LOG_APPEND_TIME.name);
    }
}
