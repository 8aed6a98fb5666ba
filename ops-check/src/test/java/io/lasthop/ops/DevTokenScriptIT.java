package io.lasthop.ops;

import static io.lasthop.ops.OpsKit.OPS;
import static io.lasthop.ops.OpsKit.run;
import static io.lasthop.ops.OpsKit.tool;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.ops.OpsKit.Run;
import org.junit.jupiter.api.Test;

/** Live check: ops/dev-token.sh mints a token that a running edge accepts. */
class DevTokenScriptIT {
    @Test
    void devTokenScriptMintsATokenTheEdgeAccepts() throws Exception {
        tool("openssl", "apt-get install -y openssl");
        String user = Edge.newUser();
        ProcessBuilder pb = new ProcessBuilder("sh", OPS.resolve("dev-token.sh").toString(), user, "120");
        pb.environment().put("LASTHOP_JWT_HS256_SECRET", Edge.SECRET);
        Run token = run(pb);
        assertEquals(0, token.exit(), token.output());
        try (Edge edge = Edge.start();
                WsClient ws = WsClient.connect(edge, token.output().strip(), null)) {
            assertEquals(user, ws.next("hello").path("user").asText());
        }
    }
}
