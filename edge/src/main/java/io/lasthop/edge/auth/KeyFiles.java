package io.lasthop.edge.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Public keys in files: PEM ({@link PemPublicKeys}), or JSON holding a JWKS or a single JWK. */
final class KeyFiles implements KeySource {
    /** As for a JWKS URL: a key file is small. */
    private static final long MAX_BYTES = JwksUrl.MAX_BYTES;

    private final List<Path> files;

    KeyFiles(List<Path> files) {
        this.files = List.copyOf(files);
    }

    @Override
    public List<JWK> read() throws IOException, ParseException {
        List<JWK> keys = new ArrayList<>();
        for (Path file : files) {
            if (Files.size(file) > MAX_BYTES) {
                throw new IOException(file + " is larger than " + MAX_BYTES + " bytes: not a key file");
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            try {
                keys.addAll(parse(text));
            } catch (ParseException e) {
                throw new ParseException(file + ": " + e.getMessage(), e.getErrorOffset());
            }
        }
        return keys;
    }

    static List<JWK> parse(String text) throws ParseException {
        String trimmed = text.strip();
        if (!trimmed.startsWith("{")) {
            return PemPublicKeys.parse(text);
        }
        Map<String, Object> json = JSONObjectUtils.parse(trimmed);
        return json.containsKey("keys") ? JWKSet.parse(json).getKeys() : List.of(JWK.parse(json));
    }

    @Override
    public String toString() {
        return files.stream().map(Path::toString).collect(Collectors.joining(","));
    }
}
