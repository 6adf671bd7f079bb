#!/usr/bin/env bash
# scripts/token.sh - prints a bearer token for the local stack (`make token`), signed with the development key
# (config/dev-jwt/private.pem), which only dev mode, the tests and config/local.env trust.
#
# Environment: SCOPE (default "tasks:read tasks:write": add tasks:admin for DELETE /tasks), SUBJECT (the token's
# sub claim: idempotency records are scoped to it; default "local-user"), TTL seconds (3600).
# Usage: curl -H "Authorization: Bearer $(make -s token)" localhost:8080/tasks
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SCOPE=${SCOPE:-tasks:read tasks:write}
SUBJECT=${SUBJECT:-local-user}
TTL=${TTL:-3600}
ISSUER=https://resilient-tasks.local/dev
KEY=config/dev-jwt/private.pem

command -v openssl >/dev/null || { echo "token: openssl is missing (sudo apt-get install openssl)" >&2; exit 1; }
[[ $TTL =~ ^[1-9][0-9]*$ ]] || { echo "token: TTL must be a number of seconds (got '$TTL')" >&2; exit 2; }
# Scopes and subject go into JSON as they are: refuse what would need escaping rather than escape it.
[[ "$SCOPE $SUBJECT" =~ ^[A-Za-z0-9:._@\ -]+$ ]] || { echo "token: SCOPE and SUBJECT: letters, digits, :._@- only" >&2; exit 2; }

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

now=$(date +%s)
header='{"alg":"RS256","typ":"JWT"}'
claims=$(printf '{"iss":"%s","sub":"%s","scope":"%s","iat":%d,"exp":%d,"jti":"%s"}' \
    "$ISSUER" "$SUBJECT" "$SCOPE" "$now" $((now + TTL)) "$(openssl rand -hex 16)")
unsigned="$(printf '%s' "$header" | b64url).$(printf '%s' "$claims" | b64url)"
signature=$(printf '%s' "$unsigned" | openssl dgst -sha256 -sign "$KEY" -binary | b64url)
printf '%s.%s\n' "$unsigned" "$signature"
