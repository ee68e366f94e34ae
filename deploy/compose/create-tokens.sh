#!/bin/sh
# One-shot compose service: creates the tokens the stack needs, once, into the shared `ghcprof-tokens` volume.
# Grafana's provisioning reads them with $__file{...}; the agent with --token-file. Re-running keeps existing ones.
#   grafana-read / grafana-write / grafana-admin   tenant "demo": the main ghcprof datasource (one token per scope)
#   agent                                          tenant "demo", write: the demo service's sidecar
#   team-a-read / team-b-read                      tenants "team-a" / "team-b", bound to Grafana orgs 2 / 3: the
#                                                  teams example (provisioning/teams, grafana-orgs.mjs)
# It also copies provisioning/ (all but teams/, whose orgs do not exist yet) into Grafana's live provisioning
# directory; the grafana-orgs job adds teams/ once it has created the orgs.
set -eu
DB="${GHCPROF_DB:-/data/ghcprof.db}"
OUT="${TOKENS_DIR:-/tokens}"

create() { # NAME TENANT SCOPE [GRAFANA_ORG]
  if [ -s "$OUT/$1" ]; then
    echo "token $1 exists"
    return
  fi
  token=$(node /app/bin/ghcprof.js token create --db "$DB" --tenant "$2" --scope "$3" --name "compose-$1" \
    ${4:+--grafana-org "$4"} | tail -n 1)
  # No trailing newline: the file's content is the secret, as Grafana's $__file{} reads it.
  printf '%s' "$token" > "$OUT/$1.tmp"
  mv "$OUT/$1.tmp" "$OUT/$1"
  echo "created token $1 (tenant $2, scope $3)"
}

create grafana-read demo read
create grafana-write demo write
create grafana-admin demo admin
create agent demo write
create team-a-read team-a read 2
create team-b-read team-b read 3

if [ -n "${PROVISIONING_SRC:-}" ]; then
  LIVE="${LIVE_PROVISIONING_DIR:-/grafana-provisioning}"
  for dir in datasources dashboards plugins alerting; do
    rm -rf "${LIVE:?}/$dir"
    cp -R "$PROVISIONING_SRC/$dir" "$LIVE/$dir"
  done
  echo "provisioning copied to $LIVE (teams/ follows once the orgs exist)"
fi
