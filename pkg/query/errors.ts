/** Errors of the query layer that are the caller's fault; the server maps `statusCode` straight to HTTP. */
export class QueryError extends Error {
  constructor(
    readonly statusCode: 400 | 404 | 409 | 413 | 415 | 422,
    readonly code: string,
    message: string,
    readonly details?: unknown
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

export const badQuery = (message: string, details?: unknown) => new QueryError(400, 'invalid_query', message, details);
export const profileNotFound = (id: string) => new QueryError(404, 'not_found', `profile ${id} not found`);
