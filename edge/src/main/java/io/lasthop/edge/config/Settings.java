package io.lasthop.edge.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every configuration key of the edge, with its default and meaning. Over 300 lines on purpose: one
 * table, read top to bottom, that the configuration file, the environment and the --help text come from.
 */
public final class Settings {
    private Settings() {}

    public static final Setting<String> HTTP_HOST = text("http.host", "0.0.0.0", "Address the HTTP listener binds to.");
    public static final Setting<Integer> HTTP_PORT =
            integer("http.port", "8080", "TCP port of the HTTP listener; 0 picks a free port.", 0, 65535);
    public static final Setting<Integer> MAX_FRAME_BYTES = integer(
            "max.frame.bytes",
            "65536",
            "Largest client frame accepted, in bytes (WebSocket message or POST body).",
            256,
            16 << 20);
    public static final Setting<Duration> REQUEST_TIMEOUT = duration(
            "http.request.timeout",
            "10s",
            "A connection that carries no session must send a whole request (head and body) within this of being accepted or of its previous answer; else it is closed.");
    public static final Setting<Integer> MAX_OUTPUT_BYTES = integer(
            "connection.max.output.bytes",
            "1048576",
            "Bytes a client may leave unread (frames the edge wrote that it did not take); past it the connection is closed with 4003 slow_consumer. Deliveries pause well before it.",
            65536,
            1 << 30);
    public static final Setting<Boolean> TRUST_FORWARDED_FOR = bool(
            "http.trust.forwarded.for",
            "false",
            "Take a client's address from the last X-Forwarded-For entry (set it behind a load balancer that sends one, never when clients reach the edge directly).");
    public static final Setting<Boolean> WEBSOCKET_DEFLATE = bool(
            "websocket.deflate",
            "false",
            "Offer permessage-deflate to WebSocket clients: fewer bytes on the wire for JSON, at some CPU and a compressor's memory per connection (bench/README.md).");
    public static final Setting<String> TLS_CERT_FILE = text(
            "tls.cert.file",
            null,
            "PEM certificate chain of the HTTP listener; with tls.key.file it serves TLS (HTTP/2 and HTTP/1.1 by ALPN) on http.port. Reloaded when it changes.");
    public static final Setting<String> TLS_KEY_FILE = text(
            "tls.key.file", null, "PEM private key (RSA or EC, PKCS#8 or PKCS#1/SEC1, unencrypted) of tls.cert.file.");
    public static final Setting<String> MANAGEMENT_HOST =
            text("management.host", "127.0.0.1", "Address of the management listener (see management.port).");
    public static final Setting<Integer> MANAGEMENT_PORT = integer(
            "management.port",
            "-1",
            "When 0 or more: a second listener for /metrics, /healthz and /readyz, and /metrics is no longer served on http.port. -1: none, everything on http.port.",
            -1,
            65535);

    public static final Setting<String> AMQP_URI =
            text("amqp.uri", "amqp://guest:guest@127.0.0.1:5672/%2F", "Broker to connect to.");
    public static final Setting<String> AMQP_ADDRESSES = text(
            "amqp.addresses",
            null,
            "A RabbitMQ cluster's nodes, host:port,host:port: the edge spreads its connections over them and reconnects to a surviving one. Credentials, virtual host and TLS come from amqp.uri; unset, its host.");
    public static final Setting<String> AMQP_TLS_CA_FILE = text(
            "amqp.tls.ca.file",
            null,
            "With amqps://: PEM certificates that the broker's must chain to, instead of the JVM's trust store. The host name is checked either way.");
    public static final Setting<String> AMQP_TLS_CERT_FILE = text(
            "amqp.tls.cert.file",
            null,
            "With amqps://: a PEM client certificate chain to present to the broker (with amqp.tls.key.file).");
    public static final Setting<String> AMQP_TLS_KEY_FILE = text(
            "amqp.tls.key.file",
            null,
            "The PEM private key of amqp.tls.cert.file (PKCS#8, PKCS#1 or SEC1, unencrypted).");
    public static final Setting<Integer> AMQP_CONNECTIONS = integer(
            "amqp.connections",
            "0",
            "AMQP connections for sessions per node; each carries up to the broker's channel_max sessions (2047 by default). 0: as many as the sessions need, from 2 up to what limits.connections can fill, opened as they fill and closed when idle.",
            0,
            256);
    public static final Setting<Integer> AMQP_WORKER_THREADS = integer(
            "amqp.worker.threads",
            "16",
            "Threads that run blocking AMQP calls (declare, consume, ack, close); bounds how many session setups run at once.",
            1,
            1024);
    public static final Setting<Integer> RECOVERY_RATE = integer(
            "recovery.rate",
            "500",
            "Sessions re-attached to the broker per second after a broker connection is lost, so recovery does not storm the broker.",
            10,
            1_000_000);

    public static final Setting<String> NODE_ID =
            text("node.id", null, "Name of this node in frames, metrics and logs; generated when unset.");

    public static final Setting<String> JWT_HS256_SECRET =
            text("jwt.hs256.secret", null, "Shared secret that verifies HMAC-signed tokens; at least 32 bytes.");
    public static final Setting<Set<String>> JWT_ALGORITHMS = set(
            "jwt.algorithms",
            null,
            "Comma-separated allowlist of JWS algorithms; any other algorithm, and 'none', is refused. Unset: HS256 with jwt.hs256.secret, plus the algorithms of the keys from jwt.jwks.url and jwt.public.keys.");
    public static final Setting<String> JWT_ISSUER = text("jwt.issuer", null, "When set, a token's iss must equal it.");
    public static final Setting<String> JWT_AUDIENCE =
            text("jwt.audience", null, "When set, a token's aud must contain it.");
    public static final Setting<Duration> JWT_LEEWAY =
            duration("jwt.leeway", "5s", "Clock skew tolerated on exp and nbf, in whole seconds.");
    public static final Setting<String> JWT_JWKS_URL = text(
            "jwt.jwks.url",
            null,
            "An issuer's JWKS URL (e.g. https://issuer/.well-known/jwks.json): tokens signed with its keys are accepted. Fetched at start and refreshed in the background.");
    public static final Setting<Set<String>> JWT_PUBLIC_KEYS = set(
            "jwt.public.keys",
            "",
            "Comma-separated files of public keys: PEM (PUBLIC KEY or CERTIFICATE blocks; RSA, EC or Ed25519) or one JWKS. Re-read like jwt.jwks.url.");
    public static final Setting<Duration> JWT_KEYS_REFRESH = duration(
            "jwt.keys.refresh",
            "5m",
            "How often the keys of jwt.jwks.url and jwt.public.keys are read again; while a read fails, the last good keys stay in use.");
    public static final Setting<Duration> JWT_KEYS_REFRESH_MIN_INTERVAL = duration(
            "jwt.keys.refresh.min.interval",
            "10s",
            "Least time between two reads of one key source, however many tokens with an unknown kid arrive (at least 1s).");
    public static final Setting<Duration> JWT_JWKS_TIMEOUT =
            duration("jwt.jwks.timeout", "5s", "Connect timeout, and read timeout, of one fetch of jwt.jwks.url.");
    public static final Setting<String> REPLY_TOKEN_SECRET = text(
            "reply.token.secret",
            null,
            "Shared secret that signs reply tokens, the same on every node, at least 32 bytes. Required when no jwt.hs256.secret is set (public keys only); unset: derived from jwt.hs256.secret.");
    public static final Setting<Boolean> DEV = bool(
            "dev", "false", "Development mode: a built-in JWT secret and a /dev/token endpoint. Never in production.");

    public static final Setting<Duration> RESUME_WINDOW = duration(
            "session.resume.window",
            "2m",
            "How long a session's queue outlives its last connection (the queue's x-expires).");
    public static final Setting<Integer> QUEUE_MAX_LENGTH = integer(
            "session.queue.max.length",
            "10000",
            "Messages a session queue holds before its overflow policy applies (x-max-length).",
            1,
            Integer.MAX_VALUE);
    public static final Setting<String> QUEUE_OVERFLOW = choice(
            "session.queue.overflow",
            "reject-publish-dlx",
            "What a full session queue does (x-overflow); dropped or refused messages go to lasthop.dead, except with reject-publish.",
            "drop-head",
            "reject-publish",
            "reject-publish-dlx");
    public static final Setting<String> QUEUE_TYPE = choice(
            "session.queue.type",
            "classic",
            "Queue type of session queues; quorum survives the loss of a broker node, at a higher cost, and needs overflow drop-head or reject-publish.",
            "classic",
            "quorum");
    public static final Setting<Integer> PREFETCH = integer(
            "session.prefetch",
            "64",
            "Deliveries in flight to one client before it must ack (basic.qos); also bounds edge memory per session.",
            1,
            65535);
    public static final Setting<Duration> ACK_TIMEOUT = duration(
            "session.ack.timeout",
            "60s",
            "A client holding a delivery unacked longer is disconnected and its deliveries requeued; keep it well under the broker's consumer_timeout.");
    public static final Setting<Duration> HEARTBEAT = duration(
            "heartbeat", "25s", "Interval of ping frames; a WebSocket client silent for 3 intervals is disconnected.");

    public static final Setting<Integer> INBOUND_RATE = integer(
            "inbound.rate",
            "20",
            "Requests (send, reply, sub, unsub) one connection may make per second, on average (token bucket).",
            1,
            1_000_000);
    public static final Setting<Integer> INBOUND_BURST = integer(
            "inbound.burst",
            "40",
            "Requests one connection may make at once before inbound.rate applies (the token bucket's size).",
            1,
            1_000_000);
    public static final Setting<Integer> INBOUND_MAX_BYTES = integer(
            "inbound.max.bytes",
            "32768",
            "Largest message body a browser may send or reply with, in bytes.",
            1,
            16 << 20);
    public static final Setting<Integer> MAX_SUBSCRIPTIONS = integer(
            "session.max.subscriptions",
            "100",
            "Topic subscriptions one connection of a session may hold.",
            0,
            100_000);
    public static final Setting<Duration> REPLY_TOKEN_TTL = duration(
            "reply.token.ttl", "10m", "How long a browser may take to reply to a message that has a reply_to.");

    public static final Setting<Duration> POLL_TIMEOUT = duration(
            "poll.timeout",
            "20s",
            "How long a long-poll is held when no frame is waiting; answered then with an empty array.");
    public static final Setting<Duration> POLL_LINGER = duration(
            "poll.linger", "30s", "How long a long-polling session stays attached after an answer without a new poll.");

    public static final Setting<Set<String>> CORS_ORIGINS = set(
            "cors.origins",
            "",
            "Comma-separated origins (https://app.example.com) allowed besides the edge's own: CORS for HTTP transports, and the WebSocket Origin check; * allows any.");
    public static final Setting<Boolean> CORS_CREDENTIALS = bool(
            "cors.credentials", "false", "Send Access-Control-Allow-Credentials, so allowed origins may send cookies.");

    public static final Setting<Integer> MAX_CONNECTIONS = integer(
            "limits.connections",
            "0",
            "Open client connections per node; past it new ones get 503. 0: the process's file limit less a reserve for the broker connections and the management listener.",
            0,
            10_000_000);
    public static final Setting<Integer> MAX_UNAUTHENTICATED = integer(
            "limits.connections.unauthenticated",
            "0",
            "Of those, connections not (yet) carrying a session; past it new ones get 503. 0: half of limits.connections.",
            0,
            10_000_000);
    public static final Setting<Integer> MAX_SESSIONS_PER_USER = integer(
            "limits.sessions.per.user",
            "64",
            "Sessions one user may hold on one node at once; more get 429 too_many_sessions.",
            1,
            1_000_000);
    public static final Setting<Integer> NEW_SESSION_RATE = integer(
            "limits.sessions.rate",
            "1000",
            "New sessions (not resumes) per second one node opens, each declaring a durable queue; more get 429 with Retry-After.",
            1,
            1_000_000);
    public static final Setting<Integer> NEW_SESSION_RATE_PER_ADDRESS = integer(
            "limits.sessions.rate.per.address",
            "50",
            "New sessions per second from one client address (see http.trust.forwarded.for), burst twice that; more get 429.",
            1,
            1_000_000);
    public static final Setting<Duration> FLOOD_PENALTY = duration(
            "limits.flood.penalty",
            "10s",
            "After one of its sessions is closed with 4004 too_many_frames, how long at least a user may not open or resume a session on that node (429 rate_limited, Retry-After); each penalty adds a random part of up to half of it, so users closed together come back apart; 0s turns it off.");
    public static final Setting<Duration> REVOCATION_RETENTION = duration(
            "revocation.retention",
            "1h",
            "How long a node refuses tokens of a revoked user that were issued before the revocation.");

    public static final Setting<Boolean> PRESENCE_EVENTS = bool(
            "presence.events", "true", "Publish session.opened and session.closed to the lasthop.events exchange.");
    public static final Setting<Duration> DRAIN_TIMEOUT = duration(
            "drain.timeout", "20s", "On SIGTERM: how long to wait for sessions to leave before exiting anyway.");
    public static final Setting<Duration> DRAIN_SPREAD = duration(
            "drain.spread",
            "5s",
            "On SIGTERM: clients are told to reconnect after a random delay below this, so they do not stampede.");

    public static final List<Setting<?>> ALL = List.of(
            HTTP_HOST,
            HTTP_PORT,
            MAX_FRAME_BYTES,
            REQUEST_TIMEOUT,
            MAX_OUTPUT_BYTES,
            TRUST_FORWARDED_FOR,
            WEBSOCKET_DEFLATE,
            TLS_CERT_FILE,
            TLS_KEY_FILE,
            MANAGEMENT_HOST,
            MANAGEMENT_PORT,
            AMQP_URI,
            AMQP_ADDRESSES,
            AMQP_TLS_CA_FILE,
            AMQP_TLS_CERT_FILE,
            AMQP_TLS_KEY_FILE,
            AMQP_CONNECTIONS,
            AMQP_WORKER_THREADS,
            RECOVERY_RATE,
            NODE_ID,
            JWT_HS256_SECRET,
            JWT_ALGORITHMS,
            JWT_ISSUER,
            JWT_AUDIENCE,
            JWT_LEEWAY,
            JWT_JWKS_URL,
            JWT_PUBLIC_KEYS,
            JWT_KEYS_REFRESH,
            JWT_KEYS_REFRESH_MIN_INTERVAL,
            JWT_JWKS_TIMEOUT,
            REPLY_TOKEN_SECRET,
            DEV,
            RESUME_WINDOW,
            QUEUE_MAX_LENGTH,
            QUEUE_OVERFLOW,
            QUEUE_TYPE,
            PREFETCH,
            ACK_TIMEOUT,
            HEARTBEAT,
            INBOUND_RATE,
            INBOUND_BURST,
            INBOUND_MAX_BYTES,
            MAX_SUBSCRIPTIONS,
            REPLY_TOKEN_TTL,
            POLL_TIMEOUT,
            POLL_LINGER,
            CORS_ORIGINS,
            CORS_CREDENTIALS,
            MAX_CONNECTIONS,
            MAX_UNAUTHENTICATED,
            MAX_SESSIONS_PER_USER,
            NEW_SESSION_RATE,
            NEW_SESSION_RATE_PER_ADDRESS,
            FLOOD_PENALTY,
            REVOCATION_RETENTION,
            PRESENCE_EVENTS,
            DRAIN_TIMEOUT,
            DRAIN_SPREAD);

    private static Setting<String> text(String key, String def, String doc) {
        return new Setting<>(key, def, doc, Function.identity());
    }

    private static Setting<Integer> integer(String key, String def, String doc, int min, int max) {
        return new Setting<>(key, def, doc, s -> {
            int v;
            try {
                v = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + s + "\" is not an integer");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException(v + " is outside " + min + ".." + max);
            }
            return v;
        });
    }

    private static Setting<Boolean> bool(String key, String def, String doc) {
        return new Setting<>(key, def, doc, s -> switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off", "" -> false;
            default -> throw new IllegalArgumentException("\"" + s + "\" is not a boolean");
        });
    }

    private static Setting<Duration> duration(String key, String def, String doc) {
        return new Setting<>(key, def, doc, Durations::parse);
    }

    private static Setting<Set<String>> set(String key, String def, String doc) {
        return new Setting<>(key, def, doc, s -> Arrays.stream(s.split(","))
                .map(String::trim)
                .filter(x -> !x.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new)));
    }

    private static Setting<String> choice(String key, String def, String doc, String... allowed) {
        List<String> options = List.of(allowed);
        return new Setting<>(key, def, doc, s -> {
            if (!options.contains(s)) {
                throw new IllegalArgumentException("\"" + s + "\" is not one of " + options);
            }
            return s;
        });
    }
}
