/** Calls the Worker as Cloudflare would, and drives and reads the mock NavTalk over its HTTP control routes. */
import { env, exports } from 'cloudflare:workers';
import { afterEach, beforeEach, expect, inject } from 'vitest';
import { taskStateSchema, type TaskState } from '../../src/protocol/index.js';
import worker from '../../src/worker/index.js';
import { ORIGIN, ResponseLog } from '../proxy/cases.js';

export const MOCK_URL = inject('mockUrl');
export const LICENSE = inject('mockLicense');
export const ENDPOINT = 'https://proxy.example/';

/** The part of the mock's call log the tests read. */
export interface MockCall { method: string; path: string; query: Record<string, string>; body: unknown }

async function control<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${MOCK_URL}/__mock/${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`mock ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<T>;
}

export const mock = {
  calls: () => control<MockCall[]>('calls'),
  generateCalls: async () => (await mock.calls()).filter((c) => c.path === '/generate'),
  queryCalls: async () => (await mock.calls()).filter((c) => c.path === '/query_status'),
  previewCalls: async () => (await mock.calls()).filter((c) => c.path.startsWith('/uploadFiles/')),
  tasks: () => control<{ task_id: string }[]>('tasks'),
  configure: (patch: unknown) => control('config', patch),
  reset: () => control('reset', {}),
};

export const responses = new ResponseLog();

/**
 * Before each test: a clean mock. After each: no response so far carried the key or an upstream task id
 * (the mock's tasks are read before the next reset clears them).
 */
export function useMock(): void {
  beforeEach(() => mock.reset());
  afterEach(async () => {
    const upstreamIds = (await mock.tasks()).map((t) => t.task_id);
    expect(responses.leaks(LICENSE, upstreamIds)).toEqual([]);
  });
}

let clients = 0;
/** A client address (its own IPv6 /64) no other test uses, so each test starts with a full rate-limit bucket. */
export const freshIp = () => `2001:db8:${(++clients).toString(16)}::1`;

export interface WorkerClient {
  call(request: Request): Promise<Response>;
  /** `query`: a search string for the POST, e.g. `?recheck=1`. */
  post(body: unknown, init?: { origin?: string | null; query?: string }): Promise<Response>;
  get(taskId: string, query?: Record<string, string>): Promise<Response>;
  settle(taskId: string): Promise<TaskState>;
}

/**
 * A client of the Worker. Without overrides it goes through the deployed entry point (exports.default); with
 * them, through the same module's fetch with the overridden variables (Durable Objects keep their own env,
 * and a task's timing travels with its start).
 */
export function client(overrides: Record<string, string> = {}, ip = freshIp()): WorkerClient {
  const overridden = { ...env, ...overrides } as Env;
  const send = (request: Request) =>
    Object.keys(overrides).length ? worker.fetch(request, overridden) : exports.default.fetch(request);
  const c: WorkerClient = {
    async call(request) {
      request.headers.set('cf-connecting-ip', ip);
      return responses.keep(await send(request));
    },
    post(body, init = {}) {
      const origin = init.origin === undefined ? ORIGIN : init.origin;
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(origin ? { origin } : {}) };
      return c.call(new Request(`${ENDPOINT}${init.query ?? ''}`, { method: 'POST', headers, body: JSON.stringify(body) }));
    },
    get(taskId, query = {}) {
      return c.call(new Request(`${ENDPOINT}?${new URLSearchParams({ task_id: taskId, ...query })}`, { headers: { origin: ORIGIN } }));
    },
    async settle(taskId) {
      for (;;) {
        const state = await stateOf(await c.get(taskId, { wait: '5' }));
        if (state.status === 'done' || state.status === 'failed') return state;
      }
    },
  };
  return c;
}

export async function stateOf(response: Response): Promise<TaskState> {
  expect(response.status, await response.clone().text()).toBe(200);
  return taskStateSchema.parse(await response.json());
}

export async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}
