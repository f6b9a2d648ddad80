import { unsignedBody, type GenerateRequest, type TaskStatus } from '../protocol/index.js';

/**
 * The NavTalk client: the only code that sees the key or talks to NavTalk. Each method makes exactly one HTTP
 * call; retrying is the caller's decision (polls may be retried, /generate never is). Answers are read
 * narrowly (status, task_id, video_url, an error text) and everything else is ignored.
 */

export interface NavTalkOptions {
  baseUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
}

/** Why an upstream call did not give a usable answer. */
export type UpstreamFailure =
  | { kind: 'timeout' }
  | { kind: 'network' }
  | { kind: 'http'; status: number; retryAfterSeconds?: number }
  | { kind: 'malformed' };

export class UpstreamError extends Error {
  constructor(readonly failure: UpstreamFailure) {
    super(`NavTalk call failed: ${failure.kind}${failure.kind === 'http' ? ` ${failure.status}` : ''}`);
  }
}

export interface UpstreamStatus {
  status: TaskStatus;
  videoUrl?: string;
  /** NavTalk's own error text for a failed task, raw: sanitize before showing it. */
  errorText?: string;
}

export interface NavTalkClient {
  /** POST /generate once; the upstream task id. */
  generate(request: GenerateRequest, timeoutMs: number): Promise<string>;
  /** GET /query_status once. */
  query(upstreamTaskId: string, timeoutMs: number): Promise<UpstreamStatus>;
}

const STATUSES = new Set<string>(['started', 'processing', 'done', 'failed']);

function retryAfter(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(Math.ceil(seconds), 3600) : undefined;
}

export function createNavTalkClient(options: NavTalkOptions): NavTalkClient {
  const doFetch = options.fetch ?? fetch;

  async function call(path: string, init: RequestInit, timeoutMs: number): Promise<Record<string, unknown>> {
    let response: Response;
    let text: string;
    try {
      // Headers are built here from nothing: no browser header (cookie, origin, cf-*) is ever forwarded.
      response = await doFetch(`${options.baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      text = await response.text();
    } catch (error) {
      const name = (error as { name?: string } | null)?.name;
      throw new UpstreamError(name === 'TimeoutError' || name === 'AbortError' ? { kind: 'timeout' } : { kind: 'network' });
    }
    if (!response.ok) {
      const after = retryAfter(response);
      throw new UpstreamError({ kind: 'http', status: response.status, ...(after ? { retryAfterSeconds: after } : {}) });
    }
    try {
      const body: unknown = JSON.parse(text);
      if (body !== null && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
    } catch {
      // fall through: not JSON
    }
    throw new UpstreamError({ kind: 'malformed' });
  }

  return {
    async generate(request, timeoutMs) {
      const body = JSON.stringify({ license: options.apiKey, ...unsignedBody(request) });
      const answer = await call('/generate', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body,
      }, timeoutMs);
      const taskId = answer.task_id;
      if (typeof taskId !== 'string' || !/^[\w.:-]{1,200}$/.test(taskId)) throw new UpstreamError({ kind: 'malformed' });
      return taskId;
    },

    async query(upstreamTaskId, timeoutMs) {
      const query = new URLSearchParams({ license: options.apiKey, task_id: upstreamTaskId });
      const answer = await call(`/query_status?${query}`, { headers: { accept: 'application/json' } }, timeoutMs);
      const status = answer.status;
      if (typeof status !== 'string' || !STATUSES.has(status)) throw new UpstreamError({ kind: 'malformed' });
      if (status === 'done') {
        if (typeof answer.video_url !== 'string' || !/^https?:\/\//.test(answer.video_url)) throw new UpstreamError({ kind: 'malformed' });
        return { status, videoUrl: answer.video_url };
      }
      if (status === 'failed') {
        const errorText = [answer.error, answer.message, answer.msg, answer.detail].find((v) => typeof v === 'string');
        return { status, ...(errorText ? { errorText: errorText as string } : {}) };
      }
      return { status: status as TaskStatus };
    },
  };
}
