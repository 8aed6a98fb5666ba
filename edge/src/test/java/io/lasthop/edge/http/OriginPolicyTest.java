package io.lasthop.edge.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {
    @Test
    void sameOriginAndConfiguredOriginsOnly() {
        OriginPolicy p = new OriginPolicy(Set.of("https://App.Example.com/"));
        assertTrue(p.allows(null, "edge:8080"), "no Origin: not a browser page");
        assertTrue(p.allows("http://edge:8080", "edge:8080"));
        assertTrue(p.allows("https://edge", "edge:443"));
        assertTrue(p.allows("https://app.example.com", "edge:8080"));
        assertFalse(p.allows("https://evil.example", "edge:8080"));
        assertFalse(p.allows("http://edge:9090", "edge:8080"));
        assertFalse(p.allows("null", "edge:8080"));
    }

    @Test
    void wildcardAllowsAny() {
        assertTrue(new OriginPolicy(Set.of("*")).allows("https://anything", "edge"));
    }
}
