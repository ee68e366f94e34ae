import type { TestDataSourceResponse } from '@grafana/data';
import type { GhcprofApi } from '../infrastructure/GhcprofApi';
import type { RouteScope } from '../types';

/** Scopes a token of each route must hold (admin includes write includes read on the server). */
const ACCEPTED_SCOPES: Record<RouteScope, string[]> = {
  read: ['read', 'write', 'admin'],
  write: ['write', 'admin'],
  admin: ['admin'],
};

/**
 * "Save & test": the server answers /healthz and accepts the read token; the upload and admin tokens are
 * optional, but when present they must carry their scope. The message names exactly what is wrong.
 */
export async function checkConnection(api: GhcprofApi): Promise<TestDataSourceResponse> {
  try {
    await api.health();
  } catch (error) {
    return { status: 'error', message: (error as Error).message };
  }
  let read;
  try {
    read = await api.authCheck('read');
  } catch (error) {
    return { status: 'error', message: (error as Error).message };
  }
  if (!ACCEPTED_SCOPES.read.includes(read.scope)) {
    return { status: 'error', message: `the read token has scope "${read.scope}", expected read, write or admin` };
  }
  const optional = await Promise.all((['write', 'admin'] as const).map((scope) => describeOptionalToken(api, scope)));
  const problems = optional.filter((line) => line.startsWith('wrong'));
  const details = [`read token: tenant "${read.tenant}", scope "${read.scope}"`, ...optional].join('; ');
  if (problems.length > 0) {
    return {
      status: 'error',
      message: `Connected to ghcprof, but ${problems.join('; ')}`,
      details: { message: details },
    };
  }
  return { status: 'success', message: `Connected to ghcprof (tenant "${read.tenant}"). ${details}` };
}

async function describeOptionalToken(api: GhcprofApi, scope: 'write' | 'admin'): Promise<string> {
  try {
    const answer = await api.authCheck(scope);
    return ACCEPTED_SCOPES[scope].includes(answer.scope)
      ? `${scope} token: scope "${answer.scope}"`
      : `wrong ${scope} token: it has scope "${answer.scope}", needs ${ACCEPTED_SCOPES[scope].join(' or ')}`;
  } catch (error) {
    const status = (error as { status?: number }).status;
    return status === 401
      ? `${scope} token: not set (${scope === 'write' ? 'uploads' : 'deletes'} disabled)`
      : `wrong ${scope} route: ${(error as Error).message}`;
  }
}
