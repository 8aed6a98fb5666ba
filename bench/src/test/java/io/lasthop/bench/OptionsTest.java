package io.lasthop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class OptionsTest {
    @Test
    void listsAreCommaSeparatedAndEmptyWhenAbsent() {
        Options o = new Options(new String[] {"worker", "--subscribe-grants", "bench.r.a.*, bench.r.x.#,", "--n", "3"});
        assertEquals(List.of("bench.r.a.*", "bench.r.x.#"), o.list("subscribe-grants"));
        assertEquals(List.of(), o.list("absent"));
        assertEquals(List.of("worker"), o.positional());
    }
}
