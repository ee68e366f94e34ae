/**
 * The API's one error shape (`{error: {code, message, details}}`) and the single error handler that produces it.
 * Messages are returned only for status < 500; server errors are logged with the request context and answered
 * with a generic message.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { FormatError, UnknownFormatError } from '../formats/errors';
import { HttpError } from '../api/errors';

interface ErrorReply {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

/** Fastify's own error codes that carry a client status, renamed to the API's vocabulary. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_TYPE: 'unsupported_media_type',
};

function classify(err: FastifyError | Error): ErrorReply {
  if (err instanceof HttpError) {
    // 5xx keep their code (a 502 says the RTS source failed); their message and details stay in the log.
    const exposed = err.statusCode < 500;
    const message = exposed ? err.message : err.publicMessage;
    return { status: err.statusCode, code: err.code, message, details: exposed ? err.details : undefined };
  }
  if (err instanceof FormatError) {
    const details = { format: err.format, file: err.file, line: err.line, offset: err.offset };
    return { status: 422, code: 'invalid_artefact', message: err.message, details };
  }
  if (err instanceof UnknownFormatError) {
    return { status: 415, code: 'unknown_format', message: err.message };
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map((v) => ({ path: v.instancePath, message: v.message }));
    const where = (err as FastifyError).validationContext ?? 'request';
    const first = issues[0];
    const message = `invalid ${where}${first ? `: ${first.path || '/'} ${first.message}` : ''}`;
    return { status: 400, code: 'invalid_request', message, details: issues };
  }
  if (isResponseSerializationError(err)) {
    return { status: 500, code: 'internal', message: 'internal error' };
  }
  const status = (err as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) {
    const fcode = (err as FastifyError).code;
    const code = (fcode && FASTIFY_CODES[fcode]) ?? (status === 429 ? 'rate_limited' : 'bad_request');
    return { status, code, message: err.message };
  }
  return { status: 500, code: 'internal', message: 'internal error' };
}

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const r = classify(err);
    if (r.status >= 500) {
      request.log.error(
        { err, url: request.url, method: request.method, tenant: request.auth?.tenant },
        'request failed'
      );
      return reply.status(r.status).send(errorBody(r.code, r.message));
    }
    request.log.info({ status: r.status, code: r.code, msg: r.message }, 'request rejected');
    return reply.status(r.status).send(errorBody(r.code, r.message, r.details));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
