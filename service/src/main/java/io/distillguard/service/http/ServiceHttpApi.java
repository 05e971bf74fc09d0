package io.distillguard.service.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.avro.CaseVerdict;
import io.distillguard.avro.DistillationAlert;
import io.distillguard.avro.Evidence;
import io.distillguard.avro.Severity;
import io.distillguard.avro.SubjectType;
import io.distillguard.serdes.json.ContractJson;
import io.distillguard.service.console.CaseBook;
import io.distillguard.service.metrics.ServiceMetrics;
import io.distillguard.topology.DetectionConfig;
import io.distillguard.topology.detect.LinkKind;
import io.distillguard.topology.detect.LinkRiskProcessor;
import io.distillguard.topology.detect.SubjectProfile;
import io.distillguard.topology.detect.SubjectRiskProcessor;
import io.distillguard.topology.detect.Subjects;
import io.distillguard.topology.state.HourCount;
import io.distillguard.topology.state.LinkWindowStats;
import io.distillguard.topology.state.SubjectWindowStats;
import io.distillguard.topology.validation.IpAddresses;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HandlerType;
import io.javalin.http.SameSite;
import io.javalin.http.sse.SseClient;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * The service's HTTP API and the analyst console, on Javalin (Jetty): {@code /health}, {@code /ready},
 * {@code /metrics} (Prometheus text, Micrometer with Kafka Streams' own metrics), the current windows of a subject read
 * from the state stores with interactive queries ({@code /accounts/{id}}, {@code /ips/{ip}}), the recent alerts
 * ({@code /alerts?since=&severity=&limit=}), and the console: its page at {@code /} and {@code /console/*}, cases at
 * {@code /api/cases}, live updates at {@code /api/stream} (Server-Sent Events). When another instance owns a key (by
 * the streams metadata and {@code application.server}), the request is forwarded to it, so any instance answers for
 * every key.
 *
 * <p>JSON everywhere, a clear 4xx for bad input, never a stack trace. With analysts configured (each a name and a
 * token) every route but {@code /health}, {@code /ready} and the console's static page needs
 * {@code Authorization: Bearer <token>} or the console's session cookie, which {@code POST /session} sets for a valid
 * token; a token never travels in a URL. Every response carries a Content-Security-Policy that allows no inline
 * script and no other origin. Raw prompt data is never stored, so it can never be served.
 */
public final class ServiceHttpApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceHttpApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SESSION_COOKIE = "distillguard_session";
    private static final Duration SESSION_TTL = Duration.ofHours(12);
    private static final String CONSOLE = "/io/distillguard/service/console";
    private static final Set<String> OPEN_PATHS = Set.of("/health", "/ready", "/", "/session");
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private final KafkaStreams streams;
    private final Map<String, String> analystsByToken;
    private final String forwardToken;
    private final HostInfo self;
    // Only with a fixed port is this instance's application.server set; with port 0 it is alone and answers locally.
    private final boolean routing;
    private final Javalin server;
    private final ServiceMetrics metrics;
    private final RecentAlerts recentAlerts;
    private final HttpClient forwarder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** How often the consoles hear of new alerts: live enough for a person, one event however many alerts came. */
    static final long ANNOUNCE_MS = 250;
    private final Set<SseClient> listeners = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong unannounced = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.ScheduledExecutorService announcer =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "console-announcer");
                thread.setDaemon(true);
                return thread;
            });
    private final SecureRandom random = new SecureRandom();
    private final io.distillguard.service.console.VerdictWriter verdicts;
    private final Duration dismissalSuppression;
    private static final int MAX_NOTE = 1_000;

    private record Session(String analyst, Instant expires) {
    }

    /**
     * @param bind address and port to listen on (port 0: any free one)
     * @param advertised this instance as other instances reach it; must equal its {@code application.server}
     * @param analysts analyst name by token; empty for an open API (no token asked anywhere)
     */
    public ServiceHttpApi(KafkaStreams streams, DetectionConfig detection, InetSocketAddress bind, HostInfo advertised,
                          Map<String, String> analysts, RecentAlerts recentAlerts, ServiceMetrics metrics,
                          io.distillguard.service.console.VerdictWriter verdicts, Duration dismissalSuppression) {
        this.verdicts = verdicts;
        this.dismissalSuppression = dismissalSuppression;
        this.metrics = metrics;
        this.streams = streams;
        this.recentAlerts = recentAlerts;
        this.analystsByToken = Map.copyOf(analysts);
        this.forwardToken = analysts.keySet().stream().sorted().findFirst().orElse(null);
        this.server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.prefer405over404 = true;
            config.jetty.host = bind.getHostString();
            config.staticFiles.add(files -> {
                files.hostedPath = "/console";
                files.directory = CONSOLE;
                files.location = Location.CLASSPATH;
            });
            config.routes.before(this::headersAndAccess);
            config.routes.get("/health", ctx -> json(ctx, 200, JSON.createObjectNode().put("status", "UP")));
            config.routes.get("/ready", ctx -> {
                boolean ready = streams.state() == KafkaStreams.State.RUNNING;
                json(ctx, ready ? 200 : 503, JSON.createObjectNode().put("state", streams.state().name()));
            });
            config.routes.get("/", this::consolePage);
            config.routes.post("/session", this::signIn);
            config.routes.get("/metrics", ctx -> {
                metrics.bindOnceRunning(streams);
                ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
            });
            config.routes.get("/alerts", this::alerts);
            config.routes.get("/accounts/{id}", ctx -> routed(ctx, SubjectRiskProcessor.DAY_STORE,
                    Subjects.key(SubjectType.ACCOUNT, ctx.pathParam("id")), this::account));
            config.routes.get("/ips/{ip}", ctx -> {
                String ip = IpAddresses.normalise(ctx.pathParam("ip"));
                if (ip == null) {
                    json(ctx, 400, error("not a single IPv4 or IPv6 address: " + ctx.pathParam("ip")));
                    return;
                }
                routed(ctx, LinkRiskProcessor.HOUR_STORE, LinkKind.IP.name() + ':' + ip, this::ip);
            });
            config.routes.get("/api/whoami", ctx -> json(ctx, 200, JSON.createObjectNode()
                    .put("analyst", ctx.attribute("analyst").toString())));
            config.routes.get("/api/cases", this::cases);
            config.routes.get("/api/cases/{id}", this::oneCase);
            config.routes.post("/api/cases/{id}/verdict", this::verdict);
            config.routes.get("/api/subjects/{subject}/alerts", this::subjectAlerts);
            config.routes.sse("/api/stream", client -> {
                client.keepAlive();
                listeners.add(client);
                client.onClose(() -> listeners.remove(client));
                client.sendComment("connected");
            });
            config.routes.exception(InvalidStateStoreException.class, (e, ctx) -> {
                // A store closed under the query: its task is moving (a rebalance) or being restored.
                LOG.info("HTTP API request {} met a moving store: {}", ctx.path(), e.getMessage());
                json(ctx, 503, error("state is moving between instances (rebalancing); retry shortly"));
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.warn("HTTP API request {} failed: {}", ctx.path(), e.toString());
                json(ctx, 500, error("internal error: " + e.getClass().getSimpleName()));
            });
            config.routes.error(404, ctx -> json(ctx, 404, error("no such route: " + ctx.path())));
            config.routes.error(405, ctx -> json(ctx, 405, error("method " + ctx.method() + " is not allowed on "
                    + ctx.path())));
        });
        try {
            server.start(bind.getHostString(), bind.getPort());
        } catch (RuntimeException e) {
            throw new UncheckedIOException("Cannot bind the HTTP API to " + bind + ": " + e.getMessage(),
                    e.getCause() instanceof IOException io ? io : new IOException(e));
        }
        this.routing = advertised.port() != 0;
        this.self = routing ? advertised : new HostInfo(advertised.host(), server.port());
        recentAlerts.onAlert(this::announce);
        announcer.scheduleWithFixedDelay(this::tellConsoles, ANNOUNCE_MS, ANNOUNCE_MS,
                java.util.concurrent.TimeUnit.MILLISECONDS);
        LOG.info("HTTP API and console on http://{}:{}/ (advertised as {}:{}){}", bind.getHostString(), server.port(),
                self.host(), self.port(), analysts.isEmpty() ? ", open: no analyst tokens configured"
                        : ", " + analysts.size() + " analyst token(s)");
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        announcer.shutdownNow();
        listeners.forEach(SseClient::close);
        server.stop();
        if (verdicts != null) {
            verdicts.close();
        }
        recentAlerts.close();
    }

    /** Security headers on every response, then the token or session for every route that is not open. */
    private void headersAndAccess(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Cache-Control", "no-store");
        String path = ctx.path();
        if (analystsByToken.isEmpty()) {
            ctx.attribute("analyst", "anonymous");
            return;
        }
        if (OPEN_PATHS.contains(path) || path.startsWith("/console/")) {
            return;
        }
        String analyst = analystOf(ctx);
        if (analyst == null) {
            json(ctx, 401, error("missing or wrong bearer token (Authorization: Bearer <token>, or sign in)"));
            ctx.skipRemainingHandlers();
            return;
        }
        ctx.attribute("analyst", analyst);
    }

    private String analystOf(Context ctx) {
        String header = ctx.header("Authorization");
        if (header != null && header.startsWith("Bearer ")) {
            return analystFor(header.substring("Bearer ".length()));
        }
        String cookie = ctx.cookie(SESSION_COOKIE);
        Session session = cookie == null ? null : sessions.get(cookie);
        if (session == null) {
            return null;
        }
        if (session.expires().isBefore(Instant.now())) {
            sessions.remove(cookie);
            return null;
        }
        return session.analyst();
    }

    /** The analyst a token belongs to, compared in constant time so a wrong guess says nothing of the right one. */
    private String analystFor(String token) {
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        String found = null;
        for (Map.Entry<String, String> e : analystsByToken.entrySet()) {
            if (MessageDigest.isEqual(given, e.getKey().getBytes(StandardCharsets.UTF_8))) {
                found = e.getValue();
            }
        }
        return found;
    }

    private void signIn(Context ctx) {
        String token;
        try {
            JsonNode body = JSON.readTree(ctx.body());
            token = body == null ? null : body.path("token").asText(null);
        } catch (IOException e) {
            token = null;
        }
        if (token == null || token.isEmpty() || token.length() > 256) {
            json(ctx, 400, error("expected a JSON body {\"token\": \"<analyst token>\"}"));
            return;
        }
        String analyst = analystsByToken.isEmpty() ? "anonymous" : analystFor(token);
        if (analyst == null) {
            json(ctx, 401, error("unknown token"));
            return;
        }
        byte[] id = new byte[32];
        random.nextBytes(id);
        String session = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        sessions.values().removeIf(s -> s.expires().isBefore(Instant.now()));
        sessions.put(session, new Session(analyst, Instant.now().plus(SESSION_TTL)));
        ctx.cookie(new Cookie(SESSION_COOKIE, session, "/", (int) SESSION_TTL.toSeconds(), false, true, null,
                SameSite.STRICT));
        LOG.info("Analyst {} signed in to the console", analyst);
        json(ctx, 200, JSON.createObjectNode().put("analyst", analyst));
    }

    private void consolePage(Context ctx) throws IOException {
        try (InputStream page = ServiceHttpApi.class.getResourceAsStream(CONSOLE + "/index.html")) {
            ctx.contentType("text/html; charset=utf-8").result(page.readAllBytes());
        }
    }

    /**
     * Counts an alert for the consoles. Called on the alerts reader's thread, which must never wait on a browser:
     * the count is sent by {@link #tellConsoles} on a thread of its own.
     */
    private void announce(DistillationAlert alert) {
        unannounced.incrementAndGet();
    }

    /**
     * Tells every console how many alerts arrived since the last tick, one event per tick whatever the rate; the
     * console then asks for the cases again. A slow or stalled browser holds up this thread only.
     */
    private void tellConsoles() {
        long arrived = unannounced.getAndSet(0);
        if (arrived == 0) {
            return;
        }
        for (SseClient client : listeners) {
            if (client.terminated()) {
                listeners.remove(client);
            } else {
                try {
                    client.sendEvent("alert", String.valueOf(arrived));
                } catch (RuntimeException e) {
                    listeners.remove(client);
                }
            }
        }
    }

    private void cases(Context ctx) {
        Filter filter = Filter.of(ctx);
        if (filter == null) {
            return;
        }
        List<DistillationAlert> alerts = recentAlerts.all();
        List<DistillationAlert> inView = alerts.stream().filter(filter::admits).toList();
        ObjectNode answer = JSON.createObjectNode().put("buffered", alerts.size()).put("alerts", inView.size())
                .put("suppressed", suppressedTotal());
        ArrayNode detectors = answer.putArray("detectors");
        alerts.stream().map(DistillationAlert::getDetector).distinct().sorted().forEach(detectors::add);
        ArrayNode list = answer.putArray("cases");
        Map<String, CaseVerdict> decided = verdictsInForce();
        for (CaseBook.Case c : CaseBook.build(inView)) {
            CaseVerdict verdict = decided.get(c.id());
            if (filter.status() == null || filter.status().equals(status(verdict))) {
                list.add(withVerdict(caseSummary(c), verdict));
            }
        }
        json(ctx, 200, answer);
    }

    private void oneCase(Context ctx) {
        String id = ctx.pathParam("id");
        CaseBook.Case found = caseOrNotFound(ctx, id);
        if (found == null) {
            return;
        }
        ObjectNode answer = withVerdict(caseSummary(found), verdictsInForce().get(found.id()));
        ArrayNode words = answer.putArray("words");
        found.words().forEach(words::add);
        CaseBook.Graph graph = found.graph(60);
        ObjectNode g = answer.putObject("graph").put("accounts_tied", graph.accountsTied());
        ArrayNode graphAccounts = g.putArray("accounts");
        graph.accounts().forEach(graphAccounts::add);
        ArrayNode graphAttributes = g.putArray("attributes");
        graph.attributes().forEach(graphAttributes::add);
        ArrayNode ties = g.putArray("ties");
        graph.ties().forEach(t -> ties.addArray().add(t[0]).add(t[1]));
        ArrayNode members = answer.putArray("member_list");
        found.members().forEach((account, severity) -> {
            ObjectNode m = members.addObject().put("account", account).put("severity", severity.name());
            ArrayNode detectors = m.putArray("detectors");
            found.alerts().stream().filter(a -> a.getAccounts().contains(account) || a.getSubjectId().equals(account))
                    .map(DistillationAlert::getDetector).distinct().sorted().forEach(detectors::add);
        });
        ArrayNode alerts = answer.putArray("alert_list");
        List<DistillationAlert> newestFirst = new java.util.ArrayList<>(found.alerts());
        java.util.Collections.reverse(newestFirst);
        newestFirst.stream().limit(500).forEach(a -> {
            ObjectNode row = alerts.addObject().put("trigger_event_time", a.getTriggerEventTime().toString())
                    .put("detector", a.getDetector()).put("subject_type", a.getSubjectType().name())
                    .put("subject_id", a.getSubjectId()).put("severity", a.getSeverity().name())
                    .put("score", Math.round(a.getScore() * 100) / 100.0);
            ArrayNode evidence = row.putArray("evidence");
            for (Evidence e : a.getEvidence()) {
                evidence.addObject().put("signal", e.getSignal()).put("value", round(e.getValue()))
                        .put("threshold", round(e.getThreshold()));
            }
        });
        json(ctx, 200, answer);
    }

    /**
     * Records an analyst's verdict on a case: {@code {"verdict": "confirm"|"dismiss"|"watch", "reason":
     * "NAT"|"ENTERPRISE_BATCH"|"EVAL_HARNESS"|"AGENT_PRODUCT"|"OTHER", "note": "..."}}. A dismissal needs a reason,
     * and OTHER a note; a note is at most 1,000 characters. Anything wrong is a 4xx naming it, and nothing is written.
     */
    private void verdict(Context ctx) {
        if (verdicts == null || !verdicts.enabled()) {
            json(ctx, 503, error("verdicts are switched off (topic.verdicts is blank)"));
            return;
        }
        if (ctx.body().length() > 8_192) {
            json(ctx, 413, error("a verdict is at most 8 KB of JSON"));
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body());
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            json(ctx, 400, error("expected a JSON object {\"verdict\": \"confirm\"|\"dismiss\"|\"watch\", ...}"));
            return;
        }
        io.distillguard.avro.VerdictKind kind = switch (body.path("verdict").asText("")) {
            case "confirm" -> io.distillguard.avro.VerdictKind.CONFIRMED;
            case "dismiss" -> io.distillguard.avro.VerdictKind.DISMISSED;
            case "watch" -> io.distillguard.avro.VerdictKind.WATCHING;
            default -> null;
        };
        if (kind == null) {
            json(ctx, 400, error("verdict must be confirm, dismiss or watch"));
            return;
        }
        io.distillguard.avro.DismissReason reason = null;
        String reasonText = body.path("reason").asText("");
        if (kind == io.distillguard.avro.VerdictKind.DISMISSED) {
            try {
                reason = io.distillguard.avro.DismissReason.valueOf(reasonText);
            } catch (IllegalArgumentException e) {
                json(ctx, 400, error("a dismissal needs a reason: NAT, ENTERPRISE_BATCH, EVAL_HARNESS, AGENT_PRODUCT "
                        + "or OTHER"));
                return;
            }
        }
        String note = body.hasNonNull("note") ? body.path("note").asText() : null;
        if (note != null && note.length() > MAX_NOTE) {
            json(ctx, 400, error("the note is " + note.length() + " characters, over the limit of " + MAX_NOTE));
            return;
        }
        if (note != null && note.isBlank()) {
            note = null;
        }
        if (reason == io.distillguard.avro.DismissReason.OTHER && note == null) {
            json(ctx, 400, error("a dismissal for reason OTHER needs a note saying what it is"));
            return;
        }
        String id = ctx.pathParam("id");
        CaseBook.Case found = caseOrNotFound(ctx, id);
        if (found == null) {
            return;
        }
        if (!found.id().equals(id)) {
            // The analyst read a smaller case than the one a verdict would now cover: they decide on what they read.
            json(ctx, 409, error("case " + id + " has joined case " + found.id() + " since it was read; open it "
                    + "again and decide on the whole"));
            return;
        }
        Instant now = Instant.now();
        java.util.TreeSet<String> subjects = new java.util.TreeSet<>();
        found.alerts().forEach(a -> subjects.add(a.getSubjectType().name() + ":" + a.getSubjectId()));
        CaseVerdict verdict = CaseVerdict.newBuilder().setCaseId(id).setVerdict(kind).setReason(reason).setNote(note)
                .setAnalyst(ctx.attribute("analyst").toString()).setDecidedAt(now)
                .setRuleVersion(found.head().getRuleVersion()).setSubjects(List.copyOf(subjects))
                .setAccounts(List.copyOf(found.members().keySet()))
                .setSuppressUntil(kind == io.distillguard.avro.VerdictKind.DISMISSED
                        ? now.plus(dismissalSuppression) : null)
                .build();
        try {
            verdicts.write(verdict);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            json(ctx, 503, error("interrupted before the verdict was written; nothing was saved"));
            return;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("A verdict on case {} could not be written: {}", id, e.toString());
            json(ctx, 503, error("the verdicts topic did not take the verdict; nothing was saved, retry"));
            return;
        }
        LOG.info("Analyst {} gave case {} the verdict {}{}", verdict.getAnalyst(), id, kind,
                reason == null ? "" : " (" + reason + ")");
        json(ctx, 201, withVerdict(caseSummary(found), verdict));
    }

    /**
     * The recent alerts that name a subject ({@code ACCOUNT:acct-1}, {@code IP:192.0.2.1}): as their subject, or for
     * an account as one of the accounts they list; newest first, with the case each belongs to.
     */
    private void subjectAlerts(Context ctx) {
        String subject = ctx.pathParam("subject");
        int colon = subject.indexOf(':');
        if (colon <= 0) {
            json(ctx, 400, error("a subject is TYPE:id, such as ACCOUNT:acct-1 or IP:192.0.2.1"));
            return;
        }
        String type = subject.substring(0, colon);
        String id = subject.substring(colon + 1);
        List<DistillationAlert> all = recentAlerts.all();
        Map<String, String> caseOf = new java.util.HashMap<>();
        for (CaseBook.Case c : CaseBook.build(all)) {
            c.alerts().forEach(a -> caseOf.put(a.getAlertId() + "/" + a.getSeverity(), c.id()));
        }
        ObjectNode answer = JSON.createObjectNode().put("subject", subject);
        ArrayNode list = answer.putArray("alerts");
        for (int i = all.size() - 1; i >= 0 && list.size() < 500; i--) {
            DistillationAlert a = all.get(i);
            boolean names = a.getSubjectType().name().equals(type) && a.getSubjectId().equals(id)
                    || type.equals("ACCOUNT") && a.getAccounts().contains(id);
            if (names) {
                list.addObject().put("trigger_event_time", a.getTriggerEventTime().toString())
                        .put("detector", a.getDetector()).put("subject_type", a.getSubjectType().name())
                        .put("subject_id", a.getSubjectId()).put("severity", a.getSeverity().name())
                        .put("score", Math.round(a.getScore() * 100) / 100.0)
                        .put("case", caseOf.get(a.getAlertId() + "/" + a.getSeverity()));
            }
        }
        json(ctx, 200, answer);
    }

    /**
     * The case {@code id} among the recent alerts, or the case it has joined since it was listed (its answer carries
     * the new id), or null after answering 404.
     */
    private CaseBook.Case caseOrNotFound(Context ctx, String id) {
        CaseBook.Case found = CaseBook.find(CaseBook.build(recentAlerts.all()), id);
        if (found == null) {
            json(ctx, 404, error("no case " + id + " among the recent alerts"));
        }
        return found;
    }

    /** The latest verdict of every case, read from the verdicts topic's global store (empty while it is not ready). */
    private Map<String, CaseVerdict> verdictsInForce() {
        Map<String, CaseVerdict> out = new java.util.HashMap<>();
        try {
            org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, CaseVerdict> store = streams.store(
                    StoreQueryParameters.fromNameAndType(io.distillguard.topology.DistillguardTopology.VERDICTS_STORE,
                            QueryableStoreTypes.<String, CaseVerdict>keyValueStore()));
            try (org.apache.kafka.streams.state.KeyValueIterator<String, CaseVerdict> all = store.all()) {
                all.forEachRemaining(kv -> out.put(kv.key, kv.value));
            }
        } catch (InvalidStateStoreException e) {
            // Starting, or verdicts switched off: no case shows a verdict.
        }
        return out;
    }

    private static String status(CaseVerdict verdict) {
        if (verdict == null) {
            return "open";
        }
        return switch (verdict.getVerdict()) {
            case CONFIRMED -> "confirmed";
            case DISMISSED -> "dismissed";
            case WATCHING -> "watching";
        };
    }

    private static ObjectNode withVerdict(ObjectNode node, CaseVerdict verdict) {
        node.put("status", status(verdict));
        if (verdict != null) {
            ObjectNode v = node.putObject("verdict").put("analyst", verdict.getAnalyst())
                    .put("decided_at", verdict.getDecidedAt().toString())
                    .put("rule_version", verdict.getRuleVersion());
            v.put("reason", verdict.getReason() == null ? null : verdict.getReason().name());
            v.put("note", verdict.getNote());
            v.put("suppress_until", verdict.getSuppressUntil() == null ? null : verdict.getSuppressUntil().toString());
        }
        return node;
    }

    /** Alerts not written because their subject was dismissed, over every stream thread of this instance. */
    private long suppressedTotal() {
        double total = 0;
        for (var e : streams.metrics().entrySet()) {
            if (e.getKey().name().equals("suppressed-total") && e.getValue().metricValue() instanceof Number n) {
                total += n.doubleValue();
            }
        }
        return Math.round(total);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static ObjectNode caseSummary(CaseBook.Case c) {
        ObjectNode node = JSON.createObjectNode().put("id", c.id()).put("title", c.title())
                .put("severity", c.severity().name()).put("latest", c.latest().toEpochMilli())
                .put("alerts", c.alerts().size()).put("members", c.members().size())
                .put("summary", String.join("; ", c.words().stream().limit(4).toList()));
        ArrayNode detectors = node.putArray("detectors");
        c.detectors().forEach(detectors::add);
        return node;
    }

    /** The queue's filters: severity at least, one detector, emitted since. */
    private record Filter(Severity severity, String detector, Instant since, String status) {

        static Filter of(Context ctx) {
            try {
                String severity = ctx.queryParam("severity");
                String since = ctx.queryParam("since");
                String status = ctx.queryParam("status");
                if (status != null && !status.isEmpty()
                        && !List.of("open", "confirmed", "dismissed", "watching").contains(status)) {
                    throw new IllegalArgumentException("status");
                }
                return new Filter(severity == null ? Severity.LOW : Severity.valueOf(severity.toUpperCase()),
                        ctx.queryParam("detector"), since == null ? Instant.EPOCH : Instant.parse(since),
                        status == null || status.isEmpty() ? null : status);
            } catch (RuntimeException e) {
                json(ctx, 400, error("severity must be one of LOW, MEDIUM, HIGH, CRITICAL; since ISO-8601 "
                        + "(2026-11-28T10:00:00Z); status one of open, confirmed, dismissed, watching"));
                return null;
            }
        }

        boolean admits(DistillationAlert alert) {
            return alert.getSeverity().compareTo(severity) >= 0 && !alert.getEmittedAt().isBefore(since)
                    && (detector == null || detector.isEmpty() || detector.equals(alert.getDetector()));
        }
    }

    /** Answers from the local store when this instance owns the key, else forwards to the instance that does. */
    private void routed(Context ctx, String store, String key, Function<String, ObjectNode> local) {
        if (!routing) {
            answerLocally(ctx, key, local);
            return;
        }
        KeyQueryMetadata owner = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            json(ctx, 503, error("state is not available yet (starting or rebalancing); retry shortly"));
            return;
        }
        if (owner.activeHost().equals(self) || ctx.header("X-Distillguard-Forwarded") != null) {
            answerLocally(ctx, key, local);
            return;
        }
        HostInfo host = owner.activeHost();
        URI target = URI.create("http://" + host.host() + ":" + host.port() + ctx.req().getRequestURI());
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(5))
                .header("X-Distillguard-Forwarded", self.host() + ":" + self.port());
        if (forwardToken != null) {
            // The instances share their configuration; a console session lives on one instance only.
            request.header("Authorization", "Bearer " + forwardToken);
        }
        try {
            HttpResponse<byte[]> response = forwarder.send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            ctx.status(response.statusCode()).contentType("application/json").result(response.body());
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            json(ctx, 502, error("the instance owning this key (" + host.host() + ":" + host.port()
                    + ") did not answer"));
        }
    }

    private void answerLocally(Context ctx, String key, Function<String, ObjectNode> local) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            json(ctx, 503, error("state is not available yet (starting or rebalancing); retry shortly"));
            return;
        }
        ObjectNode answer = local.apply(key);
        answer.put("served_by", self.host() + ":" + self.port());
        json(ctx, 200, answer);
    }

    private void alerts(Context ctx) {
        Instant since;
        Severity severity;
        int limit;
        try {
            since = ctx.queryParam("since") != null ? Instant.parse(ctx.queryParam("since")) : Instant.EPOCH;
            severity = ctx.queryParam("severity") != null
                    ? Severity.valueOf(ctx.queryParam("severity").toUpperCase()) : Severity.LOW;
            limit = Integer.parseInt(ctx.queryParam("limit") != null ? ctx.queryParam("limit") : "100");
            if (limit < 1 || limit > RecentAlerts.CAPACITY) {
                throw new IllegalArgumentException("limit");
            }
        } catch (RuntimeException e) {
            json(ctx, 400, error("since must be ISO-8601 (2026-11-28T10:00:00Z), severity one of LOW, MEDIUM, "
                    + "HIGH, CRITICAL, limit 1.." + RecentAlerts.CAPACITY));
            return;
        }
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode list = answer.putArray("alerts");
        for (DistillationAlert alert : recentAlerts.query(since, severity, limit)) {
            list.add(ContractJson.write(alert));
        }
        json(ctx, 200, answer);
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
                ArrayNode hourly = w.putArray("hourly");
                for (HourCount h : day.value.getHourly()) {
                    hourly.addObject().put("hour_start", day.key + h.getHour() * SubjectRiskProcessor.HOUR_MS)
                            .put("requests", h.getRequests()).put("reasoning", h.getReasoning());
                }
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

    private static void json(Context ctx, int status, ObjectNode body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
