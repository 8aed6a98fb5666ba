// An identity provider in miniature, written with `jose` (panva), not with the edge's Nimbus: it makes a
// key pair per algorithm, publishes the public keys as a JWKS and as PEM, and mints access tokens the
// way an issuer does (kid, iss, aud, the custom `lasthop` claim), plus tokens an attacker would try.
// IssuerTokensIT serves the JWKS to an edge and checks what the edge makes of each token.
//
// Usage: ISSUER=https://issuer.test AUDIENCE=lasthop node issuer-tokens.mjs
// Prints one JSON object: {"jwks": {...}, "pems": [{"alg", "pem"}], "tokens": [{"name", "alg", "token",
// "expect", "sub"}]}, where expect is "ok" or the error code the edge must answer (PROTOCOL.md §7, §9).
import * as jose from 'jose';

const issuer = process.env.ISSUER ?? 'https://issuer.test';
const audience = process.env.AUDIENCE ?? 'lasthop';
const rights = { subscribe: ['prices.#', 'user.{sub}.#'], send: ['chat.{sub}'] };

// Every family PROTOCOL.md §7 lists, with the key each needs.
const families = [
  { alg: 'RS256', options: { modulusLength: 2048 } },
  { alg: 'RS512', options: { modulusLength: 2048 } },
  { alg: 'PS256', options: { modulusLength: 2048 } },
  { alg: 'PS384', options: { modulusLength: 3072 } },
  { alg: 'ES256', options: {} },
  { alg: 'ES384', options: {} },
  { alg: 'ES512', options: {} },
  { alg: 'EdDSA', options: { crv: 'Ed25519' } },
];

async function keyPair(alg, options) {
  return jose.generateKeyPair(alg, { ...options, extractable: true });
}

function accessToken(sub, claims = {}) {
  return new jose.SignJWT({ lasthop: rights, ...claims })
    .setSubject(sub)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('10m');
}

const keys = [];
const pems = [];
const tokens = [];

for (const { alg, options } of families) {
  const { publicKey, privateKey } = await keyPair(alg, options);
  const kid = `jose-${alg.toLowerCase()}`;
  keys.push({ ...(await jose.exportJWK(publicKey)), kid, alg, use: 'sig' });
  pems.push({ alg, pem: await jose.exportSPKI(publicKey) });
  const sub = `jose-user-${alg.toLowerCase()}`;
  tokens.push({
    name: `${alg} access token`, alg, sub, expect: 'ok',
    token: await accessToken(sub).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(privateKey),
  });
  if (alg === 'RS256') {
    // RFC 9068 access token type, as some issuers set it.
    tokens.push({
      name: 'RS256 at+jwt access token', alg, sub, expect: 'ok',
      token: await accessToken(sub).setProtectedHeader({ alg, kid, typ: 'at+jwt' }).sign(privateKey),
    });
    tokens.push({
      name: 'RS256 expired', alg, sub, expect: 'token_expired',
      token: await accessToken(sub).setExpirationTime(Math.floor(Date.now() / 1000) - 600)
        .setProtectedHeader({ alg, kid }).sign(privateKey),
    });
    tokens.push({
      name: 'RS256 for another audience', alg, sub, expect: 'token_invalid',
      token: await accessToken(sub).setAudience('another-api').setProtectedHeader({ alg, kid }).sign(privateKey),
    });
    // The confusion attack: HMAC keyed with the issuer's public key, as the edge might hold it.
    const spki = new TextEncoder().encode(await jose.exportSPKI(publicKey));
    tokens.push({
      name: 'HS256 keyed with the RS256 public key', alg: 'HS256', sub: 'mallory', expect: 'token_invalid',
      token: await accessToken('mallory').setProtectedHeader({ alg: 'HS256', kid }).sign(spki),
    });
  }
}

// Tokens no key of the issuer signed.
const attacker = await keyPair('RS256', { modulusLength: 2048 });
const attackerJwk = await jose.exportJWK(attacker.publicKey);
tokens.push({
  name: 'embedded jwk header', alg: 'RS256', sub: 'mallory', expect: 'token_invalid',
  token: await accessToken('mallory').setProtectedHeader({ alg: 'RS256', kid: 'jose-rs256', jwk: attackerJwk })
    .sign(attacker.privateKey),
});
tokens.push({
  name: 'jku header', alg: 'RS256', sub: 'mallory', expect: 'token_invalid',
  token: await accessToken('mallory')
    .setProtectedHeader({ alg: 'RS256', kid: 'jose-rs256', jku: 'http://127.0.0.1:9/jwks.json' })
    .sign(attacker.privateKey),
});
tokens.push({
  name: 'unknown kid', alg: 'RS256', sub: 'mallory', expect: 'token_invalid',
  token: await accessToken('mallory').setProtectedHeader({ alg: 'RS256', kid: 'rotated-out' })
    .sign(attacker.privateKey),
});
tokens.push({
  name: 'alg none', alg: 'none', sub: 'mallory', expect: 'token_invalid',
  token: new jose.UnsecuredJWT({ lasthop: rights }).setSubject('mallory').setIssuer(issuer)
    .setAudience(audience).setExpirationTime('10m').encode(),
});

process.stdout.write(JSON.stringify({ jwks: { keys }, pems, tokens }) + '\n');
