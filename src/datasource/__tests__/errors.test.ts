import { describeFailure, GhcprofRequestError, NOTHING_TO_SHOW_CODES } from '../domain/errors';

describe('describeFailure', () => {
  it('tells a network failure and a proxy gateway error apart from server answers', () => {
    expect(describeFailure({ status: 0 }, 'read')).toBe(
      'ghcprof server unreachable (network error); check the server URL in the data source settings and that ghcprof serve is running'
    );
    expect(describeFailure({ status: 504, data: { message: 'Gateway Timeout' } }, 'read')).toContain(
      'unreachable (504: Gateway Timeout)'
    );
  });

  it('names the token field to fix for 401 on each route', () => {
    const unauthorized = { status: 401, data: { error: { code: 'unauthorized', message: 'unknown token' } } };
    expect(describeFailure(unauthorized, 'write')).toBe(
      'ghcprof rejected the upload token (401 unauthorized: unknown token); set a valid token in the data source settings ("Upload token")'
    );
    expect(describeFailure(unauthorized, 'admin')).toContain('("Admin token")');
  });

  it('separates a token without the scope (ghcprof 403) from a role Grafana refused (proxy 403)', () => {
    expect(
      describeFailure(
        { status: 403, data: { error: { code: 'forbidden', message: 'token scope read cannot write' } } },
        'write'
      )
    ).toBe(
      'the upload token lacks the scope for this call (403 forbidden: token scope read cannot write); create one with ghcprof token create --scope write'
    );
    expect(describeFailure({ status: 403, data: { message: 'plugin proxy route access denied' } }, 'admin')).toBe(
      'Grafana denied the admin route for your role (403: plugin proxy route access denied)'
    );
  });

  it('passes other server errors through with their code', () => {
    expect(
      describeFailure(
        { status: 422, data: { error: { code: 'bad_format', message: 'search.prof line 9: expected COST CENTRE' } } },
        'write'
      )
    ).toBe('ghcprof 422 bad_format: search.prof line 9: expected COST CENTRE');
    expect(describeFailure({ status: 500, statusText: 'Internal Server Error' }, 'read')).toBe(
      'ghcprof 500: Internal Server Error'
    );
    expect(describeFailure(undefined, 'read')).toContain('unreachable');
  });
});

describe('GhcprofRequestError', () => {
  it('keeps the server error code for callers that treat "nothing to show" differently', () => {
    const error = new GhcprofRequestError('m', 422, { error: { code: 'no_series', message: 'no GHC RTS metrics' } });
    expect(error.code).toBe('no_series');
    expect(NOTHING_TO_SHOW_CODES).toContain(error.code);
    expect(new GhcprofRequestError('m', 502, { message: 'Bad Gateway' }).code).toBeUndefined();
  });
});
