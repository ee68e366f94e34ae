/** Route-level zod schemas of the server (params, query strings); the payload schemas live in pkg/api/query.ts. */
import { z } from 'zod';
import { ErrorBodySchema, ProfileKindSchema, Selector } from '../api/query';

/** Profile ids as the stores make them: short, URL-safe. */
export const IdParamsSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'invalid profile id') });

export const LabelNameParamsSchema = z.object({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/, 'invalid label name'),
});

/**
 * A non-negative integer in a query string: decimal digits only, as the API documents it (`0x10`, `1e3`, `+5` and
 * ` 5`, which Number() would take, are refused with 400).
 */
function decimalInteger(max: number) {
  return z
    .string()
    .regex(/^\d{1,16}$/, 'expected a decimal integer (digits 0-9 only)')
    .transform(Number)
    .pipe(z.number().int().max(max));
}

/** Query-string time: ms since epoch or a Grafana relative string. */
const QueryTime = z.string().min(1).max(64);

export const SelectorQuerySchema = z.object({
  selector: Selector.optional(),
  from: QueryTime.optional(),
  to: QueryTime.optional(),
});

export const ProfileListQuerySchema = SelectorQuerySchema.extend({
  kind: ProfileKindSchema.optional(),
  limit: decimalInteger(10_000).pipe(z.number().min(1)).default(100),
});

export const UploadQuerySchema = z.object({
  /** `label=service%3Dapi&label=pod%3Dapi-0`: repeated name=value pairs. */
  label: z.union([z.string().max(2048), z.array(z.string().max(2048)).max(64)]).optional(),
  /** Start of the run (ms since epoch or relative), used when the artefact does not record it. */
  start: QueryTime.optional(),
  /** Accept an artefact that ends early (a file still being written); default: refuse it with 422. */
  partial: z.enum(['true', 'false', '1', '0']).optional(),
});

export const AppendQuerySchema = z.object({
  /** Byte offset of the body in the complete artefact; absent: the body is the complete artefact so far. */
  offset: decimalInteger(Number.MAX_SAFE_INTEGER).optional(),
});

export const HealthResponseSchema = z.object({ status: z.string() });

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 502 | 503;

/** Error responses a route declares (OpenAPI and serialisation), all the same body. */
export function errorResponses(...codes: ErrorStatus[]): Record<number, typeof ErrorBodySchema> {
  const all = new Set<ErrorStatus>([400, 401, 403, 429, 500, ...codes]);
  return Object.fromEntries([...all].map((c) => [c, ErrorBodySchema]));
}
