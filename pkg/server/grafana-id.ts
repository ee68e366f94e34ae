/**
 * Grafana's signed ID token (issue 12 §2): with the `idForwarding` feature, Grafana's data proxy adds
 * `X-Grafana-Id: <JWT>` to every datasource request (proxyutil.ApplyForwardIDHeader, called from
 * pkg/api/pluginproxy/ds_proxy.go). The token is ES256-signed with a key Grafana publishes at
 * `<grafana>/api/signing-keys/keys` (a JWKS) and says who is asking and from which organisation
 * (pkg/services/auth/idimpl): `iss` Grafana's root URL, `aud` ["org:<id>"], `sub` "user:<uid>", `exp` 10 minutes
 * after signing, and for users `username`, `email`, `namespace` ("default" for org 1, "org-<id>" otherwise).
 *
 * A ghcprof token bound to Grafana orgs (`token create --grafana-org N`) is only honoured together with such a token
 * for one of its orgs: a Viewer of another org who reads the datasource's secret still gets nothing, and the user
 * recorded as uploader and in the audit log is the one Grafana signed for, not the spoofable `X-Grafana-User`.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { HttpError } from '../api/errors';

export const GRAFANA_ID_HEADER = 'x-grafana-id';
export const SIGNING_KEYS_PATH = '/api/signing-keys/keys';

/** What a verified ID token says. */
export interface GrafanaIdentity {
  /** `sub`: `user:<uid>` (or `service-account:<uid>`). */
  subject: string;
  /** The login, for users; null for other identities. */
  username: string | null;
  email: string | null;
  /** The org of `aud` that the ghcprof token is bound to. */
  org: number;
}

export interface GrafanaIdOptions {
  /** The `iss` to expect (Grafana's root_url) when it is not the URL the keys are fetched from. */
  issuer?: string;
  /** Least time between two fetches of the keys caused by an unknown `kid` (jose's cooldown); default 30 s. */
  refetchCooldownMs?: number;
  /** Keys are fetched again after this long even when every `kid` is known; default 10 min. */
  cacheMaxAgeMs?: number;
  timeoutMs?: number;
}

const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message);

/** Grafana writes `iss` from its root_url, which it always ends with `/`; the flag may be given either way. */
function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export class GrafanaIdVerifier {
  readonly issuer: string;
  readonly keysUrl: string;
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(grafanaUrl: string, opts: GrafanaIdOptions = {}) {
    this.issuer = withoutTrailingSlash(opts.issuer ?? grafanaUrl);
    this.keysUrl = `${withoutTrailingSlash(grafanaUrl)}${SIGNING_KEYS_PATH}`;
    // jose caches the key set, fetches it again for a `kid` it does not know (key rotation) at most once per
    // cooldown, so a flood of tokens with made-up key ids cannot make the server hammer Grafana.
    this.keys = createRemoteJWKSet(new URL(this.keysUrl), {
      cooldownDuration: opts.refetchCooldownMs ?? 30_000,
      cacheMaxAge: opts.cacheMaxAgeMs ?? 600_000,
      timeoutDuration: opts.timeoutMs ?? 5000,
    });
  }

  /** The identity in `header`, checked against the orgs the ghcprof token is bound to; throws 401/403 saying why. */
  async verify(header: string | string[] | undefined, orgs: readonly number[]): Promise<GrafanaIdentity> {
    const bound = `this token is bound to Grafana org ${orgs.join(', ')}`;
    const token = Array.isArray(header) ? header[0] : header;
    if (!token) {
      throw unauthorized(
        `${bound}: the request must carry Grafana's signed ID token (X-Grafana-Id; Grafana's idForwarding feature)`
      );
    }
    const payload = await this.verifySignature(token);
    const audience = [payload.aud ?? []].flat();
    const org = orgs.find((o) => audience.includes(`org:${o}`));
    if (org === undefined) {
      throw new HttpError(403, 'forbidden', `${bound}; the ID token is for ${audience.join(', ') || 'no org'}`);
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw unauthorized('X-Grafana-Id has no subject (sub)');
    }
    return {
      subject: payload.sub,
      username: typeof payload.username === 'string' && payload.username !== '' ? payload.username : null,
      email: typeof payload.email === 'string' && payload.email !== '' ? payload.email : null,
      org,
    };
  }

  private async verifySignature(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.keys, { algorithms: ['ES256'], requiredClaims: ['exp'] });
      const issuer = typeof payload.iss === 'string' ? withoutTrailingSlash(payload.iss) : '';
      if (issuer !== this.issuer) {
        throw unauthorized(
          `X-Grafana-Id was issued by ${JSON.stringify(payload.iss ?? null)}, not by the Grafana this server trusts (${this.issuer})`
        );
      }
      return payload;
    } catch (err) {
      throw describe(err, this.keysUrl);
    }
  }
}

/** A 401 that says what was wrong with the token (or 503 when Grafana's keys cannot be had). */
function describe(err: unknown, keysUrl: string): HttpError {
  if (err instanceof HttpError) {
    return err;
  }
  if (err instanceof joseErrors.JWTExpired) {
    const exp = typeof err.payload.exp === 'number' ? new Date(err.payload.exp * 1000).toISOString() : 'unknown';
    return unauthorized(`X-Grafana-Id expired at ${exp}`);
  }
  if (err instanceof joseErrors.JWKSNoMatchingKey) {
    return unauthorized(`X-Grafana-Id is signed with a key that Grafana does not publish at ${keysUrl}`);
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
    return unauthorized(`X-Grafana-Id's signature does not verify with Grafana's key`);
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) {
    return unauthorized('X-Grafana-Id must be signed with ES256, as Grafana signs ID tokens');
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    return unauthorized(`X-Grafana-Id: ${err.message} (claim ${err.claim})`);
  }
  if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid || isFetchError(err)) {
    return keysUnavailable(keysUrl);
  }
  if (err instanceof joseErrors.JOSEError) {
    return unauthorized(`X-Grafana-Id is not a valid signed token (${err.code})`);
  }
  return keysUnavailable(keysUrl);
}

function keysUnavailable(keysUrl: string): HttpError {
  const message = "cannot fetch Grafana's signing keys to verify X-Grafana-Id; retry later";
  return new HttpError(503, 'grafana_keys_unavailable', `${message} (${keysUrl})`, undefined, message);
}

function isFetchError(err: unknown): boolean {
  return err instanceof TypeError || (err instanceof Error && err.name === 'AbortError');
}
