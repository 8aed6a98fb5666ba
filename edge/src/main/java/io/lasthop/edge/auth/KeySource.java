package io.lasthop.edge.auth;

import com.nimbusds.jose.jwk.JWK;
import java.io.IOException;
import java.text.ParseException;
import java.util.List;

/**
 * Where public keys come from: an issuer's JWKS URL, or key files. {@link #read} blocks, so it runs at
 * start and on the key refresh thread, never on an event loop.
 */
interface KeySource {
    /** Reads every key the source holds now, private parts included if the source has them. */
    List<JWK> read() throws IOException, ParseException;

    /** The source as an operator configured it, for logs and errors. */
    @Override
    String toString();
}
