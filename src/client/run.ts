// The protocol's zod-free modules only: the CDN bundle carries no zod.
import type { GenerateRequest } from '../protocol/schemas.js';
import { MAX_WAIT_SECONDS, QUERY, isTerminal, readTaskState, type TaskState, type TaskStatus } from '../protocol/wire.js';
import { TaskError, errorFromResponse, knownCode } from './errors.js';
import { backoffDelay, sleep } from './timing.js';

/** Where a task stands, as its subscribers see it. `submitting` covers the POST before the proxy answers. */
export interface TaskUpdate {
  status: 'submitting' | Exclude<TaskStatus, 'failed'>;
  taskId: string | null;
  resultUrl: string | null;
}

/** What the runner needs from its surroundings; tests may pass their own. */
export interface RunnerEnv {
  fetch(url: string, init: RequestInit): Promise<Response>;
  random(): number;
  /** Resolves at once while the page is visible, else when it becomes visible again. */
  whenVisible(signal: AbortSignal): Promise<void>;
}

export const browserEnv: RunnerEnv = {
  fetch: (url, init) => fetch(url, init),
  random: () => Math.random(),
  whenVisible: (signal) => {
    const doc = globalThis.document;
    if (doc?.visibilityState !== 'hidden') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const settle = (done: () => void) => () => {
        doc.removeEventListener('visibilitychange', onChange);
        signal.removeEventListener('abort', onAbort);
        done();
      };
      const onAbort = settle(() => reject(signal.reason));
      const visible = settle(resolve);
      const onChange = () => doc.visibilityState !== 'hidden' && visible();
      doc.addEventListener('visibilitychange', onChange);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  },
};

export interface RunOptions {
  /** Absolute URL of the proxy. */
  endpoint: string;
  body: GenerateRequest;
  /** Longest wait for a result, not counting time the page spends hidden. */
  timeoutMs: number;
  /** The video this request gave before could not be loaded: the proxy checks it, and makes it again if it is gone. */
  recheck?: boolean;
  signal: AbortSignal;
  onUpdate(update: TaskUpdate): void;
  env?: RunnerEnv;
}

/** Transient poll failures (network, 5xx, 429) tolerated in a row before giving up. */
export const MAX_POLL_FAILURES = 4;

const isTransient = (error: TaskError) =>
  error.code === 'network' || (error.httpStatus !== undefined && (error.httpStatus >= 500 || error.httpStatus === 429));

/**
 * Runs one generation: POST the request, then poll its status until it is done, fails, times out or the
 * signal aborts. Long-polls while the proxy supports it and falls back on backoff with jitter when it
 * does not. Resolves with the final (done) update; rejects with a TaskError, or the signal's reason.
 */
export async function runTask(options: RunOptions): Promise<TaskUpdate> {
  const { endpoint, body, signal, onUpdate, env = browserEnv } = options;
  let deadline = Date.now() + options.timeoutMs;
  const remaining = () => deadline - Date.now();

  const call = async (url: string, init: RequestInit): Promise<TaskState> => {
    const limit = AbortSignal.timeout(Math.max(1, remaining()));
    try {
      const response = await env.fetch(url, { ...init, cache: 'no-store', signal: AbortSignal.any([signal, limit]) });
      // Reading the body can fail like the request itself (a dropped connection): that is a network error.
      const json = parseJson(await response.text());
      if (!response.ok) throw errorFromResponse(response, json);
      const state = readTaskState(json);
      if (!state) throw notAState();
      return state;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (limit.aborted) throw timedOut(options.timeoutMs);
      if (error instanceof TaskError) throw error;
      throw new TaskError('network', 'Could not reach the proxy.');
    }
  };
  const pause = (ms: number) => sleep(Math.min(ms, remaining()), signal);

  onUpdate({ status: 'submitting', taskId: null, resultUrl: null });
  // Sent once: a POST that got no answer may have started a paid generation, so only the user retries it.
  const postUrl = new URL(endpoint);
  if (options.recheck) postUrl.searchParams.set(QUERY.recheck, '1');
  let state = await call(postUrl.href, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  report(state, onUpdate);

  let longPoll = true;
  let attempt = 0;
  let failures = 0;
  while (!isTerminal(state.status)) {
    const hiddenSince = Date.now();
    await env.whenVisible(signal);
    deadline += Date.now() - hiddenSince;
    if (remaining() <= 0) throw timedOut(options.timeoutMs);

    const url = new URL(endpoint);
    url.searchParams.set(QUERY.taskId, state.task_id);
    const wait = Math.min(MAX_WAIT_SECONDS, Math.ceil(remaining() / 1000));
    if (longPoll) {
      url.searchParams.set(QUERY.wait, String(wait));
      url.searchParams.set(QUERY.status, state.status);
    }
    const sentAt = Date.now();
    let next: TaskState;
    try {
      next = await call(url.href, { method: 'GET' });
    } catch (error) {
      if (!(error instanceof TaskError) || !isTransient(error) || ++failures > MAX_POLL_FAILURES) throw error;
      await pause(error.retryAfter !== undefined ? error.retryAfter * 1000 : backoffDelay(failures - 1, env.random()));
      continue;
    }
    failures = 0;
    if (next.status === state.status) {
      // A proxy that holds long-polls answers an unchanged status only after the wait.
      if (longPoll && Date.now() - sentAt < wait * 500) longPoll = false;
    } else {
      attempt = 0;
      state = next;
      report(state, onUpdate);
    }
    if (!longPoll && !isTerminal(state.status)) await pause(backoffDelay(attempt++, env.random()));
  }
  return { status: 'done', taskId: state.task_id, resultUrl: state.video_url! };
}

/** Passes a task state on, or throws for a failed task or a done task without a video. */
function report(state: TaskState, onUpdate: (update: TaskUpdate) => void): void {
  if (state.status === 'failed') {
    throw new TaskError(knownCode(state.error?.code) ?? 'upstream_failed', state.error?.message ?? 'The video could not be made.');
  }
  if (state.status === 'done' && !state.video_url) {
    throw notAState();
  }
  onUpdate({ status: state.status, taskId: state.task_id, resultUrl: state.video_url ?? null });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An answer that is not a task state, or a done one without its video. */
const notAState = () => new TaskError('proxy_error', 'The proxy answered with something other than a task state.');

const timedOut = (timeoutMs: number) =>
  new TaskError('timeout', `No video after ${Math.round(timeoutMs / 1000)} s.`);
