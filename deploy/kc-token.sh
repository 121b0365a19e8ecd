#!/usr/bin/env bash
# Print an access token from the compose Keycloak for one of the demo users in
# deploy/keycloak/congtam-realm.json (password grant: development only; the realm's
# congtam-api client allows it so a terminal can get a token without a browser).
#
#   TOKEN=$(deploy/kc-token.sh hr.ducgiang)
#   curl -s localhost:8000/graphql -H "Authorization: Bearer $TOKEN" \
#        -H 'Content-Type: application/json' -d '{"query":"{ me { tenantName roles } }"}'
#
# Users: hr.ducgiang, leader.ducgiang, staff.ducgiang, auditor.ducgiang (password congtam-dev).
set -euo pipefail

user="${1:?usage: kc-token.sh USERNAME [PASSWORD]}"
password="${2:-congtam-dev}"
keycloak="${KEYCLOAK_URL:-http://localhost:8080}"

curl -fsS "$keycloak/realms/congtam/protocol/openid-connect/token" \
  -d grant_type=password -d client_id=congtam-api -d scope=openid \
  --data-urlencode "username=$user" --data-urlencode "password=$password" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
