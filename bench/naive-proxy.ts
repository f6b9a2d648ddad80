/**
 * The baseline proxy most people would write first: it hides the key and nothing else. Each POST becomes a
 * NavTalk /generate and each GET a /query_status, one for one: no coalescing, no cache, no long-poll.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NaiveProxy {
  url: string;
  close(): Promise<void>;
}

export async function startNaiveProxy(navtalkUrl: string, license: string): Promise<NaiveProxy> {
  const server = createServer((req, res) => {
    forward(req, res).catch(() => res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{"code":"upstream_failed","message":"NavTalk failed"}}'));
  });
  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://naive');
    let upstream: Response;
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = { license, ...JSON.parse(Buffer.concat(chunks).toString('utf8')) };
      upstream = await fetch(`${navtalkUrl}/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    } else {
      const query = new URLSearchParams({ license, task_id: url.searchParams.get('task_id') ?? '' });
      upstream = await fetch(`${navtalkUrl}/query_status?${query}`);
    }
    const answer = (await upstream.json()) as Record<string, unknown>;
    // NavTalk's answer lacks the id on polls; the protocol's clients expect it back.
    const taskId = answer.task_id ?? url.searchParams.get('task_id');
    res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(JSON.stringify({ ...answer, task_id: taskId }));
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
