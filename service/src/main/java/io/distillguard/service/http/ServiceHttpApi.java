package io.distillguard.service.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Severity;
import io.distillguard.serdes.json.ContractJson;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.avro.SubjectType;
import io.distillguard.topology.detect.LinkKind;
import io.distillguard.topology.detect.LinkRiskProcessor;
import io.distillguard.topology.detect.SubjectProfile;
import io.distillguard.topology.detect.SubjectRiskProcessor;
import io.distillguard.topology.detect.Subjects;
import io.distillguard.topology.state.LinkWindowStats;
import io.distillguard.topology.state.SubjectWindowStats;
import io.distillguard.topology.validation.IpAddresses;
import io.distillguard.service.metrics.ServiceMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's HTTP API: {@code /health}, {@code /ready}, {@code /metrics} (Prometheus text, Micrometer with Kafka
 * Streams' own metrics), and the current windows of a subject read from the state stores with interactive queries:
 * {@code /accounts/{id}}, {@code /ips/{ip}}; and {@code /alerts?since=&severity=&limit=}, the recent alerts. When another instance owns the key (by the streams metadata and
 * {@code application.server}), the request is forwarded to it, so any instance answers for every key.
 *
 * <p>JSON everywhere, a clear 4xx for bad input, never a stack trace. With a token configured every route but
 * {@code /health} and {@code /ready} (which orchestrators probe) needs {@code Authorization: Bearer <token>}.
 * Raw prompt data is never stored, so it can never be served.
 */
public final class ServiceHttpApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceHttpApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaStreams streams;
    private final DetectionConfig detection;
    private final String token;
    private final HostInfo self;
    // Only with a fixed port is this instance's application.server set; with port 0 it is alone and answers locally.
    private final boolean routing;
    private final HttpServer server;
    private final ServiceMetrics metrics;
    private final RecentAlerts recentAlerts;
    private final HttpClient forwarder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * @param bind address and port to listen on (port 0: any free one)
     * @param advertised this instance as other instances reach it; must equal its {@code application.server}
     * @param token bearer token to require, or null
     */
    public ServiceHttpApi(KafkaStreams streams, DetectionConfig detection, InetSocketAddress bind, HostInfo advertised,
                          String token, RecentAlerts recentAlerts, ServiceMetrics metrics) {
        this.metrics = metrics;
        this.streams = streams;
        this.recentAlerts = recentAlerts;
        this.detection = detection;
        this.token = token == null || token.isBlank() ? null : token;
        try {
            this.server = HttpServer.create(bind, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind the HTTP API to " + bind + ": " + e.getMessage(), e);
        }
        this.routing = advertised.port() != 0;
        this.self = routing ? advertised : new HostInfo(advertised.host(), server.getAddress().getPort());
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "http-api");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
        LOG.info("HTTP API on http://{}:{} (advertised as {}:{}){}", bind.getHostString(), server.getAddress().getPort(),
                self.host(), self.port(), this.token == null ? "" : ", bearer token required");
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        recentAlerts.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        // The answer to a failure is sent inside the try-with-resources: its catch would run after the exchange was
        // closed, and the client got a closed connection instead of the error.
        try (exchange) {
            try {
                route(exchange);
            } catch (InvalidStateStoreException e) {
                // A store closed under the query: its task is moving (a rebalance) or being restored.
                LOG.info("HTTP API request {} met a moving store: {}", exchange.getRequestURI(), e.getMessage());
                reply(exchange, 503, error("state is moving between instances (rebalancing); retry shortly"));
            } catch (RuntimeException e) {
                LOG.warn("HTTP API request {} failed: {}", exchange.getRequestURI(), e.toString());
                reply(exchange, 500, error("internal error: " + e.getClass().getSimpleName()));
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if (!exchange.getRequestMethod().equals("GET")) {
            reply(exchange, 405, error("only GET is supported"));
            return;
        }
        if (path.equals("/health")) {
            reply(exchange, 200, JSON.createObjectNode().put("status", "UP"));
            return;
        }
        if (path.equals("/ready")) {
            boolean ready = streams.state() == KafkaStreams.State.RUNNING;
            reply(exchange, ready ? 200 : 503, JSON.createObjectNode().put("state", streams.state().name()));
            return;
        }
        if (token != null && !("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            reply(exchange, 401, error("missing or wrong bearer token"));
            return;
        }
        if (path.equals("/metrics")) {
            metrics.bindOnceRunning(streams);
            byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            return;
        }
        if (path.equals("/alerts")) {
            alerts(exchange);
            return;
        }
        String[] parts = path.split("/", -1);
        if (parts.length == 3 && parts[1].equals("accounts") && !parts[2].isEmpty()) {
            String account = URLDecoder.decode(parts[2], StandardCharsets.UTF_8);
            routed(exchange, SubjectRiskProcessor.DAY_STORE, Subjects.key(SubjectType.ACCOUNT, account), this::account);
            return;
        }
        if (parts.length == 3 && parts[1].equals("ips") && !parts[2].isEmpty()) {
            String ip = IpAddresses.normalise(URLDecoder.decode(parts[2], StandardCharsets.UTF_8));
            if (ip == null) {
                reply(exchange, 400, error("not a single IPv4 or IPv6 address: " + parts[2]));
                return;
            }
            routed(exchange, LinkRiskProcessor.HOUR_STORE, LinkKind.IP.name() + ':' + ip, this::ip);
            return;
        }
        reply(exchange, 404, error("no such route: " + path));
    }

    /** Answers from the local store when this instance owns the key, else forwards to the instance that does. */
    private void routed(HttpExchange exchange, String store, String key, Function<String, ObjectNode> local)
            throws IOException {
        if (!routing) {
            answerLocally(exchange, key, local);
            return;
        }
        KeyQueryMetadata owner = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            reply(exchange, 503, error("state is not available yet (starting or rebalancing); retry shortly"));
            return;
        }
        if (owner.activeHost().equals(self) || exchange.getRequestHeaders().containsKey("X-Distillguard-Forwarded")) {
            answerLocally(exchange, key, local);
            return;
        }
        HostInfo host = owner.activeHost();
        URI target = URI.create("http://" + host.host() + ":" + host.port() + exchange.getRequestURI().getRawPath());
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(5))
                .header("X-Distillguard-Forwarded", self.host() + ":" + self.port());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<byte[]> response = forwarder.send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(response.statusCode(), response.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response.body());
            }
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            reply(exchange, 502, error("the instance owning this key (" + host.host() + ":" + host.port()
                    + ") did not answer"));
        }
    }

    private void answerLocally(HttpExchange exchange, String key, Function<String, ObjectNode> local) throws IOException {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            reply(exchange, 503, error("state is not available yet (starting or rebalancing); retry shortly"));
            return;
        }
        ObjectNode answer = local.apply(key);
        answer.put("served_by", self.host() + ":" + self.port());
        reply(exchange, 200, answer);
    }

    private void alerts(HttpExchange exchange) throws IOException {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        Instant since;
        Severity severity;
        int limit;
        try {
            since = query.containsKey("since") ? Instant.parse(query.get("since")) : Instant.EPOCH;
            severity = query.containsKey("severity") ? Severity.valueOf(query.get("severity").toUpperCase())
                    : Severity.LOW;
            limit = Integer.parseInt(query.getOrDefault("limit", "100"));
            if (limit < 1 || limit > RecentAlerts.CAPACITY) {
                throw new IllegalArgumentException("limit");
            }
        } catch (RuntimeException e) {
            reply(exchange, 400, error("since must be ISO-8601 (2026-11-28T10:00:00Z), severity one of LOW, MEDIUM, "
                    + "HIGH, CRITICAL, limit 1.." + RecentAlerts.CAPACITY));
            return;
        }
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode list = answer.putArray("alerts");
        for (DistillationAlert alert : recentAlerts.query(since, severity, limit)) {
            list.add(ContractJson.write(alert));
        }
        reply(exchange, 200, answer);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    /**
     * An account's hour and day windows with the features its risk is computed from. Both come from one read of its
     * day records (each holds its hours), so the hours shown always add up to what the day shows.
     */
    private ObjectNode account(String key) {
        ObjectNode answer = JSON.createObjectNode().put("account_id", Subjects.idOf(key));
        ArrayNode hours = answer.putArray("hours");
        ArrayNode days = answer.putArray("days");
        ReadOnlyWindowStore<String, SubjectWindowStats> store = streams.store(StoreQueryParameters.fromNameAndType(
                SubjectRiskProcessor.DAY_STORE, QueryableStoreTypes.<String, SubjectWindowStats>windowStore()));
        ReadOnlyWindowStore<String, Integer> emitted = emittedStore(SubjectRiskProcessor.EMITTED_STORE);
        try (WindowStoreIterator<SubjectWindowStats> it = store.fetch(key, Instant.EPOCH, farFuture())) {
            while (it.hasNext()) {
                KeyValue<Long, SubjectWindowStats> day = it.next();
                long latest = day.value.getHourStart();
                for (long start : new long[] {latest - SubjectRiskProcessor.HOUR_MS, latest}) {
                    SubjectWindowStats hour = SubjectProfile.hourOf(day.value, start);
                    if (hour != null) {
                        ObjectNode w = hours.addObject().put("window_start", start)
                                .put("window_end", start + SubjectRiskProcessor.HOUR_MS);
                        subjectFigures(hour, w, SubjectProfile.Span.HOUR);
                    }
                }
                ObjectNode w = days.addObject().put("window_start", day.key)
                        .put("window_end", day.key + SubjectRiskProcessor.DAY_MS);
                subjectFigures(day.value, w, SubjectProfile.Span.DAY);
                putSeverity(w, emitted, "ACCOUNT_RISK|" + key, day.key);
            }
        }
        return answer;
    }

    /** The fan-out a window keeps is the one its signals read: addresses per hour, ASNs and countries per day. */
    private void subjectFigures(SubjectWindowStats stats, ObjectNode w, SubjectProfile.Span span) {
        w.put("requests", stats.getRequests())
                .put("prompt_tokens", stats.getPromptTokens())
                .put("completion_tokens", stats.getCompletionTokens())
                .put("reasoning_share", SubjectProfile.reasoningShare(stats))
                .put("single_turn_share", SubjectProfile.singleTurnShare(stats))
                .put("prompt_diversity", SubjectProfile.promptDiversity(stats))
                .put("capability_concentration", SubjectProfile.capabilityConcentration(stats))
                .put("output_input_ratio", SubjectProfile.outputInputRatio(stats))
                .put("active_hours", SubjectProfile.activeHours(stats));
        if (span == SubjectProfile.Span.HOUR) {
            w.put("distinct_ips", SubjectProfile.distinctIps(stats))
                    .put("distinct_prefixes", SubjectProfile.distinctPrefixes(stats));
        } else {
            w.put("distinct_asns", SubjectProfile.distinctAsns(stats))
                    .put("distinct_countries", SubjectProfile.distinctCountries(stats));
        }
        double cv = SubjectProfile.interArrivalCv(stats);
        if (Double.isNaN(cv)) {
            w.putNull("inter_arrival_cv");
        } else {
            w.put("inter_arrival_cv", cv);
        }
        ArrayNode top = w.putArray("top_capabilities");
        SubjectProfile.topCapabilities(stats).forEach(top::add);
    }

    /** An address's hour windows: distinct accounts and a sample of them. */
    private ObjectNode ip(String key) {
        ObjectNode answer = JSON.createObjectNode().put("ip", Subjects.idOf(key));
        answer.set("windows", windows(LinkRiskProcessor.HOUR_STORE, LinkRiskProcessor.EMITTED_STORE,
                LinkKind.IP.detector() + '|' + key, key, SubjectRiskProcessor.HOUR_MS,
                (LinkWindowStats stats, ObjectNode w) -> {
                    w.put("requests", stats.getRequests())
                            .put("distinct_accounts", LinkRiskProcessor.distinctAccounts(stats))
                            .put("reasoning_requests", stats.getReasoning())
                            .put("first_turn_requests", stats.getFirstTurns());
                    ArrayNode sample = w.putArray("sample_accounts");
                    stats.getSampleAccounts().forEach(sample::add);
                }));
        return answer;
    }

    /** Every window of {@code key} in {@code store}, each with its bounds, its figures, and the severity alerted. */
    private <V> ArrayNode windows(String store, String emittedStore, String alertKey, String key, long windowMs,
                                  java.util.function.BiConsumer<V, ObjectNode> figures) {
        ArrayNode windows = JSON.createArrayNode();
        ReadOnlyWindowStore<String, V> windowStore = streams.store(StoreQueryParameters.fromNameAndType(
                store, QueryableStoreTypes.<String, V>windowStore()));
        ReadOnlyWindowStore<String, Integer> emitted = emittedStore == null ? null : emittedStore(emittedStore);
        try (WindowStoreIterator<V> it = windowStore.fetch(key, Instant.EPOCH, farFuture())) {
            while (it.hasNext()) {
                KeyValue<Long, V> window = it.next();
                ObjectNode w = windows.addObject()
                        .put("window_start", window.key)
                        .put("window_end", window.key + windowMs);
                figures.accept(window.value, w);
                if (emitted != null) {
                    putSeverity(w, emitted, alertKey, window.key);
                }
            }
        }
        return windows;
    }

    private ReadOnlyWindowStore<String, Integer> emittedStore(String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, Integer>windowStore()));
    }

    private static void putSeverity(ObjectNode window, ReadOnlyWindowStore<String, Integer> emitted, String key,
                                    long windowStart) {
        Integer severity = emitted.fetch(key, windowStart);
        if (severity == null) {
            window.putNull("alert_severity");
        } else {
            window.put("alert_severity", Severity.values()[severity].name());
        }
    }

    private static Instant farFuture() {
        return Instant.now().plus(Duration.ofDays(1));
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void reply(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
