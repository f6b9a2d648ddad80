// Fault injection on /generate and /query_status: every kind, `times`, and close() with a held socket.
import { describe, expect, it } from 'vitest';
import type { MockNavTalk } from '../../src/mock/server.js';
import { createTask, postGenerate, queryStatus, startMock, validBody, waitFor } from './helpers.js';

type Endpoint = 'generate' | 'query';
/** Makes the call a fault applies to; a query needs a real task so that only the fault can spoil it. */
async function caller(mock: MockNavTalk, endpoint: Endpoint) {
  if (endpoint === 'generate') return (init?: RequestInit) => postGenerate(mock, validBody(mock), init);
  const id = await createTask(mock);
  return (init?: RequestInit) => queryStatus(mock, id, mock.license, init);
}

describe.each(['generate', 'query'] as const)('%s faults', (endpoint) => {
  it.each([
    ['500', 500, 'internal server error'],
    ['503', 503, 'service temporarily unavailable'],
    ['401', 401, 'invalid license'],
  ] as const)("'%s' answers %i with a JSON error", async (kind, status, error) => {
    const mock = await startMock();
    const call = await caller(mock, endpoint);
    const tasksBefore = mock.tasks().length;
    mock.configure({ faults: { [endpoint]: { kind } } });
    for (let i = 0; i < 2; i++) {
      const res = await call();
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({ error });
    }
    expect(mock.tasks()).toHaveLength(tasksBefore);
  });

  it("'429' answers 429 with Retry-After (retryAfter, default 1 s)", async () => {
    const mock = await startMock();
    const call = await caller(mock, endpoint);
    mock.configure({ faults: { [endpoint]: { kind: '429', retryAfter: 7 } } });
    const res = await call();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({ error: 'too many requests' });
    mock.configure({ faults: { [endpoint]: { kind: '429' } } });
    expect((await call()).headers.get('retry-after')).toBe('1');
  });

  it("'timeout' never answers: the client's AbortSignal.timeout fires; the call is still recorded", async () => {
    const mock = await startMock();
    const call = await caller(mock, endpoint);
    const callsBefore = mock.calls.length;
    mock.configure({ faults: { [endpoint]: { kind: 'timeout' } } });
    const error = await call({ signal: AbortSignal.timeout(500) }).then(() => undefined, (err: unknown) => err);
    expect((error as Error | undefined)?.name).toBe('TimeoutError');
    expect(mock.calls).toHaveLength(callsBefore + 1);
    mock.configure({ faults: { [endpoint]: undefined } });
    expect((await call()).status).toBe(200);
  });

  it("'malformed' answers 200 with a body that is not JSON", async () => {
    const mock = await startMock();
    const call = await caller(mock, endpoint);
    mock.configure({ faults: { [endpoint]: { kind: 'malformed' } } });
    const res = await call();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = await res.text();
    expect(text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it("'reset' destroys the connection: fetch rejects", async () => {
    const mock = await startMock();
    const call = await caller(mock, endpoint);
    mock.configure({ faults: { [endpoint]: { kind: 'reset' } } });
    await expect(call()).rejects.toThrow(TypeError);
    mock.configure({ faults: { [endpoint]: undefined } });
    expect((await call()).status).toBe(200);
  });

  it('`times: n` applies to the next n calls only, then clears itself', async () => {
    const mock = await startMock();
    const call = await caller(mock, endpoint);
    mock.configure({ faults: { [endpoint]: { kind: '503', times: 2 } } });
    expect((await call()).status).toBe(503);
    expect(mock.config().faults[endpoint]).toEqual({ kind: '503', times: 1 });
    expect((await call()).status).toBe(503);
    expect(mock.config().faults).toEqual({});
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
  });
});

it('generate and query faults are independent', async () => {
  const mock = await startMock();
  mock.configure({ faults: { query: { kind: '500' } } });
  const id = await createTask(mock);
  expect((await queryStatus(mock, id)).status).toBe(500);
  mock.configure({ faults: { generate: { kind: '500' } } });
  expect(mock.config().faults).toEqual({ query: { kind: '500' }, generate: { kind: '500' } });
});

it('close() ends promptly while a timeout fault holds a socket, and the held request fails', async () => {
  const mock = await startMock();
  mock.configure({ faults: { generate: { kind: 'timeout' } } });
  const held = postGenerate(mock, validBody(mock)).then(() => 'answered', () => 'failed');
  await waitFor(() => mock.calls.length === 1);
  await mock.close();
  expect(await held).toBe('failed');
});
