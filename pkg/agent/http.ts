/** The agent's own HTTP endpoints, for the kubelet's probes and Prometheus: GET /healthz and GET /metrics. */
import { createServer, type Server } from 'node:http';
import type { AgentMetrics } from './metrics';

export interface AgentHealth {
  status: 'ok' | 'degraded';
  queuePieces: number;
  queueBytes: number;
  lastSuccessAt: number | null;
  lastError: string | null;
}

export async function serveAgentEndpoints(
  address: string,
  health: () => AgentHealth,
  metrics: AgentMetrics
): Promise<Server> {
  const { host, port } = parseListen(address);
  const http = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(health()));
    } else if (req.method === 'GET' && path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500).end(err.message)
      );
    } else {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'not_found', message: `${path}: try /healthz or /metrics` } }));
    }
  });
  await new Promise<void>((done, fail) => {
    http.once('error', fail);
    http.listen(port, host, () => done());
  });
  return http;
}

export function parseListen(address: string): { host: string; port: number } {
  const m = /^(?:\[?([^\]]*)\]?:)?(\d+)$/.exec(address.trim());
  if (!m) throw new Error(`--listen "${address}": expected HOST:PORT or PORT (e.g. 127.0.0.1:9090)`);
  return { host: m[1] || '127.0.0.1', port: Number(m[2]) };
}
