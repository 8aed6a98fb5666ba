package io.lasthop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void implementedScenariosArePartOfAll() {
        assertFalse(Main.NOT_YET.containsKey("fanout"));
        assertFalse(Main.NOT_YET.containsKey("storm"));
        assertEquals(List.of("idle", "rate", "storm", "fanout", "layout", "wire"), Main.scenarios(List.of("all")));
        assertEquals(List.of("fanout"), Main.scenarios(List.of("fanout")));
        assertEquals(List.of("idle", "rate"), Main.scenarios(List.of()));
    }
}
