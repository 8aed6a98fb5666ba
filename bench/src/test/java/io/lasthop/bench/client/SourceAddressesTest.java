package io.lasthop.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SourceAddressesTest {
    @Test
    void smallRunsBindNothing() {
        SourceAddresses s = new SourceAddresses(25_000, 25_000, 0);
        assertFalse(s.spread());
        assertNull(s.address(24_999));
    }

    @Test
    void largeRunsSpreadOverLoopbackAddresses() {
        SourceAddresses s = new SourceAddresses(60_000, 25_000, 0);
        assertTrue(s.spread());
        assertEquals("/127.0.0.1", s.address(0).toString());
        assertEquals(1, s.octet(24_999));
        assertEquals(2, s.octet(25_000));
        assertEquals(3, s.octet(59_999));
    }

    @Test
    void workersUseDisjointRanges() {
        SourceAddresses second = new SourceAddresses(60_000, 25_000, 36_000);
        assertEquals(2, second.octet(0));
        assertEquals(3, second.octet(23_999));
    }

    @Test
    void refusesToLeaveTheLoopbackRange() {
        assertThrows(IllegalArgumentException.class, () -> new SourceAddresses(255L * 25_000, 25_000, 0));
    }
}
