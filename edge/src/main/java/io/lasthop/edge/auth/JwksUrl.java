package io.lasthop.edge.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;

/** An issuer's JWKS, fetched over HTTP(S) by Nimbus's retriever: bounded in time and size. */
final class JwksUrl implements KeySource {
    /** Far above any issuer's key set (a few KiB), far below what could hurt the heap. */
    static final int MAX_BYTES = 256 * 1024;

    private final URL url;
    private final DefaultResourceRetriever retriever;

    /** @param timeout the connect timeout, and the timeout of each read from the socket */
    JwksUrl(String url, Duration timeout) {
        URI uri;
        try {
            uri = URI.create(url.trim());
            this.url = uri.toURL();
        } catch (IllegalArgumentException | IOException e) {
            throw new IllegalArgumentException("jwt.jwks.url: \"" + url + "\" is not a URL", e);
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw new IllegalArgumentException("jwt.jwks.url must be an https:// (or http://) URL; got " + url);
        }
        int ms = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        this.retriever = new DefaultResourceRetriever(ms, ms, MAX_BYTES);
    }

    /** True for http:// to another host than this one: anyone on the path could hand the edge keys. */
    boolean cleartextToAnotherHost() {
        if (!"http".equals(url.getProtocol())) {
            return false;
        }
        try {
            return !InetAddress.getByName(url.getHost()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return true;
        }
    }

    @Override
    public List<JWK> read() throws IOException, ParseException {
        return JWKSet.parse(retriever.retrieveResource(url).getContent()).getKeys();
    }

    @Override
    public String toString() {
        return url.toString();
    }
}
