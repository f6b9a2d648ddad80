import { unsignedBody, type GenerateRequest, type TaskStatus } from '../protocol/index.js';

/**
 * The NavTalk client: the only code that sees the key or talks to NavTalk. Each method makes exactly one HTTP
 * call; retrying is the caller's decision (polls may be retried, /generate never is). Answers are read
 * narrowly (status, task_id, video_url, an error text) and everything else is ignored. NavTalk's own texts
 * leave it only as sanitized, short single lines without the key, so nothing downstream can leak it.
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
  | { kind: 'http'; status: number; retryAfterSeconds?: number; reason?: string }
  | { kind: 'malformed' };

export class UpstreamError extends Error {
  constructor(readonly failure: UpstreamFailure) {
    super(`NavTalk call failed: ${failure.kind}${failure.kind === 'http' ? ` ${failure.status}` : ''}`);
  }
}

export interface UpstreamStatus {
  status: TaskStatus;
  videoUrl?: string;
  /** NavTalk's own error text for a failed task, sanitized (sanitizeUpstreamText). */
  errorText?: string;
}

export interface NavTalkClient {
  /** POST /generate once; the upstream task id. */
  generate(request: GenerateRequest, timeoutMs: number): Promise<string>;
  /** GET /query_status once. */
  query(upstreamTaskId: string, timeoutMs: number): Promise<UpstreamStatus>;
}

const STATUSES = new Set<string>(['started', 'processing', 'done', 'failed']);

/** NavTalk's error text lives under one of these keys (its name is not documented). */
const ERROR_KEYS = ['error', 'message', 'msg', 'detail'] as const;

/** NavTalk's reason for a failed generation, made safe to show: one short line of plain text, no key, no links. */
export function sanitizeUpstreamText(text: string | undefined, secret: string): string | undefined {
  if (!text) return undefined;
  let clean = text.replace(/[\u0000-\u001f\u007f-\u009f<>]/g, ' ').replace(/\s+/g, ' ').trim();
  if (secret) clean = clean.split(secret).join('[redacted]');
  clean = clean.replace(/\b(sk[-_][A-Za-z0-9_-]{6,})/g, '[redacted]').replace(/https?:\/\/\S+/g, '[link]');
  return clean ? (clean.length > 160 ? `${clean.slice(0, 157)}...` : clean) : undefined;
}

/** The first error text in an answer: a string under one of ERROR_KEYS, or the `message` of an object there. */
function errorTextOf(answer: unknown): string | undefined {
  if (answer === null || typeof answer !== 'object') return undefined;
  for (const key of ERROR_KEYS) {
    const value = (answer as Record<string, unknown>)[key];
    if (typeof value === 'string' && value.trim()) return value;
    if (value !== null && typeof value === 'object') {
      const nested = errorTextOf(value);
      if (nested) return nested;
    }
  }
  return undefined;
}

/** The reason in an error answer: its JSON error text, or a short plain-text body (never an HTML page). */
function reasonOf(text: string, contentType: string | null): string | undefined {
  try {
    return errorTextOf(JSON.parse(text));
  } catch {
    return /^text\/plain\b/i.test(contentType ?? '') && text.length <= 500 ? text : undefined;
  }
}

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
      const reason = sanitizeUpstreamText(reasonOf(text, response.headers.get('content-type')), options.apiKey);
      throw new UpstreamError({ kind: 'http', status: response.status, ...(after ? { retryAfterSeconds: after } : {}), ...(reason ? { reason } : {}) });
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
        const errorText = sanitizeUpstreamText(errorTextOf(answer), options.apiKey);
        return { status, ...(errorText ? { errorText } : {}) };
      }
      return { status: status as TaskStatus };
    },
  };
}
