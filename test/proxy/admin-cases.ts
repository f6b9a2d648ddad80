/**
 * The operator's routes, as one set of scenarios that the portable-handler suite (Node), the Worker suite (workerd)
 * and the Node server on Redis all run against their own proxy. Web-standard code only, since it runs in all three.
 */
import { expect, it } from 'vitest';
import type { DeleteAnswer, ResultsAnswer, UsageAnswer } from '../../src/proxy/admin.js';
import type { ResultStore } from '../../src/proxy/index.js';
import type { TaskState } from '../../src/protocol/index.js';
import { ORIGIN, PREVIOUS_SECRET, SECRET, signed } from './cases.js';

export const ADMIN_TOKEN = 'admin-token-for-the-tests-0123456789';

export interface AdminTarget {
  /** The proxy's endpoint URL. */
  endpoint: string;
  /** Sends a request as the host would deliver it (with the client's address where the host needs one). */
  send(request: Request): Promise<Response>;
  /** NavTalk's own count of /generate calls (the mock's). */
  generations(): Promise<number>;
  /** NavTalk's own count of preview fetches (/uploadFiles/, the mock's). */
  previewFetches(): Promise<number>;
  /** NavTalk's key: no admin answer may carry it (nor a signing secret). */
  license: string;
}

const lastDay = (answer: UsageAnswer) => answer.days[answer.days.length - 1]!;
const script = (content: string) => ({ character_name: 'navtalk.Leo', content, voice: 'echo' });

/** Every admin answer's text, for the scan for secrets. */
const answered: string[] = [];

export function adminRequest(t: AdminTarget, route: string, init: { params?: Record<string, string>; method?: string; headers?: Record<string, string>; token?: string | null } = {}): Request {
  const url = new URL(t.endpoint);
  url.searchParams.set('admin', route);
  for (const [name, value] of Object.entries(init.params ?? {})) url.searchParams.set(name, value);
  const token = init.token === undefined ? ADMIN_TOKEN : init.token;
  return new Request(url, { method: init.method ?? 'GET', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers } });
}

async function admin<T>(t: AdminTarget, route: string, init: Parameters<typeof adminRequest>[2] = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await t.send(adminRequest(t, route, init));
  const text = await response.text();
  answered.push(text);
  return { status: response.status, body: JSON.parse(text) as T, headers: response.headers };
}

const post = async (t: AdminTarget, content: string) =>
  t.send(new Request(t.endpoint, {
    method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify(await signed(script(content))),
  }));

async function settle(t: AdminTarget, state: TaskState): Promise<TaskState> {
  for (let i = 0; i < 60 && state.status !== 'done' && state.status !== 'failed'; i++) {
    const url = `${t.endpoint}?${new URLSearchParams({ task_id: state.task_id, wait: '5', status: state.status })}`;
    state = (await (await t.send(new Request(url, { headers: { origin: ORIGIN } }))).json()) as TaskState;
  }
  return state;
}

/** A video made and copied into the result store (the copy follows `done`: looked for, a bounded number of times). */
async function kept(t: AdminTarget, content: string): Promise<TaskState> {
  const done = await settle(t, (await (await post(t, content)).json()) as TaskState);
  expect(done.status).toBe('done');
  for (let i = 0; i < 300; i++) {
    const state = (await (await t.send(new Request(`${t.endpoint}?task_id=${done.task_id}`, { headers: { origin: ORIGIN } }))).json()) as TaskState;
    if (state.video_url?.includes('?video=')) return state;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the video was never stored');
}

/** 401 without a token, 403 with a wrong one or from a browser, 405 for other methods; never a CORS header. */
export async function refusesStrangers(t: AdminTarget): Promise<void> {
  const cases: [Parameters<typeof adminRequest>[2], number, string][] = [
    [{ token: null }, 401, 'admin_token_required'],
    [{ token: `${ADMIN_TOKEN}x` }, 403, 'admin_token_invalid'],
    [{ token: 'short' }, 403, 'admin_token_invalid'],
    [{ headers: { origin: ORIGIN } }, 403, 'browser_not_allowed'],
    [{ headers: { 'sec-fetch-site': 'same-origin' } }, 403, 'browser_not_allowed'],
    [{ method: 'POST' }, 405, 'method_not_allowed'],
    [{ method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'GET' } }, 405, 'method_not_allowed'],
  ];
  for (const [init, status, code] of cases) {
    const answer = await admin<{ error: { code: string } }>(t, 'usage', init);
    expect([answer.status, answer.body.error.code], JSON.stringify(init)).toEqual([status, code]);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  }
  expect((await admin(t, 'usage', { token: null })).headers.get('www-authenticate')).toMatch(/^Bearer/);
  const ok = await admin<UsageAnswer>(t, 'usage', { headers: {} });
  expect(ok.status).toBe(200);
  expect(ok.headers.get('access-control-allow-origin')).toBeNull();
  expect(ok.headers.get('cache-control')).toBe('no-store');
  expect(ok.body.days).toHaveLength(30);
}

/**
 * Deleting a kept video: the list shows it (how it was made, its size), DELETE removes it and its task record, the
 * list no longer shows it, and the next views make it again exactly once. Unknown and malformed ids are 404.
 */
export async function deleteMakesItAgainOnce(t: AdminTarget, tag: string): Promise<void> {
  const content = `Delete me please ${tag}, then make me again soon.`;
  const state = await kept(t, content);
  const size = (await (await t.send(new Request(state.video_url!))).arrayBuffer()).byteLength;
  const listed = await admin<ResultsAnswer>(t, 'results');
  expect(listed.status).toBe(200);
  expect(listed.body.results.find((r) => r.id === state.task_id)).toEqual({
    id: state.task_id, stored_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), bytes: size, content_type: 'video/mp4',
    method: 'character+text', character: 'navtalk.Leo', voice: 'echo', text: `Delete me please ${tag}, then make me again…`,
  });

  const before = await t.generations();
  const deleted = await admin<DeleteAnswer>(t, 'results', { method: 'DELETE', params: { id: state.task_id } });
  expect([deleted.status, deleted.body]).toEqual([200, { id: state.task_id, video: true, task: true }]);
  expect((await admin<ResultsAnswer>(t, 'results')).body.results.map((r) => r.id)).not.toContain(state.task_id);
  expect((await t.send(new Request(state.video_url!))).status).toBe(404);

  const again = await Promise.all([post(t, content), post(t, content), post(t, content)]);
  expect(again.map((r) => r.status)).toEqual([200, 200, 200]);
  expect((await settle(t, (await again[0]!.json()) as TaskState)).status).toBe('done');
  expect((await post(t, content)).status).toBe(200);
  expect(await t.generations()).toBe(before + 1);

  for (const id of ['A'.repeat(43), 'not-an-id']) {
    const missing = await admin<{ error: { code: string } }>(t, 'results', { method: 'DELETE', params: { id } });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
  }
  expect((await admin<ResultsAnswer>(t, 'results', { params: { limit: '0x1' } })).status).toBe(400);
}

/**
 * A kept preview (`GET ?preview=`) is in the operator's list as `preview.NAME` (method `preview`), and deleting it
 * makes the next page that shows it fetch it from NavTalk again, once.
 */
export async function previewsAreListedAndDeleted(t: AdminTarget): Promise<void> {
  const preview = () => t.send(new Request(`${t.endpoint}?preview=navtalk.Lily`));
  expect((await preview()).status).toBe(200);
  const before = await t.previewFetches();
  expect((await preview()).status).toBe(200);
  expect(await t.previewFetches()).toBe(before); // kept: no second fetch
  const listed = (await admin<ResultsAnswer>(t, 'results', { params: { limit: '100' } })).body.results.find((r) => r.id === 'preview.navtalk.Lily');
  expect(listed).toEqual({
    id: 'preview.navtalk.Lily', stored_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), bytes: expect.any(Number), content_type: 'image/png',
    method: 'preview', character: 'navtalk.Lily',
  });
  const deleted = await admin<DeleteAnswer>(t, 'results', { method: 'DELETE', params: { id: 'preview.navtalk.Lily' } });
  expect([deleted.status, deleted.body]).toEqual([200, { id: 'preview.navtalk.Lily', video: true, task: false }]);
  const gone = await admin<{ error: { code: string } }>(t, 'results', { method: 'DELETE', params: { id: 'preview.navtalk.Lily' } });
  expect([gone.status, gone.body.error.code]).toEqual([404, 'not_found']);
  const again = await Promise.all([preview(), preview()]);
  expect(again.map((r) => r.status)).toEqual([200, 200]);
  expect(await t.previewFetches()).toBe(before + 1);
}

/**
 * A mixed run from one client: videos made until the day's budget is spent, cache hits, budget refusals until the
 * rate limit refuses, and invalid bodies. Usage then counts what the mock counts, and every refusal by its kind.
 */
export async function usageMatchesTheMock(t: AdminTarget, tag: string): Promise<void> {
  const before = (await admin<UsageAnswer>(t, 'usage')).body;
  const start = lastDay(before);
  const generationsBefore = await t.generations();
  const left = before.limit - start.generations;
  expect(left).toBeGreaterThan(0);

  const made: TaskState[] = [];
  while (made.length < left) {
    const response = await post(t, `Usage ${tag} #${made.length}.`);
    expect(response.status).toBe(200);
    made.push((await response.json()) as TaskState);
  }
  const cached = await Promise.all([1, 2, 3].map(() => post(t, `Usage ${tag} #0.`)));
  expect(cached.map((r) => r.status)).toEqual([200, 200, 200]);

  const refused: Record<string, number> = { budget_exhausted: 0, rate_limited: 0 };
  for (let i = 0; i < 50 && refused.rate_limited === 0; i++) {
    const response = await post(t, `Usage ${tag} refused #${i}.`);
    const code = ((await response.json()) as { error: { code: string } }).error.code;
    refused[code] = (refused[code] ?? 0) + 1;
  }
  expect(refused.budget_exhausted).toBeGreaterThan(0);
  expect(refused.rate_limited).toBe(1);
  const invalid = [
    new Request(t.endpoint, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: '{"content":' }),
    new Request(t.endpoint, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ content: 'No face.' }) }),
  ];
  for (const request of invalid) expect((await t.send(request)).status).toBe(400);

  await Promise.all(made.map((state) => settle(t, state)));
  const after = (await admin<UsageAnswer>(t, 'usage')).body;
  const end = lastDay(after);
  expect(after.running).toBe(0);
  expect(end.generations - start.generations).toBe(await t.generations() - generationsBefore);
  expect(end.generations - start.generations).toBe(made.length);
  expect(end.refused).toEqual({
    budget: start.refused.budget + refused.budget_exhausted!,
    rate_limit: start.refused.rate_limit + 1,
    invalid_input: start.refused.invalid_input + 2,
  });
  expect(after.days.slice(0, -1)).toEqual(before.days.slice(0, -1));
}

/** No admin answer so far carried the key, a signing secret or the admin token itself. */
export function noSecretsAnswered(license: string): void {
  const text = answered.join('\n');
  expect(text.length).toBeGreaterThan(0);
  for (const secret of [license, SECRET, PREVIOUS_SECRET, ADMIN_TOKEN]) expect(text).not.toContain(secret);
}

/**
 * A result store's list: by id, a page at a time with a cursor, each result with its size, when it was stored and how
 * it was made; a deleted result is gone from it. `store` starts empty.
 */
export async function listsInPages(store: ResultStore): Promise<void> {
  expect(await store.list({ limit: 10 })).toEqual({ results: [] });
  const ids = ['c'.repeat(43), 'a'.repeat(43), 'b'.repeat(43)];
  const startedAt = Date.now();
  for (const [i, id] of ids.entries()) {
    const bytes = new Uint8Array(100 + i).fill(i);
    const meta = i === 0 ? { method: 'character+text', character: 'navtalk.Leo', voice: 'echo', text: 'Grüße aus Köln, 東京…' } : { method: 'image+audio_url' };
    await store.put(id, new Response(bytes).body!, { size: bytes.length, contentType: 'video/mp4', meta });
  }
  const first = await store.list({ limit: 2 });
  expect(first.results.map((r) => [r.id, r.size])).toEqual([['a'.repeat(43), 101], ['b'.repeat(43), 102]]);
  expect(first.cursor).toEqual(expect.any(String));
  const second = await store.list({ limit: 2, cursor: first.cursor! });
  expect(second).toEqual({
    results: [{
      id: 'c'.repeat(43), size: 100, contentType: 'video/mp4', etag: expect.any(String), storedAt: expect.any(Number),
      meta: { method: 'character+text', character: 'navtalk.Leo', voice: 'echo', text: 'Grüße aus Köln, 東京…' },
    }],
  });
  // Stores round times down to the second (S3's Last-Modified).
  expect(second.results[0]!.storedAt).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) * 1000);
  expect(second.results[0]!.storedAt).toBeLessThanOrEqual(Date.now());
  await store.delete('a'.repeat(43));
  expect((await store.list({ limit: 10 })).results.map((r) => r.id)).toEqual(['b'.repeat(43), 'c'.repeat(43)]);
}

/**
 * The scenarios as tests, in order (a budget kept across them is fine: the mixed run spends what is left of the
 * day's limit). `target` makes a client of its own for each; `where` names the stores in the test names.
 */
export function adminTests(target: () => AdminTarget, where: { tag: string; stores: string }): void {
  it('refuse requests without the token, with a wrong one, from a browser or by another method, without CORS', async () => {
    await refusesStrangers(target());
  });

  it(`delete a kept video and its task (${where.stores}): gone from the list, and made again exactly once`, async () => {
    await deleteMakesItAgainOnce(target(), where.tag);
  }, 30_000);

  it(`list a kept preview and delete it (${where.stores}): fetched from NavTalk again exactly once`, async () => {
    await previewsAreListedAndDeleted(target());
  });

  it('count generations as the mock does, and refusals by kind, after a mixed run', async () => {
    await usageMatchesTheMock(target(), where.tag);
  }, 30_000);

  it('never answer with the key or a secret', () => {
    noSecretsAnswered(target().license);
  });
}
