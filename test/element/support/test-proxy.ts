// A scriptable proxy that speaks the element's protocol (POST {endpoint}, GET {endpoint}?task_id=&wait=&status=)
// and records every request, served from the test runner's dev server. Each test gets its own id, so files
// running in parallel never share state:
//   /proxy/<id>                  the endpoint the element calls
//   POST /__proxy/<id>/script    set the script (ProxyScript JSON) and clear the record
//   GET  /__proxy/<id>/requests  what the endpoint received (RecordedRequest[])
//   GET  /__proxy/<id>/lookups   the `?script=` lookups it received (their decoded requests), kept apart
// `?preview=` answers the fixture poster; `?script=` answers 404 (not made yet) unless the script says the video is
// kept, then a redirect to it, as a proxy that does not keep videos itself answers. It is a Web-standard handler, mounted with `webMiddleware` like any other (the real proxy handler can be).
import { readFileSync } from 'node:fs';
import { MAX_WAIT_SECONDS, QUERY, readScriptParam, type TaskState, type TaskStatus } from '../../../src/protocol/index.js';
import { DEFAULT_TIMELINE, FIXTURE_VIDEO, type Answer, type ProxyScript, type RecordedRequest } from './script.js';

interface Session {
  script: ProxyScript;
  requests: RecordedRequest[];
  lookups: unknown[];
  tasks: Map<string, number>;
  post: Answer[];
  poll: Answer[];
}

/** What `?preview=` answers with. */
const PREVIEW = readFileSync(new URL('../../fixtures/poster.png', import.meta.url));

/** Responses the adapter answers by cutting the connection halfway through the body. */
export const dropped = new WeakSet<Response>();

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
const notFound = (message: string) => json({ error: { code: 'not_found', message } }, 404);

/** Resolves after `ms`, or at once (false) when the client goes away. */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<boolean>((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

export function createTestProxy(): (request: Request) => Promise<Response> {
  const sessions = new Map<string, Session>();
  const session = (id: string) => {
    let s = sessions.get(id);
    if (!s) sessions.set(id, (s = { script: {}, requests: [], lookups: [], tasks: new Map(), post: [], poll: [] }));
    return s;
  };

  const statusOf = (s: Session, createdAt: number): TaskStatus => {
    const elapsed = Date.now() - createdAt;
    let status: TaskStatus = 'started';
    for (const step of s.script.timeline ?? DEFAULT_TIMELINE!) if (step.at <= elapsed) status = step.status;
    return status;
  };
  const stateOf = (s: Session, taskId: string, status: TaskStatus): TaskState => ({
    task_id: taskId,
    status,
    ...(status === 'done' ? { video_url: s.script.videoUrl ?? FIXTURE_VIDEO } : {}),
    ...(status === 'failed' ? { error: s.script.failure ?? { code: 'generation_failed', message: 'NavTalk could not make this video.' } } : {}),
  });

  const normal = async (s: Session, request: Request, url: URL): Promise<Response> => {
    if (request.method === 'POST') {
      const taskId = `task-${s.tasks.size + 1}`;
      s.tasks.set(taskId, Date.now());
      return json(stateOf(s, taskId, statusOf(s, Date.now())));
    }
    const taskId = url.searchParams.get(QUERY.taskId) ?? '';
    const createdAt = s.tasks.get(taskId);
    if (createdAt === undefined) return notFound(`No task ${taskId}.`);
    const wait = Number(url.searchParams.get(QUERY.wait) ?? 0);
    if (s.script.longPoll !== false && wait > 0) {
      const seen = url.searchParams.get(QUERY.status) ?? statusOf(s, createdAt);
      const until = Date.now() + Math.min(wait, MAX_WAIT_SECONDS) * 1000;
      while (statusOf(s, createdAt) === seen && Date.now() < until) {
        if (!(await sleep(20, request.signal))) break;
      }
    }
    return json(stateOf(s, taskId, statusOf(s, createdAt)));
  };

  const scripted = (answer: Answer): Response => {
    const headers = answer.headers ?? {};
    let response: Response;
    if (answer.raw !== undefined) {
      response = new Response(answer.raw, { status: answer.http ?? 200, headers: { 'content-type': 'application/json', ...headers } });
    } else if (answer.error) {
      response = json({ error: answer.error }, answer.http ?? 500, headers);
    } else {
      response = json(answer.body ?? {}, answer.http ?? 200, headers);
    }
    if (answer.drop) dropped.add(response);
    return response;
  };

  return async (request) => {
    const url = new URL(request.url);
    const [, root, id, action] = url.pathname.split('/');
    if (!id) return notFound('No session id.');
    const s = session(id);

    if (root === '__proxy' && action === 'script' && request.method === 'POST') {
      s.script = (await request.json()) as ProxyScript;
      s.requests = [];
      s.lookups = [];
      s.tasks.clear();
      s.post = [...(s.script.post ?? [])];
      s.poll = [...(s.script.poll ?? [])];
      return json({ ok: true });
    }
    if (root === '__proxy' && action === 'requests') return json(s.requests);
    if (root === '__proxy' && action === 'lookups') return json(s.lookups);
    if (root !== 'proxy' || action !== undefined) return notFound(`No route ${url.pathname}.`);
    // The optional preview route (real-proxy.test.ts has the real one): the fixture poster, or 404 as from a proxy
    // without it; kept out of the recorded requests and the scripted answers, which are about generating.
    if (url.searchParams.has(QUERY.preview)) {
      return s.script.previews === false ? notFound('No such task.') : new Response(PREVIEW, { headers: { 'content-type': 'image/png' } });
    }
    const script = url.searchParams.get(QUERY.script);
    if (script !== null) {
      s.lookups.push(readScriptParam(script) ?? script);
      if (!s.script.kept) return json({ error: { code: 'not_found', message: 'Not made yet: POST the request.' } }, 404);
      return new Response(null, { status: 302, headers: { location: s.script.videoUrl ?? FIXTURE_VIDEO, 'cache-control': 'no-store' } });
    }
    if (request.method !== 'POST' && request.method !== 'GET') {
      return json({ error: { code: 'method_not_allowed', message: 'POST or GET only.' } }, 405);
    }

    const text = request.method === 'POST' ? await request.text() : '';
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // recorded as text
    }
    const record: RecordedRequest = { method: request.method, url: url.pathname + url.search, body, at: Date.now(), aborted: false };
    s.requests.push(record);
    request.signal.addEventListener('abort', () => (record.aborted = true), { once: true });

    const answer = (request.method === 'POST' ? s.post : s.poll).shift();
    if (answer?.delayMs && !(await sleep(answer.delayMs, request.signal))) return json({}, 499);
    const scriptedAnswer = answer && (answer.http ?? answer.error ?? answer.body ?? answer.raw ?? answer.drop) !== undefined;
    return scriptedAnswer ? scripted(answer) : normal(s, request, url);
  };
}
