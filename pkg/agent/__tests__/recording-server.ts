/**
 * A small node:http server for the agent's unit tests: records every request and follows the ghcprof upload
 * protocol (POST /api/v1/profiles idempotent by sha256, POST /api/v1/profiles/:id/append?offset=N) on an
 * in-memory map, with failures injected on demand. The end-to-end tests in test/agent use the real server.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { API_PREFIX } from '../../api/paths';
import type { ProfileMeta } from '../../api/query';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Decompressed body. */
  body: Buffer;
}

export interface StoredArtefact {
  id: string;
  labels: Record<string, string>;
  content: Buffer;
}

export interface InjectedFailure {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class RecordingServer {
  readonly requests: RecordedRequest[] = [];
  readonly profiles = new Map<string, StoredArtefact>();
  /** Answers for the next requests, in order, instead of handling them. */
  readonly failures: InjectedFailure[] = [];
  /** Largest stored content: an append beyond it is refused with 413, as the real server's --max-upload-bytes. */
  maxContentBytes = Infinity;
  private server: Server | null = null;
  private nextId = 1;

  static async start(): Promise<RecordingServer> {
    const s = new RecordingServer();
    s.server = createServer((req, res) => void s.handle(req, res));
    await new Promise<void>((resolve) => s.server!.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    });
    const reply = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(json));
    };
    const failure = this.failures.shift();
    if (failure)
      return reply(
        failure.status,
        failure.body ?? { error: { code: 'injected', message: `injected ${failure.status}` } },
        failure.headers
      );
    if (req.headers.authorization !== 'Bearer test-token')
      return reply(401, { error: { code: 'unauthorized', message: 'bad token' } });
    if (url.pathname === `${API_PREFIX}/profiles` && req.method === 'POST') return this.upload(url, body, reply);
    const append = /^\/api\/v1\/profiles\/([^/]+)\/append$/.exec(url.pathname);
    if (append && req.method === 'POST')
      return this.append(append[1], Number(url.searchParams.get('offset')), body, reply);
    reply(404, { error: { code: 'not_found', message: url.pathname } });
  }

  private upload(url: URL, body: Buffer, reply: (s: number, j: unknown) => void): void {
    const sha = createHash('sha256').update(body).digest('hex');
    const existing = [...this.profiles.values()].find(
      (p) => createHash('sha256').update(p.content).digest('hex') === sha
    );
    if (existing) return reply(200, metaOf(existing));
    const labels = Object.fromEntries(
      url.searchParams.getAll('label').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])
    );
    const id = `p${this.nextId++}`;
    const stored = { id, labels, content: body };
    this.profiles.set(id, stored);
    reply(201, metaOf(stored));
  }

  private append(id: string, offset: number, body: Buffer, reply: (s: number, j: unknown) => void): void {
    const stored = this.profiles.get(id);
    if (!stored) return reply(404, { error: { code: 'not_found', message: `profile ${id}` } });
    if (offset > stored.content.length) {
      return reply(409, {
        error: { code: 'append_conflict', message: 'gap', details: { storedBytes: stored.content.length } },
      });
    }
    const overlap = Math.min(stored.content.length - offset, body.length);
    if (!stored.content.subarray(offset, offset + overlap).equals(body.subarray(0, overlap))) {
      return reply(409, {
        error: { code: 'append_conflict', message: 'mismatch', details: { storedBytes: stored.content.length } },
      });
    }
    if (offset + body.length > this.maxContentBytes) {
      return reply(413, { error: { code: 'too_large', message: `larger than ${this.maxContentBytes} bytes` } });
    }
    const changed = offset + body.length > stored.content.length;
    if (changed) stored.content = Buffer.concat([stored.content.subarray(0, offset), body]);
    reply(200, { profile: metaOf(stored), changed, storedBytes: stored.content.length });
  }
}

/** What the real server answers for a stored profile (the client checks answers against the API's schemas). */
function metaOf(stored: StoredArtefact): ProfileMeta {
  return {
    id: stored.id,
    kind: 'hp',
    labels: stored.labels,
    startTime: 0,
    endTime: null,
    timeSource: 'upload',
    program: '',
    rtsArguments: [],
    size: stored.content.length,
    sha256: createHash('sha256').update(stored.content).digest('hex'),
    uploader: null,
    createdAt: 0,
    warnings: [],
    has: { tree: false, heap: false, rts: false },
    heapMode: null,
  };
}
