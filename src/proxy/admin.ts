/**
 * The operator's routes, on the proxy's own endpoint (query parameters, so they work wherever the handler is mounted):
 *
 *   GET    {endpoint}?admin=usage                        generations per UTC day against the limit, refusals, running tasks
 *   GET    {endpoint}?admin=results[&limit=N&cursor=C]   the kept videos, a page at a time
 *   DELETE {endpoint}?admin=results&id=ID                a kept video and its task record: the next view makes it again
 *
 * Off unless ADMIN_TOKEN is set (then `?admin=` is an ordinary request). Checked cheapest first: the route and its
 * method, that no browser sent it, the bearer token (compared in constant time), then the work. Never for pages: no
 * CORS headers, and requests carrying Origin or Sec-Fetch-Site (browsers send one of them) are refused. Answers hold
 * counts and descriptions only: never the key, a signing secret or NavTalk's ids.
 */
import type { ProxyConfig } from './config.js';
import { USAGE_DAYS, utcDay, type Budget } from './limits.js';
import type { ResultStore, StoredResult } from './results.js';
import { isPreviewKey } from './preview.js';
import { isTaskId } from './task-id.js';
import type { ProxyLog, TaskStore } from './tasks.js';

export const ADMIN_QUERY = 'admin';
/** On every answer of the admin routes, so that a client can tell them from a proxy that has none. */
export const ADMIN_HEADER = 'x-navtalk-admin';
/** Results per page: by default, and at most (each is one store lookup at most). */
export const RESULTS_PAGE = { default: 50, max: 100 } as const;

const METHODS: Record<string, string> = { usage: 'GET', results: 'GET, DELETE' };

export type AdminErrorCode =
  | 'admin_token_required' | 'admin_token_invalid' | 'browser_not_allowed' | 'method_not_allowed' | 'not_found'
  | 'task_running' | 'invalid_input' | 'unavailable';

/** `GET ?admin=usage`. */
export interface UsageAnswer {
  today: string;
  limit: number;
  running: number;
  /** The last USAGE_DAYS UTC days, oldest first (today last). */
  days: { day: string; generations: number; refused: { budget: number; rate_limit: number; invalid_input: number } }[];
}

/** `GET ?admin=results`: `store` false when the proxy keeps no videos. */
export interface ResultsAnswer {
  store: boolean;
  results: { id: string; stored_at: string; bytes: number; content_type: string; method?: string; character?: string; voice?: string; text?: string }[];
  cursor?: string;
}

/** `DELETE ?admin=results&id=`: what there was to delete. */
export interface DeleteAnswer {
  id: string;
  video: boolean;
  task: boolean;
}

export interface AdminDeps {
  config: ProxyConfig;
  budget: Budget;
  store: TaskStore;
  results?: ResultStore;
  now: () => number;
  log: ProxyLog;
}

const digest = async (text: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));

/** The admin routes, or null when ADMIN_TOKEN is not set. */
export function adminRoutes(deps: AdminDeps): ((request: Request, route: string, url: URL) => Promise<Response>) | null {
  const { config, budget, store, results, now, log } = deps;
  if (config.adminToken === null) return null;
  const expected = digest(config.adminToken);

  /** Both sides hashed first, so the comparison takes the same time whatever the length or first difference. */
  async function tokenMatches(given: string): Promise<boolean> {
    const [a, b] = await Promise.all([digest(given), expected]);
    let difference = 0;
    for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
    return difference === 0;
  }

  function answer(status: number, body: unknown, extra: Record<string, string> = {}): Response {
    return new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', [ADMIN_HEADER]: '1', ...extra },
    });
  }
  const fail = (status: number, code: AdminErrorCode, message: string, extra: Record<string, string> = {}) =>
    answer(status, { error: { code, message } }, extra);

  async function usage(): Promise<Response> {
    const at = now();
    const counted = await budget.usage(USAGE_DAYS, at);
    const body: UsageAnswer = { today: utcDay(at), limit: config.dailyGenerationLimit, running: counted.running, days: counted.days };
    return answer(200, body);
  }

  const listed = (r: StoredResult): ResultsAnswer['results'][number] => ({
    id: r.id, stored_at: new Date(r.storedAt).toISOString(), bytes: r.size, content_type: r.contentType, ...r.meta,
  });

  async function list(url: URL): Promise<Response> {
    const limitParam = url.searchParams.get('limit');
    const cursor = url.searchParams.get('cursor') ?? undefined;
    if (limitParam !== null && !/^\d{1,3}$/.test(limitParam)) return fail(400, 'invalid_input', `limit must be a whole number from 1 to ${RESULTS_PAGE.max}.`);
    const limit = Math.min(Math.max(Number(limitParam ?? RESULTS_PAGE.default), 1), RESULTS_PAGE.max);
    if (cursor !== undefined && cursor.length > 1024) return fail(400, 'invalid_input', 'cursor is too long.');
    if (!results) return answer(200, { store: false, results: [] } satisfies ResultsAnswer);
    const page = await results.list({ limit, ...(cursor ? { cursor } : {}) });
    const body: ResultsAnswer = { store: true, results: page.results.map(listed), ...(page.cursor ? { cursor: page.cursor } : {}) };
    return answer(200, body);
  }

  async function remove(url: URL): Promise<Response> {
    const id = url.searchParams.get('id') ?? '';
    const missing = () => fail(404, 'not_found', `No kept video or task has the id ${JSON.stringify(id.slice(0, 64))}.`);
    // A kept preview has no task: deleting it makes the next page that shows it fetch it from NavTalk again.
    if (isPreviewKey(id)) {
      const kept = results ? (await results.head(id)) !== null : false;
      if (!kept) return missing();
      await results!.delete(id);
      return answer(200, { id, video: true, task: false } satisfies DeleteAnswer);
    }
    if (!isTaskId(id)) return missing();
    // The task record first: while it is there a page keeps being answered with the video, however briefly.
    const task = await store.forget(id);
    if (task === 'running') return fail(409, 'task_running', 'This video is still being made; delete it once it is done.');
    const video = results ? (await results.head(id)) !== null : false;
    if (video) await results!.delete(id);
    if (task === 'missing' && !video) return missing();
    return answer(200, { id, video, task: task === 'forgotten' } satisfies DeleteAnswer);
  }

  return async function admin(request, route, url) {
    const method = request.method.toUpperCase();
    const allowed = METHODS[route];
    if (allowed === undefined) return fail(404, 'not_found', `No admin route ${JSON.stringify(route.slice(0, 32))}: use usage or results.`);
    if (!allowed.split(', ').includes(method)) return fail(405, 'method_not_allowed', `Use ${allowed} for ?admin=${route}.`, { allow: allowed });
    if (request.headers.has('origin') || request.headers.has('sec-fetch-site')) {
      return fail(403, 'browser_not_allowed', 'The admin routes are not for web pages; use navtalk-avatar usage|results|delete.');
    }
    const bearer = /^Bearer +(\S+) *$/i.exec(request.headers.get('authorization') ?? '')?.[1];
    if (bearer === undefined) {
      return fail(401, 'admin_token_required', 'Send Authorization: Bearer <ADMIN_TOKEN>.', { 'www-authenticate': 'Bearer realm="navtalk-admin"' });
    }
    if (!(await tokenMatches(bearer))) return fail(403, 'admin_token_invalid', 'This is not the proxy\'s ADMIN_TOKEN.');
    try {
      if (route === 'usage') return await usage();
      return method === 'DELETE' ? await remove(url) : await list(url);
    } catch (error) {
      log('error', 'admin_unavailable', { route, error: String(error instanceof Error ? error.message : error).slice(0, 200) });
      return fail(503, 'unavailable', 'The proxy could not read its stores; try again shortly.', { 'retry-after': '5' });
    }
  };
}
