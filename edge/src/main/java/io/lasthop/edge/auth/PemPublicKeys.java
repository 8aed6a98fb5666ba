package io.lasthop.edge.auth;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.X509CertUtils;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Public keys from PEM text: {@code PUBLIC KEY} blocks (X.509 SubjectPublicKeyInfo, what
 * {@code openssl pkey -pubout} writes) and {@code CERTIFICATE} blocks, holding an RSA, EC (P-256,
 * P-384, P-521) or Ed25519 key. The JDK decodes them; Nimbus's own PEM reader needs BouncyCastle.
 * A PEM key has no {@code kid}.
 */
final class PemPublicKeys {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    /**
     * RFC 8410: an Ed25519 SubjectPublicKeyInfo is this fixed prefix and the 32-byte key. The JDK has no
     * accessor for the key's RFC 8032 bytes, and Nimbus wants them.
     */
    private static final byte[] ED25519_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private PemPublicKeys() {}

    static List<JWK> parse(String pem) throws ParseException {
        List<JWK> keys = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (type) {
                case "PUBLIC KEY" -> keys.add(fromSubjectPublicKeyInfo(der));
                case "CERTIFICATE" -> {
                    X509Certificate cert = X509CertUtils.parse(der);
                    if (cert == null) {
                        throw new ParseException("a CERTIFICATE block that is not an X.509 certificate", 0);
                    }
                    keys.add(fromSubjectPublicKeyInfo(cert.getPublicKey().getEncoded()));
                }
                case "RSA PUBLIC KEY" ->
                    throw new ParseException(
                            "an \"RSA PUBLIC KEY\" (PKCS#1) block: convert it "
                                    + "with openssl rsa -RSAPublicKey_in -in FILE -pubout",
                            0);
                default ->
                    throw new ParseException(
                            "a \"" + type + "\" block: "
                                    + (type.contains("PRIVATE")
                                            ? "give the edge the public key only (openssl pkey -in FILE -pubout)"
                                            : "expected PUBLIC KEY or CERTIFICATE"),
                            0);
            }
        }
        if (keys.isEmpty()) {
            throw new ParseException("no PEM block (-----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----)", 0);
        }
        return keys;
    }

    private static JWK fromSubjectPublicKeyInfo(byte[] der) throws ParseException {
        if (der.length == ED25519_PREFIX.length + 32
                && Arrays.equals(der, 0, ED25519_PREFIX.length, ED25519_PREFIX, 0, ED25519_PREFIX.length)) {
            return new OctetKeyPair.Builder(
                            Curve.Ed25519, Base64URL.encode(Arrays.copyOfRange(der, ED25519_PREFIX.length, der.length)))
                    .build();
        }
        for (String algorithm : List.of("RSA", "EC")) {
            PublicKey key;
            try {
                key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                continue;
            }
            if (key instanceof RSAPublicKey rsa) {
                return new RSAKey.Builder(rsa).build();
            }
            if (key instanceof ECPublicKey ec) {
                Curve curve = Curve.forECParameterSpec(ec.getParams());
                if (curve == null) {
                    throw new ParseException("an EC key on a curve JWS does not use (P-256, P-384, P-521 only)", 0);
                }
                return new ECKey.Builder(curve, ec).build();
            }
        }
        throw new ParseException("a public key that is neither RSA, EC nor Ed25519", 0);
    }
}
