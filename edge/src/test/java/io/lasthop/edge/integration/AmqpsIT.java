package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.EdgeProcess;
import io.lasthop.edge.testing.PrivateBroker;
import io.lasthop.edge.testing.TestCertificates;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The edge to a RabbitMQ node of the test's own that listens with TLS and wants a client
 * certificate: every connection verified (CA, host name) and presenting the edge's certificate;
 * a broker certificate of another CA, or no client certificate, keeps the edge unready.
 */
class AmqpsIT {
    private static TestCertificates certs;
    private static TestCertificates.Pair client;
    private static PrivateBroker broker;
    private static int tlsPort;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.create();
        TestCertificates.Pair server = certs.server(TestCertificates.Key.RSA_PKCS8);
        client = certs.client(TestCertificates.Key.RSA_PKCS1);
        tlsPort = EdgeProcess.freePort();
        broker = PrivateBroker.start("listeners.ssl.default = 127.0.0.1:" + tlsPort + "\n"
                + "ssl_options.cacertfile = " + certs.caCert() + "\n"
                + "ssl_options.certfile = " + server.cert() + "\n"
                + "ssl_options.keyfile = " + server.key() + "\n"
                + "ssl_options.verify = verify_peer\n"
                + "ssl_options.fail_if_no_peer_cert = true\n");
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
        certs.close();
    }

    private static String amqps() {
        return "amqps://guest:guest@127.0.0.1:" + tlsPort + "/%2F";
    }

    @Test
    void everyConnectionVerifiesTheBrokerAndPresentsTheEdgeCertificate() throws Exception {
        try (Edge edge = new Edge(
                tls(c -> c.set(Settings.AMQP_TLS_CERT_FILE, client.cert().toString())
                        .set(Settings.AMQP_TLS_KEY_FILE, client.key().toString())))) {
            String user = Edge.newUser();
            try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
                ws.next("hello");
                publish(user, "over-tls");
                assertEquals("over-tls", ws.next("msg").get("id").asText());
            }
            String connections = broker.rabbitmqctl("-q", "list_connections", "ssl", "client_properties");
            long tls = connections
                    .lines()
                    .filter(l -> l.contains(edge.server().nodeId()))
                    .filter(l -> l.startsWith("true"))
                    .count();
            assertTrue(tls >= 4, "sessions, publisher and control all over TLS:\n" + connections);
        }
    }

    @Test
    void withoutAClientCertificateTheBrokerRefusesAndTheEdgeStaysUnready() throws Exception {
        assertUnready(tls(c -> {}));
    }

    @Test
    void aBrokerCertificateOfAnotherCaIsRefused() throws Exception {
        try (TestCertificates other = TestCertificates.create()) {
            assertUnready(c -> c.set(Settings.AMQP_URI, amqps())
                    .set(Settings.AMQP_TLS_CA_FILE, other.caCert().toString())
                    .set(Settings.AMQP_TLS_CERT_FILE, client.cert().toString())
                    .set(Settings.AMQP_TLS_KEY_FILE, client.key().toString()));
        }
    }

    private static Consumer<io.lasthop.edge.config.EdgeConfig.Builder> tls(
            Consumer<io.lasthop.edge.config.EdgeConfig.Builder> more) {
        return c -> {
            c.set(Settings.AMQP_URI, amqps())
                    .set(Settings.AMQP_TLS_CA_FILE, certs.caCert().toString());
            more.accept(c);
        };
    }

    /** The edge starts, does not get ready, and says why over /readyz. */
    private static void assertUnready(Consumer<io.lasthop.edge.config.EdgeConfig.Builder> config) throws Exception {
        Edge edge = Edge.startUnready(config);
        try {
            Await.until(
                    () -> edge.metric("lasthop_amqp_connect_failures_total") >= 2,
                    Broker.timeout(),
                    "two failed attempts to connect over TLS");
            assertFalse(edge.server().ready(), "an edge that cannot reach its broker over TLS is not ready");
            assertEquals(503, edge.get("/readyz").statusCode());
        } finally {
            edge.close();
        }
    }

    private static void publish(String user, String id) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(broker.uri());
        try (Connection c = f.newConnection();
                Channel ch = c.createChannel()) {
            ch.confirmSelect();
            ch.basicPublish(
                    AmqpNames.USER_EXCHANGE,
                    AmqpNames.userRoutingKey(user),
                    new AMQP.BasicProperties.Builder()
                            .messageId(id)
                            .contentType("application/json")
                            .build(),
                    "{}".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(5000);
        }
    }
}
