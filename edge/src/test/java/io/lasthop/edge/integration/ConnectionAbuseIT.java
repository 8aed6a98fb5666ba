package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.RawSocket;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients without a token that hold connections, or ask for more than they read (issue findings 3
 * and 4): pipelined requests are answered one at a time while the client reads, and a client that
 * piles them up is disconnected; silent, slow and unfinished requests are closed after the request
 * timeout; past the connection bounds new connections get 503 at once, while sessions already open
 * and the management listener go on.
 */
class ConnectionAbuseIT {
    private static final int MAX_CONNECTIONS = 40;
    private static final int MAX_UNAUTHENTICATED = 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private static Edge edge;
    private static Broker broker;

    @BeforeAll
    static void start() {
        broker = new Broker();
        edge = new Edge(c -> c.set(Settings.REQUEST_TIMEOUT, TIMEOUT)
                .set(Settings.MAX_CONNECTIONS, MAX_CONNECTIONS)
                .set(Settings.MAX_UNAUTHENTICATED, MAX_UNAUTHENTICATED)
                .set(Settings.MANAGEMENT_PORT, 0));
    }

    @AfterAll
    static void stop() {
        edge.close();
        broker.close();
    }

    @Test
    void pipelinedRequestsThatAreNeverReadDoNotPileUpAnswers() throws Exception {
        try (RawSocket s = RawSocket.connect(edge.server().port(), 4096)) {
            String request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            long taken = s.writeUntilStalled(
                    request.repeat(2000).getBytes(), 64L << 20, Duration.ofSeconds(1), Duration.ofSeconds(10));
            assertTrue(edge.metric("lasthop_client_output_pending_bytes") < 1 << 20);
            String answers = s.readToEnd(Duration.ofSeconds(10));
            assertNotNull(answers, "a client that piles up requests is disconnected");
            int answered = count(answers, "HTTP/1.1 200 OK");
            System.out.printf(
                    "pipelining: %d bytes of requests taken, %d answered before the edge closed%n", taken, answered);
            assertTrue(answered < 100, answered + " answers");
        }
    }

    @Test
    void aFewPipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawSocket s = RawSocket.connect(edge.server().port(), 0)) {
            s.write(
                    "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nGET /readyz HTTP/1.1\r\nHost: a\r\n\r\n"
                            + "GET /nowhere HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                    Duration.ofSeconds(5));
            String answers = s.readToEnd(Duration.ofSeconds(10));
            assertNotNull(answers);
            int ok = answers.indexOf("ok\n");
            int ready = answers.indexOf("ready\n");
            int notFound = answers.indexOf("404 Not Found");
            assertTrue(ok >= 0 && ok < ready && ready < notFound, answers);
        }
    }

    @Test
    void silentSlowAndUnfinishedRequestsAreClosedAfterTheRequestTimeout() throws Exception {
        try (RawSocket silent = RawSocket.connect(edge.server().port(), 0);
                RawSocket partialHead = RawSocket.connect(edge.server().port(), 0);
                RawSocket shortBody = RawSocket.connect(edge.server().port(), 0)) {
            partialHead.write("GET /healthz HTTP/1.1\r\nHost: 127.0", Duration.ofSeconds(5));
            shortBody.write(
                    "POST /lasthop/frames HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n123456789",
                    Duration.ofSeconds(5));
            Duration bound = TIMEOUT.multipliedBy(5);
            assertEquals("", silent.readToEnd(bound), "a silent connection is closed, unanswered");
            assertEquals("", partialHead.readToEnd(bound), "so is one whose request head never ends");
            String body = shortBody.readToEnd(bound);
            assertTrue(body.contains("408 Request Timeout") && body.contains("request_timeout"), body);
        }
    }

    @Test
    void aKeepAliveConnectionIsClosedWhenIdleAfterItsAnswer() throws Exception {
        try (RawSocket s = RawSocket.connect(edge.server().port(), 0)) {
            s.write("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", Duration.ofSeconds(5));
            assertNotNull(s.readToEnd(TIMEOUT.multipliedBy(5)), "closed once idle");
        }
    }

    @Test
    void pastTheConnectionBoundsNewConnectionsGet503AndOpenSessionsGoOn() throws Exception {
        String user = Edge.newUser();
        List<RawSocket> silent = new ArrayList<>();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
            ws.next("hello");
            for (int i = 0; i < MAX_UNAUTHENTICATED; i++) {
                silent.add(RawSocket.connect(edge.server().port(), 0));
            }
            Thread.sleep(200); // every silent connection accepted and counted
            try (RawSocket refused = RawSocket.connect(edge.server().port(), 0)) {
                String answer = refused.readToEnd(Duration.ofSeconds(5));
                assertTrue(
                        answer.contains("503 Service Unavailable")
                                && answer.contains("\"overloaded\"")
                                && answer.toLowerCase(java.util.Locale.ROOT).contains("retry-after: 2"),
                        answer);
            }
            assertTrue(edge.metric("lasthop_refusals_total{reason=\"connections\"}") >= 1);
            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "during", "{}");
            assertEquals("during", ws.next("msg").get("id").asText(), "an open session goes on");
            HttpResponse<String> health = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://127.0.0.1:" + edge.server().managementPort() + "/healthz"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), "the management listener answers");
            for (RawSocket s : silent) {
                assertNotNull(s.readToEnd(TIMEOUT.multipliedBy(5)), "closed by the request timeout");
            }
            assertEquals(200, edge.get("/healthz").statusCode(), "new connections are taken again");
        } finally {
            silent.forEach(RawSocket::close);
        }
    }

    @Test
    void metricsMoveToTheManagementListener() throws Exception {
        assertEquals(404, edge.get("/metrics").statusCode());
        assertEquals(200, edge.get("/readyz").statusCode(), "balancers still check readiness on the client port");
        HttpResponse<String> metrics = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + edge.server().managementPort() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("lasthop_client_connections"));
    }

    private static int count(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
