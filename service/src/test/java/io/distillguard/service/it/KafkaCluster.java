package io.distillguard.service.it;

/** A Kafka cluster the integration tests run against, and a sentence saying which kind it is. */
public interface KafkaCluster {

    String bootstrapServers();

    String description();
}
