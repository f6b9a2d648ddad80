import type { GenerateRequest } from '../../src/protocol/index.js';
import { sleep } from './stats.js';

/** NavTalk's own advice, followed literally: POST once, then GET the status every 2 s until it ends. */
export const NAIVE_POLL_MS = 2000;

export interface NaiveOutcome {
  status: string;
  requests: number;
  ms: number;
  taskId?: string;
}

/** One naive viewer in Node (the browser twin lives in bench/lib/pages.ts). Bounded by `timeoutMs`. */
export async function naiveFollow(endpoint: string, body: GenerateRequest, headers: Record<string, string>, timeoutMs: number): Promise<NaiveOutcome> {
  const started = Date.now();
  let requests = 1;
  try {
    const posted = await fetch(endpoint, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    let state = (await posted.json()) as { task_id?: string; status?: string };
    const taskId = state.task_id;
    if (!posted.ok || !taskId) return { status: 'failed', requests, ms: Date.now() - started };
    while (state.status !== 'done' && state.status !== 'failed' && Date.now() - started < timeoutMs) {
      await sleep(NAIVE_POLL_MS);
      requests++;
      const polled = await fetch(`${endpoint}?task_id=${encodeURIComponent(taskId)}`, { headers });
      state = (await polled.json()) as typeof state;
    }
    return { status: state.status ?? 'failed', requests, ms: Date.now() - started, taskId };
  } catch {
    return { status: 'failed', requests, ms: Date.now() - started };
  }
}
