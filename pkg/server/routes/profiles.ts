/**
 * Profiles: upload (raw body, any content type, gzip accepted), list, metadata, raw download, delete, append.
 * Thin: parsing, limits and storage rules live in pkg/query/ingest.ts and pkg/query/append.ts.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AppendResponseSchema,
  ProfileListResponseSchema,
  ProfileMetaSchema,
  UploadResponseSchema,
} from '../../api/query';
import { formatReader } from '../../formats';
import { appendToProfile } from '../../query/append';
import { decodeUpload, ingest, parseUploadLabels } from '../../query/ingest';
import { filterOf } from '../../query/selection';
import { resolveTime } from '../../query/time';
import { requireAuth } from '../auth';
import type { AppContext } from '../context';
import { HttpError, notFound } from '../../api/errors';
import { scopeAllows } from '../tokens';
import { uploadSlots } from '../upload-slots';
import {
  AppendQuerySchema,
  IdParamsSchema,
  ProfileListQuerySchema,
  UploadQuerySchema,
  errorResponses,
} from '../schemas';
import { API_PREFIX } from '../../api/paths';

const RAW_BODY = 'The artefact as written by GHC (.prof, -pj JSON, .hp, .eventlog), optionally gzip-compressed';

export function profileRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    const { store, config, metrics } = ctx;
    // Uploads are raw files whatever Content-Type the client sends (curl defaults to form encoding, -pj is JSON).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.maxUploadBytes }, (_req, body, done) =>
      done(null, body)
    );
    const rawBody = (request: { body: unknown }) => (Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0));
    // One cap shared by uploads and appends, taken before the body is read.
    const slots = uploadSlots(
      {
        max: config.maxConcurrentUploads,
        minBytesPerSecond: config.minUploadBytesPerSecond,
        graceMs: config.uploadRateGraceMs,
      },
      metrics
    );

    app.post(
      '/profiles',
      {
        config: { scope: 'write', rawUpload: true },
        bodyLimit: config.maxUploadBytes,
        ...slots,
        schema: {
          summary: 'Upload a profiling artefact (kind detected from the content)',
          description:
            `${RAW_BODY}. Idempotent: the same bytes again answer 200 with the stored profile. ` +
            'A cut-off artefact is refused (422) unless partial=true (a file still being written).',
          querystring: UploadQuerySchema,
          response: { 200: UploadResponseSchema, 201: UploadResponseSchema, ...errorResponses(413, 415, 422, 503) },
        },
      },
      async (request, reply) => {
        const auth = requireAuth(request);
        const { bytes: raw, damage } = await decodeUpload(
          rawBody(request),
          request.headers['content-encoding'],
          config.maxUploadBytes
        );
        const { meta, created } = await ingest(store, raw, {
          damage,
          tenant: auth.tenant,
          labels: parseUploadLabels([request.query.label ?? []].flat()),
          start: request.query.start === undefined ? undefined : resolveTime(request.query.start, Date.now()),
          uploader: auth.user,
          auditUser: auth.auditUser,
          tokenId: auth.tokenId,
          file: 'upload',
          maxBytes: config.maxUploadBytes,
          allowPartial: request.query.partial === 'true' || request.query.partial === '1',
          redact: config.redact,
        });
        metrics.uploads.inc({ kind: meta.kind, result: created ? 'created' : 'existing' });
        return reply
          .status(created ? 201 : 200)
          .header('location', `${API_PREFIX}/profiles/${meta.id}`)
          .send(meta);
      }
    );

    app.post(
      '/profiles/:id/append',
      {
        config: { scope: 'write', rawUpload: true },
        bodyLimit: config.maxUploadBytes,
        ...slots,
        schema: {
          summary: 'Grow a stored .hp/.eventlog profile (agent uploads of a file still being written)',
          description:
            `${RAW_BODY}. With offset=N the body holds the artefact from byte N on; without it, the complete artefact so far. ` +
            'Bytes the server already has must match (else 409 with details.storedBytes); repeating a request changes nothing. ' +
            'Each append is stored as one immutable chunk and read from the continuation the previous one left, so it costs ' +
            'what its own bytes cost; appended bytes that do not parse as the format allows are 422 naming the byte offset. ' +
            'A growing profile has no total size cap (each request is bounded by the upload limit).',
          params: IdParamsSchema,
          querystring: AppendQuerySchema,
          response: { 200: AppendResponseSchema, ...errorResponses(404, 409, 413, 415, 422, 503) },
        },
      },
      async (request) => {
        const auth = requireAuth(request);
        const { bytes: body, damage } = await decodeUpload(
          rawBody(request),
          request.headers['content-encoding'],
          config.maxUploadBytes
        );
        if (damage) {
          // A growing artefact's bytes are appended only when they are exactly what the file holds.
          throw new HttpError(422, 'invalid_artefact', `append body: ${damage}; nothing was appended`);
        }
        const result = await appendToProfile(store, {
          tenant: auth.tenant,
          id: request.params.id,
          body,
          offset: request.query.offset,
          uploader: auth.user,
          auditUser: auth.auditUser,
          tokenId: auth.tokenId,
          redact: config.redact,
        });
        if (result.changed) {
          metrics.uploads.inc({ kind: result.meta.kind, result: 'appended' });
        }
        return { profile: result.meta, changed: result.changed, storedBytes: result.storedBytes };
      }
    );

    app.get(
      '/profiles',
      {
        config: { scope: 'read' },
        schema: {
          summary: 'List stored profiles matching a label selector and time range',
          querystring: ProfileListQuerySchema,
          response: { 200: ProfileListResponseSchema, ...errorResponses() },
        },
      },
      async (request) => {
        const { tenant } = requireAuth(request);
        const { kind, limit, ...sel } = request.query;
        return { profiles: await store.listProfiles(tenant, filterOf(sel, { kind, limit })) };
      }
    );

    app.get(
      '/profiles/:id',
      {
        config: { scope: 'read' },
        schema: {
          summary: "A stored profile's metadata",
          params: IdParamsSchema,
          response: { 200: ProfileMetaSchema, ...errorResponses(404) },
        },
      },
      async (request) => {
        const meta = await store.getProfile(requireAuth(request).tenant, request.params.id);
        if (!meta) {
          throw notFound(`profile ${request.params.id}`);
        }
        return meta;
      }
    );

    app.get(
      '/profiles/:id/raw',
      {
        config: { scope: 'read' },
        schema: {
          summary:
            'Download the artefact as stored (decompressed; secrets redacted unless the server runs with --redact=off). ' +
            'Eventlogs (their environment events) need admin scope unless the server runs with --raw-download read',
          params: IdParamsSchema,
          response: {
            200: z.unknown().describe('the artefact bytes (application/octet-stream)'),
            ...errorResponses(403, 404),
          },
        },
      },
      async (request, reply) => {
        const auth = requireAuth(request);
        const { tenant } = auth;
        const id = request.params.id;
        const meta = await store.getProfile(tenant, id);
        if (!meta) {
          throw notFound(`profile ${id}`);
        }
        if (meta.kind === 'eventlog' && !scopeAllows(auth.scope, config.rawDownloadScope)) {
          throw new HttpError(
            403,
            'forbidden',
            `downloading a raw eventlog (it holds the program's environment) needs a token with ${config.rawDownloadScope} scope; the token has ${auth.scope}`
          );
        }
        const name = `${(meta.program || 'profile').replace(/[^A-Za-z0-9_.-]/g, '_')}-${id}.${formatReader(meta.kind).extension}`;
        return (
          reply
            .type('application/octet-stream')
            .header('content-disposition', `attachment; filename="${name}"`)
            // A growing profile streams chunk by chunk: a week-long eventlog is never held whole. (No length: after
            // retention dropped its oldest chunks, it is what remains.)
            .send(Readable.from(store.rawPieces(tenant, id)))
        );
      }
    );

    app.delete(
      '/profiles/:id',
      {
        config: { scope: 'admin' },
        schema: {
          summary: 'Delete a profile (admin scope); recorded in the audit log',
          params: IdParamsSchema,
          response: { 204: z.null().describe('deleted'), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const auth = requireAuth(request);
        const audit = { tenant: auth.tenant, action: 'delete' as const, user: auth.auditUser, tokenId: auth.tokenId };
        if (!(await store.deleteProfile(auth.tenant, request.params.id, audit))) {
          throw notFound(`profile ${request.params.id}`);
        }
        return reply.status(204).send(null);
      }
    );
  };
}
