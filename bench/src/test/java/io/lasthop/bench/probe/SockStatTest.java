package io.lasthop.bench.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SockStatTest {
    @Test
    void sockstat() {
        SockStat s = SockStat.parse(
                "sockets: used 32\nTCP: inuse 11 orphan 0 tw 8 alloc 14 mem 3\n" + "UDP: inuse 0 mem 0\n", 4096);
        assertEquals(11, s.tcpInUse());
        assertEquals(8, s.tcpTimeWait());
        assertEquals(3 * 4096, s.tcpMemBytes());
    }

    @Test
    void tcp6() {
        assertEquals(400, SockStat.parseTcp6InUse("TCP6: inuse 400\nUDP6: inuse 0\n"));
    }
}
