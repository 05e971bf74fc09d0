# Multi-stage: build with Maven, run on a JRE as a non-root user with the state directory on a volume.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY avro avro
COPY serdes serdes
COPY topology topology
COPY service service
# The history, so that the jar records the commit it was built from (distillguard --version, the startup log line).
COPY .git .git
RUN mvn -B -q -DskipTests install

FROM eclipse-temurin:17-jre
RUN groupadd --system distillguard && useradd --system --gid distillguard --home /opt/distillguard distillguard \
    && mkdir -p /var/lib/distillguard && chown distillguard:distillguard /var/lib/distillguard
WORKDIR /opt/distillguard
COPY --from=build /src/service/target/distillguard.jar ./
COPY --from=build /src/service/target/lib ./lib
USER distillguard
VOLUME /var/lib/distillguard
ENV DISTILLGUARD_STATE_DIR=/var/lib/distillguard
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=60", "-jar", "/opt/distillguard/distillguard.jar"]
CMD ["run"]
