import { once } from 'node:events';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { taskStateSchema } from '../../src/protocol/index.js';
import { nodeListener, type NodeListenerOptions } from '../../src/node/index.js';
import { OTHER_ORIGIN, ORIGIN, signed, textBody } from './cases.js';
import { generateCalls, makeProxy, useMock, type Proxy } from './harness.js';

const h = useMock();
const servers: { close(): void }[] = [];
afterEach(() => servers.splice(0).forEach((server) => server.close()));

/** The portable handler behind nodeListener on a loopback port; counts the requests that reached the handler. */
async function serve(proxy: Proxy, options: NodeListenerOptions = {}) {
  const seen = { handler: 0 };
  const server = createServer(nodeListener((request) => {
    seen.handler++;
    return proxy.handler(request);
  }, options));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/navtalk`;
  const post = async (body: unknown, origin = ORIGIN, query = '') => {
    const response = await fetch(`${url}${query}`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, headers: Object.fromEntries(response.headers), json: (await response.json()) as Record<string, unknown> };
  };
  return { url, seen, post };
}

const withoutDate = (headers: Record<string, string>) => {
  const { date: _date, ...rest } = headers;
  return rest;
};

describe('nodeListener', () => {
  it('answers repeats of a POST answered done from memory for reuseDoneAnswersMs: the same answer, no handler, no NavTalk', async () => {
    let clock = 1_000_000;
    const proxy = makeProxy(h);
    const { post, seen } = await serve(proxy, { now: () => clock });
    const body = await signed(textBody('repeats'));
    const started = await post(body);
    expect(started.json).toMatchObject({ status: 'started' });
    await proxy.settle(taskStateSchema.parse(started.json).task_id);

    const done = await post(body); // reaches the handler: the first done answer
    expect(done.json).toMatchObject({ status: 'done', video_url: expect.any(String) });
    const handled = seen.handler;
    const repeats = await Promise.all(Array.from({ length: 20 }, () => post(body)));
    expect(seen.handler).toBe(handled);
    for (const repeat of repeats) {
      expect(repeat.status).toBe(200);
      expect(repeat.json).toEqual(done.json);
      expect(withoutDate(repeat.headers)).toEqual(withoutDate(done.headers));
    }
    expect(done.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(generateCalls(h.mock.calls)).toHaveLength(1);

    clock += 1001; // past the window: the handler answers (and refreshes the kept answer)
    expect((await post(body)).json).toEqual(done.json);
    expect(seen.handler).toBe(handled + 1);
  });

  it('reuses nothing but done answers to the same bytes, origin and URL', async () => {
    const proxy = makeProxy(h);
    const { post, seen } = await serve(proxy);
    const body = await signed(textBody('only-done'));
    // Answers other than done are never kept: each of these reaches the handler.
    const first = await post(body);
    expect(first.json).toMatchObject({ status: 'started' });
    expect((await post({ ...body, voice: 'nope' })).status).toBe(400);
    expect((await post({ ...body, voice: 'nope' })).status).toBe(400);
    expect(seen.handler).toBe(3);
    await proxy.settle(taskStateSchema.parse(first.json).task_id);

    await post(body);
    const kept = seen.handler;
    // The same request as other bytes (key order), from a foreign origin, or as a recheck: the handler decides.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect((await post(reordered)).json).toMatchObject({ status: 'done' });
    const foreign = await post(body, OTHER_ORIGIN);
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    expect((await post(body, ORIGIN, '?recheck=1')).json).toMatchObject({ status: 'done' });
    expect(seen.handler).toBe(kept + 3);
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
  });

  it('with reuseDoneAnswersMs 0, every request reaches the handler', async () => {
    const proxy = makeProxy(h);
    const { post, seen } = await serve(proxy, { reuseDoneAnswersMs: 0 });
    const body = await signed(textBody('no-reuse'));
    await proxy.settle(taskStateSchema.parse((await post(body)).json).task_id);
    for (let i = 0; i < 3; i++) expect((await post(body)).json).toMatchObject({ status: 'done' });
    expect(seen.handler).toBe(4);
  });

  it('after an early answer to a large body, the next request on the same keep-alive connection is answered at once', async () => {
    const { url } = await serve(makeProxy(h, { MAX_BODY_BYTES: '1400000' }));
    // One socket, kept alive: the second request must go on the connection the first one used, as a browser's would.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, headers: Record<string, string>, body?: Buffer, chunked = false) =>
      new Promise<{ status: number; reused: boolean; ms: number }>((resolve, reject) => {
        const startedAt = Date.now();
        const req = httpRequest(url, { method, agent, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, reused: req.reusedSocket, ms: Date.now() - startedAt }));
        });
        req.on('error', reject);
        req.setTimeout(3000, () => req.destroy(new Error(`${method} got no answer within 3 s`)));
        if (chunked && body) {
          // No Content-Length: sent in pieces, as a recorder streaming its upload would.
          for (let at = 0; at < body.length; at += 256 * 1024) req.write(body.subarray(at, at + 256 * 1024));
          req.end();
        } else {
          req.end(body);
        }
      });
    // Over MAX_BODY_BYTES (its default, 1.4 MB), and under it but past what nodeListener reads whole (64 kB).
    const tooLarge = Buffer.alloc(2_000_000, 0x20);
    const large = Buffer.alloc(1_000_000, 0x20);
    const json = { origin: ORIGIN, 'content-type': 'application/json' };
    const refusals: { method: string; headers: Record<string, string>; body: Buffer; status: number; chunked?: boolean }[] = [
      { method: 'POST', headers: json, body: tooLarge, status: 413 },
      { method: 'POST', headers: json, body: tooLarge, status: 413, chunked: true },
      { method: 'POST', headers: { ...json, 'content-type': 'text/plain' }, body: large, status: 415 },
      { method: 'POST', headers: { ...json, origin: OTHER_ORIGIN }, body: large, status: 403 },
      { method: 'PUT', headers: json, body: large, status: 405 },
    ];
    try {
      for (const { method, headers, body, status, chunked } of refusals) {
        const refused = await send(method, chunked ? headers : { ...headers, 'content-length': String(body.length) }, body, chunked);
        expect(refused.status, `${method} ${JSON.stringify(headers)}${chunked ? ' chunked' : ''}`).toBe(status);
        const next = await send('GET', { origin: ORIGIN });
        expect(next.status).toBe(404); // no task id
        expect(next.ms).toBeLessThan(1000);
        expect(next.reused).toBe(true); // the rest of the refused body was read and dropped: the connection lives on
      }
    } finally {
      agent.destroy();
    }
  });
});
