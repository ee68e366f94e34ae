// One-shot compose service, after Grafana is up: one Grafana organisation per team (folders are not isolation in
// Grafana OSS: every Viewer of an org may query every data source of that org). Provisioning cannot create orgs,
// and Grafana refuses to start on a provisioning file naming a missing org, so this job
//   1. creates the orgs through Grafana's HTTP API (POST /api/orgs; an existing one is looked up by name),
//   2. checks they have the ids provisioning/teams/*.yaml use (orgId) and the team tokens are bound to,
//   3. copies provisioning/teams/*.yaml into Grafana's live provisioning directory and asks Grafana to reload it.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

/** The organisations of provisioning/teams/ (orgId) and of create-tokens.sh (--grafana-org). */
export const ORGS = [
  { id: 2, name: 'Team A' },
  { id: 3, name: 'Team B' },
];

const GRAFANA = (process.env.GRAFANA_URL ?? 'http://grafana:3000').replace(/\/+$/, '');
const AUTH = `Basic ${Buffer.from(`${process.env.GRAFANA_ADMIN_USER ?? 'admin'}:${process.env.GRAFANA_ADMIN_PASSWORD ?? 'admin'}`).toString('base64')}`;
const TEAMS_DIR = process.env.TEAMS_DIR ?? '/provisioning/teams';
const LIVE_DIR = process.env.LIVE_PROVISIONING_DIR ?? '/grafana-provisioning';

async function api(method, path, body) {
  const res = await fetch(`${GRAFANA}${path}`, {
    method,
    headers: { authorization: AUTH, 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function waitForGrafana() {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${GRAFANA}/api/health`)).ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`Grafana at ${GRAFANA} did not become healthy in 120 s`);
}

async function ensureOrg({ id, name }) {
  const created = await api('POST', '/api/orgs', { name });
  let got;
  if (created.status === 200) {
    got = created.json.orgId;
  } else if (created.status === 409) {
    got = (await api('GET', `/api/orgs/name/${encodeURIComponent(name)}`)).json.id;
  } else {
    throw new Error(`POST /api/orgs ${name}: HTTP ${created.status} ${JSON.stringify(created.json)}`);
  }
  if (got !== id) {
    throw new Error(`org "${name}" has id ${got}, but provisioning/teams and the team tokens expect ${id}`);
  }
  console.log(`org ${id} "${name}" ready`);
}

async function main() {
  await waitForGrafana();
  for (const org of ORGS) {
    await ensureOrg(org);
  }
  copyFileSync(join(TEAMS_DIR, 'datasources.yaml'), join(LIVE_DIR, 'datasources', 'teams.yaml'));
  copyFileSync(join(TEAMS_DIR, 'dashboards.yaml'), join(LIVE_DIR, 'dashboards', 'teams.yaml'));
  for (const what of ['datasources', 'dashboards']) {
    const res = await api('POST', `/api/admin/provisioning/${what}/reload`);
    if (res.status !== 200) {
      throw new Error(`reloading ${what} provisioning: HTTP ${res.status} ${JSON.stringify(res.json)}`);
    }
  }
  console.log('team data sources and dashboards provisioned into their orgs');
}

if (process.argv[1]?.endsWith('grafana-orgs.mjs')) {
  main().catch((err) => {
    console.error(`grafana-orgs: ${err.message}`);
    process.exit(1);
  });
}
