/**
 * A query's selection (label selector + time range, or explicit profile ids) -> the tenant's stored profiles.
 */
import type { ProfileMeta, Selection } from '../api/query';
import { parseSelector } from '../api/selector';
import type { LabelMatcher } from '../api/selector';
import type { ProfileFilter, Store } from '../store/store';
import { badQuery, notFound } from '../api/errors';
import { resolveRange } from './time';

export interface QueryContext {
  store: Store;
  tenant: string;
  /** Most profiles one query reads; more matching ones are left out and a notice says so. */
  maxProfiles: number;
  now?: number;
}

export interface SelectedProfiles {
  profiles: ProfileMeta[];
  /** True when more profiles matched than maxProfiles. */
  capped: boolean;
}

export function matchersOf(selector: string | undefined): LabelMatcher[] {
  const text = (selector ?? '').trim();
  if (text === '' || text === '{}') {
    return [];
  }
  try {
    return parseSelector(text);
  } catch (err) {
    throw badQuery(`invalid selector: ${(err as Error).message}`);
  }
}

export function filterOf(
  sel: Pick<Selection, 'selector' | 'from' | 'to'>,
  extra: Omit<ProfileFilter, 'matchers' | 'from' | 'to'> = {},
  now?: number
): ProfileFilter {
  return { matchers: matchersOf(sel.selector), ...resolveRange(sel.from, sel.to, now), ...extra };
}

export async function selectProfiles(
  ctx: QueryContext,
  sel: Selection,
  has?: ProfileFilter['has'],
  kind?: ProfileFilter['kind']
): Promise<SelectedProfiles> {
  if (sel.profileIds && sel.profileIds.length > 0) {
    const profiles: ProfileMeta[] = [];
    for (const id of [...new Set(sel.profileIds)]) {
      const meta = await ctx.store.getProfile(ctx.tenant, id);
      if (!meta) {
        throw notFound(`profile ${id}`);
      }
      if ((!has || meta.has[has]) && (!kind || meta.kind === kind)) {
        profiles.push(meta);
      }
    }
    return { profiles, capped: false };
  }
  const filter = filterOf(sel, { has, kind, limit: ctx.maxProfiles + 1 }, ctx.now);
  const found = await ctx.store.listProfiles(ctx.tenant, filter);
  return { profiles: found.slice(0, ctx.maxProfiles), capped: found.length > ctx.maxProfiles };
}

export function cappedNotice(sel: SelectedProfiles, max: number) {
  return sel.capped
    ? [
        {
          severity: 'warning' as const,
          text: `more than ${max} profiles match: only the ${max} latest are included; narrow the selector or range`,
        },
      ]
    : [];
}
