package io.lasthop.edge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Records the frames a client receives, in order, and lets a test wait for the next one of a type
 * (OkHttp's recorder style: no sleeps). Pings are recorded apart so they never interleave with
 * what a test waits for.
 */
public class Frames {
    static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final BlockingQueue<JsonNode> pings = new LinkedBlockingQueue<>();

    void record(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            if ("ping".equals(node.path("t").asText())) {
                pings.add(node);
            } else {
                frames.add(node);
            }
        } catch (Exception e) {
            frames.add(JSON.createObjectNode().put("t", "unparseable").put("raw", json));
        }
    }

    /** The next frame, which must be of type {@code t}. */
    public JsonNode next(String t) {
        return next(t, Broker.timeout());
    }

    public JsonNode next(String t, Duration timeout) {
        JsonNode f = poll(timeout);
        if (f == null) {
            throw new AssertionError("no \"" + t + "\" frame within " + timeout.toMillis() + " ms");
        }
        if (!t.equals(f.path("t").asText())) {
            throw new AssertionError("expected a \"" + t + "\" frame, got " + f);
        }
        return f;
    }

    /** The next frame, whatever its type. */
    public JsonNode nextAny() {
        JsonNode f = poll(Broker.timeout());
        if (f == null) {
            throw new AssertionError("no frame within " + Broker.timeout().toMillis() + " ms");
        }
        return f;
    }

    /** The next {@code n} message frames. */
    public List<JsonNode> messages(int n) {
        List<JsonNode> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(next("msg"));
        }
        return out;
    }

    public JsonNode nextPing(Duration timeout) {
        try {
            JsonNode f = pings.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (f == null) {
                throw new AssertionError("no ping within " + timeout.toMillis() + " ms");
            }
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Asserts nothing but pings arrives for {@code quiet}. */
    public void assertNoFrame(Duration quiet) {
        JsonNode f = poll(quiet);
        if (f != null) {
            throw new AssertionError("expected no frame, got " + f);
        }
    }

    private JsonNode poll(Duration timeout) {
        try {
            return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
