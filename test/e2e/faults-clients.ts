/**
 * Viewers as HTTP clients, for load that browsers cannot make (200 or 1,000 at once): each runs the element's
 * own task runner (src/client) in Node, so it follows the proxy protocol exactly as the element does (one
 * POST, long-polls, backoff, Retry-After). Shared by the fault suite and the benchmarks.
 */
import { TaskError, runTask, type RunnerEnv } from '../../src/client/index.js';
import type { GenerateRequest } from '../../src/protocol/index.js';

export interface Viewer {
  /** The page origin the requests claim (the Worker checks it like a browser's). */
  origin: string;
  /** Sent as CF-Connecting-IP, which wrangler dev passes through: a distinct address per viewer keeps them in separate rate-limit buckets. */
  ip?: string;
}

export type ViewerOutcome =
  | { status: 'done'; videoUrl: string; taskId: string; requests: number; ms: number }
  | { status: 'failed'; code: string; message: string; requests: number; ms: number };

/** A distinct IPv4 address (in 10.0.0.0/8) for viewer `n`. */
export const viewerIp = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

/** Follows one generation to its end; never throws: a failure is an outcome with the runner's error code. */
export async function followTask(endpoint: string, body: GenerateRequest, viewer: Viewer, timeoutMs: number): Promise<ViewerOutcome> {
  let requests = 0;
  const env: RunnerEnv = {
    fetch: (url, init) => {
      requests++;
      const headers = new Headers(init.headers);
      headers.set('origin', viewer.origin);
      if (viewer.ip) headers.set('cf-connecting-ip', viewer.ip);
      return fetch(url, { ...init, headers });
    },
    random: Math.random,
    whenVisible: () => Promise.resolve(),
  };
  const started = Date.now();
  try {
    const done = await runTask({ endpoint, body, timeoutMs, signal: new AbortController().signal, onUpdate: () => {}, env });
    return { status: 'done', videoUrl: done.resultUrl!, taskId: done.taskId!, requests, ms: Date.now() - started };
  } catch (error) {
    const { code, message } = error instanceof TaskError ? error : { code: 'unexpected', message: String(error) };
    return { status: 'failed', code, message, requests, ms: Date.now() - started };
  }
}
