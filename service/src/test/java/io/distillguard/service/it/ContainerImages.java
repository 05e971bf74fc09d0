package io.distillguard.service.it;

import org.apache.kafka.common.utils.AppInfoParser;

/** Container images of the Docker-engine test path, which docker-compose.yml must match (DockerComposeTest). */
public final class ContainerImages {

    /** The broker image at the Kafka client's own version. */
    public static final String KAFKA = "apache/kafka:" + AppInfoParser.getVersion();
    public static final String SCHEMA_REGISTRY = "confluentinc/cp-schema-registry:8.0.0";

    private ContainerImages() {
    }
}
