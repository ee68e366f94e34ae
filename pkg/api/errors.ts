/**
 * The one error type a request fails with on purpose: the HTTP status to answer, a stable machine-readable `code`
 * and a message, which pkg/server turns into `{error: {code, message, details}}`. Every layer throws it (query,
 * rts, server); FormatError and UnknownFormatError stay the readers' own and are mapped by the server.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** What a 5xx answers instead of `message` and `details`, which may name internals and go to the log only. */
    readonly publicMessage = 'internal error'
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** 404 for anything looked up by name or id: `notFound(\`profile ${id}\`)`. */
export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);

/** 400 for a query that cannot be run as asked. */
export const badQuery = (message: string, details?: unknown) => new HttpError(400, 'invalid_query', message, details);
