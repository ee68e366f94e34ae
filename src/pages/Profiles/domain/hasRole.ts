import { config } from '@grafana/runtime';

const RANK = { Viewer: 1, Editor: 2, Admin: 3 } as const;
export type OrgRole = keyof typeof RANK;

/** Whether the signed-in user's org role is at least `role` (server admins count as Admin). */
export function hasRole(role: OrgRole): boolean {
  const user = config.bootData?.user;
  if (!user) {
    return false;
  }
  const own = user.isGrafanaAdmin ? 'Admin' : (user.orgRole as OrgRole);
  return (RANK[own] ?? 0) >= RANK[role];
}
