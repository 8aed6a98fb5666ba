#!/usr/bin/env sh
# Mints an HS256 token for trying Lasthop, signed with LASTHOP_JWT_HS256_SECRET (by default the
# public dev value of docker-compose.yml). Needs openssl. In production your own auth service
# issues tokens (protocol/PROTOCOL.md §7); never ship a secret in a script.
#
#   ops/dev-token.sh alice [TTL_SECONDS]
set -eu
user=${1:?usage: ops/dev-token.sh USER [TTL_SECONDS]}
ttl=${2:-3600}
secret=${LASTHOP_JWT_HS256_SECRET:-lasthop-compose-DEV-ONLY-secret-change-me-0123456789}

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
json_string() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }

now=$(date +%s)
header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
payload=$(printf '{"sub":"%s","iat":%d,"exp":%d}' "$(json_string "$user")" "$now" $((now + ttl)) | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$secret" -binary | b64url)
printf '%s.%s.%s\n' "$header" "$payload" "$signature"
