/**
 * A tiny stand-in for the NavTalk proxy that answers the proxy protocol with a chosen outcome, so the state
 * gallery can show every state on demand and the framework tests can record what the apps send. It is
 * demo and test tooling only: the real proxy (src/proxy, src/worker) is exercised by its own suites.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Connect, Plugin } from 'vite';
import {
  QUERY, validateGenerateRequest, type ProxyErrorCode, type TaskState, type TaskStatus,
} from '../../src/protocol/index.js';

/**
 * What a scenario's endpoint does: `submitting` never answers the POST; `started` / `processing` stay in
 * that status; `done` answers the POST with a finished video (a cache hit); `failed` fails on the first
 * poll; `rate-limited` / `unauthorized` refuse the POST; `flow` runs started -> processing -> done.
 */
export const SCENARIOS = [
  'submitting', 'started', 'processing', 'done', 'failed', 'rate-limited', 'unauthorized', 'flow',
] as const;
export type Scenario = (typeof SCENARIOS)[number];
const isScenario = (name: string): name is Scenario => (SCENARIOS as readonly string[]).includes(name);

/** Seconds a rate-limited client is told to wait. */
export const RETRY_AFTER_SECONDS = 30;

export interface FakeProxyOptions {
  /** The MP4 a finished task points at (the mock's /samples/avatar.mp4). */
  videoUrl: string;
  /** `flow` timing: processing from this many ms after the POST, done from doneAfterMs. */
  processingAfterMs?: number;
  doneAfterMs?: number;
}

export interface RecordedCall {
  method: string;
  scenario: Scenario;
  query: Record<string, string>;
  /** The parsed JSON body of a POST. */
  body: unknown;
}

export interface FakeProxy {
  /** Every request, in order, so tests can assert bodies. */
  readonly calls: RecordedCall[];
  handle(scenario: Scenario, req: IncomingMessage, res: ServerResponse): Promise<void>;
}

interface Task {
  scenario: Scenario;
  createdAt: number;
}

const FAILURE_MESSAGE = 'NavTalk could not find a face to animate in this image.';

export function createFakeProxy({ videoUrl, processingAfterMs = 600, doneAfterMs = 1600 }: FakeProxyOptions): FakeProxy {
  const calls: RecordedCall[] = [];
  const tasks = new Map<string, Task>();
  let count = 0;

  const statusOf = (task: Task): TaskStatus => {
    switch (task.scenario) {
      case 'processing': return 'processing';
      case 'failed': return 'failed';
      case 'flow': {
        const elapsed = Date.now() - task.createdAt;
        return elapsed >= doneAfterMs ? 'done' : elapsed >= processingAfterMs ? 'processing' : 'started';
      }
      default: return 'started';
    }
  };

  const stateOf = (taskId: string, status: TaskStatus): TaskState => ({
    task_id: taskId,
    status,
    ...(status === 'done' ? { video_url: videoUrl } : {}),
    ...(status === 'failed' ? { error: { code: 'generation_failed', message: FAILURE_MESSAGE } } : {}),
  });

  async function post(scenario: Scenario, req: IncomingMessage, res: ServerResponse, call: RecordedCall) {
    let body: unknown;
    try {
      body = JSON.parse(await readText(req));
    } catch {
      return sendError(res, 400, 'invalid_json', 'The request body is not JSON.');
    }
    call.body = body;
    const checked = validateGenerateRequest(body);
    if (!checked.ok) return sendError(res, 400, 'invalid_input', checked.message);
    switch (scenario) {
      case 'submitting': return; // held open until the element gives up or goes away
      case 'rate-limited':
        return sendError(res, 429, 'rate_limited', 'Too many videos from this address for now.',
          { 'Retry-After': String(RETRY_AFTER_SECONDS) });
      case 'unauthorized':
        return sendError(res, 403, 'origin_not_allowed', 'This site is not allowed to use this proxy.');
    }
    const taskId = `${scenario}-${++count}`;
    if (scenario === 'done') return sendJson(res, 200, stateOf(taskId, 'done'));
    tasks.set(taskId, { scenario, createdAt: Date.now() });
    sendJson(res, 200, stateOf(taskId, 'started'));
  }

  return {
    calls,
    async handle(scenario, req, res) {
      const url = new URL(req.url ?? '/', 'http://fake-proxy');
      const call: RecordedCall = { method: req.method ?? 'GET', scenario, query: Object.fromEntries(url.searchParams), body: undefined };
      calls.push(call);
      if (req.method === 'POST') return post(scenario, req, res, call);
      if (req.method !== 'GET') {
        return sendError(res, 405, 'method_not_allowed', 'Use POST to start a video and GET to ask about it.', { Allow: 'GET, POST' });
      }
      const taskId = url.searchParams.get(QUERY.taskId) ?? '';
      const task = tasks.get(taskId);
      // `wait` is optional in the protocol; answering at once keeps browsers' per-host connection pool free.
      if (!task) return sendError(res, 404, 'not_found', `No task ${JSON.stringify(taskId)}.`);
      sendJson(res, 200, stateOf(taskId, statusOf(task)));
    },
  };
}

/** The gallery's endpoints for the Vite dev and preview servers: `/demo-states/<scenario>`. */
export function demoStatesPlugin(options: FakeProxyOptions): Plugin {
  const proxy = createFakeProxy(options);
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    const scenario = new URL(req.url ?? '/', 'http://x').pathname.split('/')[1] ?? '';
    if (!isScenario(scenario)) return next();
    proxy.handle(scenario, req, res).catch(next);
  };
  return {
    name: 'navtalk-demo-states',
    configureServer: (server) => void server.middlewares.use('/demo-states', middleware),
    configurePreviewServer: (server) => void server.middlewares.use('/demo-states', middleware),
  };
}

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, code: ProxyErrorCode, message: string, headers?: Record<string, string>) {
  sendJson(res, status, { error: { code, message } }, headers);
}
