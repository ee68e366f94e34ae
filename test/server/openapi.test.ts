/** The OpenAPI document is generated from the same zod schemas the routes validate with, and lists every route. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { QUERY_TYPES } from '../../pkg/api/query';
import { stopPostgres, type TestEnv, testEnv } from './support';

after(stopPostgres);

const EXPECTED: Record<string, string[]> = {
  '/api/v1/auth/check': ['get'],
  '/api/v1/profiles': ['get', 'post'],
  '/api/v1/profiles/{id}': ['delete', 'get'],
  '/api/v1/profiles/{id}/raw': ['get'],
  '/api/v1/profiles/{id}/append': ['post'],
  '/api/v1/labels': ['get'],
  '/api/v1/labels/{name}/values': ['get'],
  '/api/v1/benchmarks/names': ['get'],
  '/api/v1/benchmarks/metrics': ['get'],
  ...Object.fromEntries(QUERY_TYPES.map((t) => [`/api/v1/query/${t}`, ['post']])),
};

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        summary?: string;
        responses: Record<string, unknown>;
        requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
        parameters?: Array<{ name: string; in: string }>;
      }
    >
  >;
};

describe('OpenAPI document', () => {
  let env: TestEnv;
  let doc: Doc;
  const routes: string[] = [];

  before(async () => {
    env = await testEnv('sqlite');
    const res = await env.app.inject({ url: '/api/v1/openapi.json' });
    assert.equal(res.statusCode, 200);
    doc = res.json();
    // Every route the app registered under /api/v1, from fastify's own route table.
    collectRoutes(env.app, routes);
  });
  after(async () => env.close());

  it('is OpenAPI 3 and served without a token', () => {
    assert.match(doc.openapi, /^3\./);
  });

  it('lists exactly the /api/v1 routes, with their methods', () => {
    const listed = Object.fromEntries(Object.entries(doc.paths).map(([p, ops]) => [p, Object.keys(ops).sort()]));
    assert.deepEqual(listed, Object.fromEntries(Object.entries(EXPECTED).map(([p, m]) => [p, [...m].sort()])));
  });

  it('documents every registered API route (nothing registered is missing from the document)', () => {
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
    );
    const registered = routes.filter((r) => !r.endsWith('/openapi.json'));
    assert.equal(registered.length, Object.values(EXPECTED).flat().length);
    for (const r of registered) {
      assert.ok(documented.has(r), `${r} not in the OpenAPI document`);
    }
  });

  it('declares the auth and limit errors on every route and a summary', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const code of ['400', '401', '403', '429', '500']) {
          assert.ok(op.responses[code], `${method} ${path} lacks ${code}`);
        }
        assert.ok(op.summary, `${method} ${path} has no summary`);
      }
    }
    assert.ok(doc.paths['/api/v1/profiles'].post.responses['413']);
    assert.ok(doc.paths['/api/v1/profiles'].post.responses['415']);
    assert.ok(doc.paths['/api/v1/profiles'].post.responses['422']);
    assert.ok(doc.paths['/api/v1/profiles/{id}'].get.responses['404']);
  });

  it('describes uploads as binary bodies and queries by their zod schemas', () => {
    for (const path of ['/api/v1/profiles', '/api/v1/profiles/{id}/append']) {
      assert.deepEqual(Object.keys(doc.paths[path].post.requestBody!.content), ['application/octet-stream']);
    }
    const flame = doc.paths['/api/v1/query/flamegraph'].post.requestBody!.content['application/json'].schema as {
      properties: Record<string, { enum?: string[]; default?: unknown }>;
    };
    assert.deepEqual(flame.properties.metric.enum, ['time', 'alloc', 'entries']);
    assert.equal(flame.properties.maxNodes.default, 16384);
    const labels = doc.paths['/api/v1/profiles'].post.parameters!.map((p) => `${p.in}:${p.name}`);
    assert.deepEqual(labels.sort(), ['query:label', 'query:partial', 'query:start']);
  });

  it('compiles: every schema in it is valid JSON Schema', () => {
    const ajv = new Ajv({ strict: false, validateFormats: true });
    addFormats(ajv);
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        for (const media of Object.values(op.requestBody?.content ?? {})) {
          ajv.compile(media.schema);
        }
        for (const response of Object.values(op.responses) as Array<{ content?: Record<string, { schema: object }> }>) {
          for (const media of Object.values(response.content ?? {})) {
            ajv.compile(media.schema);
          }
        }
      }
    }
  });
});

/** `METHOD /path/{param}` of every route under /api/v1, read from fastify's printed route tree. */
function collectRoutes(app: FastifyInstance, out: string[]): void {
  const prefixes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?/.exec(line);
    if (!m) {
      continue;
    }
    const depth = m[1].length / 4;
    prefixes.length = depth;
    const path = (prefixes[depth - 1] ?? '') + m[2];
    prefixes.push(path);
    for (const method of (m[3] ?? '').split(', ').filter((x) => x && x !== 'HEAD')) {
      if (path.startsWith('/api/v1/')) {
        out.push(`${method} ${path.replace(/:([a-zA-Z]+)/g, '{$1}')}`);
      }
    }
  }
}
