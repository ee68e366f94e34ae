/**
 * The services overview: one summary per value of the `service` label among the profiles a selection matches (the
 * app's landing page). Per service: profile and pod counts, the newest profile, and a leak indicator (the steepest
 * rising heap band over the service's heap series, with its R²). RTS sparklines are separate `rts` queries.
 */
import type { FramesResponse } from '../api/dataframe';
import type { ProfileMeta, ServicesQuery } from '../api/query';
import { ownValue } from '../api/records';
import { leakTable } from '../model/heap';
import { type LeakIndicator, servicesFrame, type ServiceSummary } from '../frames/services';
import { heapSeriesOf } from './heap';
import { cappedNotice, type QueryContext, selectProfiles } from './selection';

/** The label that names a service (Prometheus' Kubernetes conventions, as the dashboards' `$service`). */
export const SERVICE_LABEL = 'service';

/** Profiles by service label value (profiles without one are left out: they belong to no service). */
export function groupByService(profiles: ProfileMeta[]): Map<string, ProfileMeta[]> {
  const groups = new Map<string, ProfileMeta[]>();
  for (const p of profiles) {
    const service = ownValue(p.labels, SERVICE_LABEL);
    if (service !== undefined) {
      groups.set(service, [...(groups.get(service) ?? []), p]);
    }
  }
  return groups;
}

/**
 * The steepest band over every heap series of the service, among all its bands (a top-N cut would put the rest into
 * `other`, which is no band one could fix).
 */
async function leakIndicator(
  ctx: QueryContext,
  profiles: ProfileMeta[],
  splitBy: string
): Promise<LeakIndicator | undefined> {
  const heaps = profiles.filter((p) => p.has.heap);
  let steepest: LeakIndicator | undefined;
  for (const s of await heapSeriesOf(ctx, heaps, splitBy)) {
    const [top] = leakTable(s.combined.heap);
    if (top && (!steepest || top.slope > steepest.row.slope)) {
      steepest = { labels: s.labels, row: top };
    }
  }
  return steepest;
}

async function summaryOf(ctx: QueryContext, service: string, profiles: ProfileMeta[], q: ServicesQuery) {
  const newest = profiles.reduce((a, b) => (b.startTime > a.startTime ? b : a));
  const pods = new Set(profiles.map((p) => ownValue(p.labels, q.splitBy)).filter((v) => v !== undefined));
  const summary: ServiceSummary = {
    service,
    profiles: profiles.length,
    pods: pods.size,
    newest,
    leak: await leakIndicator(ctx, profiles, q.splitBy),
  };
  return summary;
}

export async function servicesQuery(ctx: QueryContext, q: ServicesQuery, refId?: string): Promise<FramesResponse> {
  const selected = await selectProfiles(ctx, q);
  const summaries: ServiceSummary[] = [];
  for (const [service, profiles] of groupByService(selected.profiles)) {
    summaries.push(await summaryOf(ctx, service, profiles, q));
  }
  return {
    frames: [
      servicesFrame(summaries, {
        refId,
        minR2: q.minR2,
        splitBy: q.splitBy,
        notices: cappedNotice(selected, ctx.maxProfiles),
      }),
    ],
  };
}
