package io.distillguard.serdes.registry;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * Builds a {@link SchemaRegistryClient} from serde configuration, with Confluent's configuration key names so
 * that existing client properties files work unchanged.
 */
public final class SchemaRegistryClients {

    public static final String URL = "schema.registry.url";
    public static final String AUTO_REGISTER = "auto.register.schemas";
    public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String CONNECT_TIMEOUT_MS = "schema.registry.connect.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";

    /** The defaults of the keys above that have one (Confluent's client's, where it has the key). */
    public static final Map<String, String> DEFAULTS = Map.of(
            AUTO_REGISTER, "true",
            BASIC_AUTH_SOURCE, "USER_INFO",
            TRUSTSTORE_TYPE, "PKCS12",
            KEYSTORE_TYPE, "PKCS12",
            CONNECT_TIMEOUT_MS, "5000",
            REQUEST_TIMEOUT_MS, "10000");

    /** Prefix of in-memory registries, Confluent's convention: {@code mock://<scope>}. */
    public static final String MOCK_PREFIX = "mock://";

    // One client per distinct configuration, so that the serdes of every topic and every stream thread share caches.
    private static final Map<Map<String, String>, SchemaRegistryClient> SHARED = new ConcurrentHashMap<>();

    private SchemaRegistryClients() {
    }

    /** The client for this configuration, shared with every serde configured the same way. */
    public static SchemaRegistryClient fromConfig(Map<String, ?> configs) {
        Object url = configs.get(URL);
        if (url == null || url.toString().isBlank()) {
            throw new ConfigException("Missing required configuration \"" + URL + "\" (a registry URL, or mock://<scope>)");
        }
        String urls = url.toString().trim();
        if (urls.startsWith(MOCK_PREFIX)) {
            return InMemorySchemaRegistry.scope(urls.substring(MOCK_PREFIX.length()));
        }
        Map<String, String> key = new java.util.TreeMap<>();
        configs.forEach((k, v) -> {
            if (k.startsWith("schema.registry.") || k.startsWith("basic.auth.")) {
                key.put(k, String.valueOf(v));
            }
        });
        return SHARED.computeIfAbsent(key, k -> build(urls, configs));
    }

    /**
     * Drops the shared clients of {@code url}. Their caches hold the ids that registry assigned, which never change
     * while it lives; a registry that stops for good takes them with it, and one started later at the same address
     * (an embedded registry on a port the system hands out again) assigns its own, which a stale cache would read as
     * the old schemas.
     */
    public static void forget(String url) {
        SHARED.keySet().removeIf(key -> url.equals(key.get(URL).trim()));
    }

    private static SchemaRegistryClient build(String urls, Map<String, ?> configs) {
        List<URI> baseUrls = Arrays.stream(urls.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(URI::create)
                .toList();
        String source = string(configs, BASIC_AUTH_SOURCE, DEFAULTS.get(BASIC_AUTH_SOURCE));
        String userInfo = string(configs, BASIC_AUTH_USER_INFO, null);
        if (userInfo == null && "URL".equals(source)) {
            userInfo = baseUrls.get(0).getUserInfo();
        }
        return new RestSchemaRegistryClient(baseUrls, userInfo, sslContext(configs),
                Duration.ofMillis(Long.parseLong(string(configs, CONNECT_TIMEOUT_MS, DEFAULTS.get(CONNECT_TIMEOUT_MS)))),
                Duration.ofMillis(Long.parseLong(string(configs, REQUEST_TIMEOUT_MS, DEFAULTS.get(REQUEST_TIMEOUT_MS)))));
    }

    private static SSLContext sslContext(Map<String, ?> configs) {
        String truststore = string(configs, TRUSTSTORE_LOCATION, null);
        String keystore = string(configs, KEYSTORE_LOCATION, null);
        if (truststore == null && keystore == null) {
            return null;
        }
        try {
            TrustManagerFactory trust = null;
            if (truststore != null) {
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(load(truststore, string(configs, TRUSTSTORE_TYPE, DEFAULTS.get(TRUSTSTORE_TYPE)),
                        string(configs, TRUSTSTORE_PASSWORD, "")));
            }
            KeyManagerFactory keys = null;
            if (keystore != null) {
                String password = string(configs, KEYSTORE_PASSWORD, "");
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(load(keystore, string(configs, KEYSTORE_TYPE, DEFAULTS.get(KEYSTORE_TYPE)), password), password.toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new ConfigException("Cannot set up TLS for the schema registry: " + e.getMessage());
        }
    }

    private static KeyStore load(String location, String type, String password) throws Exception {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            store.load(in, password.toCharArray());
        }
        return store;
    }

    private static String string(Map<String, ?> configs, String key, String defaultValue) {
        Object value = configs.get(key);
        return value == null ? defaultValue : value.toString();
    }
}
