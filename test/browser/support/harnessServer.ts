import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export type Tokens = Record<'read' | 'write' | 'admin', string>;

/** One data source instance as Grafana's proxy sees it: the server URL (jsonData.url) and the route tokens. */
export interface Instance {
  url: string;
  tokens: Tokens;
}

const PROXY = /^\/proxy\/uid\/([\w-]+)\/(read|write|admin)(\/.*)$/;

/**
 * Serves the harness page and bundle, and plays Grafana's data proxy for data source instances:
 * `/proxy/uid/<uid>/<route>/...` is forwarded to that instance's server with that route's token, as plugin.json's
 * routes make Grafana do. A target that cannot be reached answers 502 like Grafana's proxy.
 */
export async function startHarnessServer(
  bundlePath: string,
  instances: Record<string, Instance>
): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    handle(request, response, bundlePath, instances).catch((error: Error) => {
      response.writeHead(502, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ message: `Bad Gateway: ${error.message}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  bundlePath: string,
  instances: Record<string, Instance>
) {
  const url = new URL(request.url ?? '/', 'http://harness');
  const proxied = PROXY.exec(url.pathname);
  if (proxied) {
    const [, uid, route, path] = proxied as unknown as [string, string, keyof Tokens, string];
    const { url: ghcprofUrl, tokens } = instances[uid];
    const body = await readBody(request);
    const answer = await fetch(`${ghcprofUrl}${path}${url.search}`, {
      method: request.method,
      headers: {
        Authorization: `Bearer ${tokens[route]}`,
        ...(request.headers['content-type'] ? { 'Content-Type': request.headers['content-type'] } : {}),
      },
      body: body.length > 0 ? new Uint8Array(body) : undefined,
    });
    response.writeHead(answer.status, {
      'Content-Type': answer.headers.get('content-type') ?? 'application/octet-stream',
    });
    response.end(Buffer.from(await answer.arrayBuffer()));
    return;
  }
  if (url.pathname === '/bundle.js') {
    response.writeHead(200, { 'Content-Type': 'text/javascript' });
    response.end(readFileSync(bundlePath));
    return;
  }
  if (url.pathname === '/bundle.css') {
    response.writeHead(200, { 'Content-Type': 'text/css' });
    const css = bundlePath.replace(/\.js$/, '.css');
    response.end(existsSync(css) ? readFileSync(css) : '');
    return;
  }
  response.writeHead(200, { 'Content-Type': 'text/html' });
  response.end(readFileSync(join(__dirname, '..', 'harness', 'index.html')));
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
