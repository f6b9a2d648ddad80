import {
  MAX_WAIT_SECONDS, QUERY, canonicalJson, readErrorBody, readTaskState, unsignedBody,
  type GenerateRequest, type TaskState,
} from '../protocol/index.js';
import { signRequest, toBase64Url } from '../proxy/signing.js';
import { applyEdits, avatarTags, setAttributes, type AvatarTag } from './html.js';

/**
 * Pre-rendering: each <navtalk-avatar> with inputs gets its video made now, through the deployed proxy, and the
 * video's URL written into the tag as `result-url`, so visitors play it with no proxy call. Beside it goes
 * `result-hash`, a hash of the request it was made from: a later run (or `check`) sees at once whether the inputs
 * changed since. Shared by the CLI (`navtalk-avatar prerender`) and the Vite plugin.
 */

export const RESULT_URL = 'result-url';
export const RESULT_HASH = 'result-hash';

export interface RenderOptions {
  /** The deployed proxy's URL (absolute). */
  endpoint: string;
  /** The Origin to send: one of the proxy's ALLOWED_ORIGINS (the site's). */
  origin: string;
  /** Signs each request (and the tag) for a proxy in AUTH_MODE=signed. */
  signingSecret?: string;
  /** Longest wait for one video, in ms (default 300 s). */
  timeoutMs?: number;
  /** How long to wait after `done` for the proxy's own copy of the video (default 15 s). */
  storeWaitMs?: number;
  fetch?: typeof fetch;
  /** Each status a task reaches. */
  onStatus?: (status: string) => void;
}

export interface Rendered {
  resultUrl: string;
  /** The URL is the proxy's kept copy; false: NavTalk's own URL, whose lifetime NavTalk does not document. */
  kept: boolean;
}

export class RenderError extends Error {
  constructor(readonly code: string, message: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

/** The request's hash as `result-hash` records it: base64url SHA-256 of its canonical JSON (signature left out), 22 characters. */
export async function requestHash(request: GenerateRequest): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonicalJson(unsignedBody(request))));
  return toBase64Url(digest).slice(0, 22);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Makes one video through the proxy (POST, then long-polls) and returns its URL, preferring the proxy's kept copy. */
export async function renderRequest(request: GenerateRequest, options: RenderOptions): Promise<Rendered> {
  const doFetch = options.fetch ?? fetch;
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  const headers = { origin: options.origin, accept: 'application/json' };
  const body = options.signingSecret ? { ...request, signature: await signRequest(request, options.signingSecret) } : request;
  const call = async (url: string, init: RequestInit = {}): Promise<TaskState> => {
    let response: Response;
    let json: unknown;
    try {
      response = await doFetch(url, { ...init, headers: { ...headers, ...init.headers }, signal: AbortSignal.timeout(Math.max(1000, deadline - Date.now())) });
      json = await response.json().catch(() => undefined);
    } catch (error) {
      throw new RenderError('network', `the proxy could not be reached (${(error as Error).message})`);
    }
    const state = response.ok ? readTaskState(json) : undefined;
    if (state) return state;
    const info = readErrorBody(json);
    throw new RenderError(info?.code ?? `http_${response.status}`, info?.message ?? `the proxy answered HTTP ${response.status}`,
      Number(response.headers.get('retry-after')) || undefined);
  };
  /** POSTs the request; a per-client rate limit (many new scripts at once) is waited out while time allows. */
  const submit = async (): Promise<TaskState> => {
    for (;;) {
      try {
        return await call(options.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      } catch (error) {
        const wait = error instanceof RenderError && error.code === 'rate_limited' ? (error.retryAfterSeconds ?? 0) * 1000 : 0;
        if (!wait || Date.now() + wait > deadline) throw error;
        options.onStatus?.(`rate limited: waiting ${Math.ceil(wait / 1000)} s`);
        await sleep(wait);
      }
    }
  };
  const stateUrl = (taskId: string, extra: Record<string, string> = {}) => {
    const url = new URL(options.endpoint);
    url.searchParams.set(QUERY.taskId, taskId);
    for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
    return url.href;
  };

  let state = await submit();
  options.onStatus?.(state.status);
  while (state.status !== 'done' && state.status !== 'failed') {
    if (Date.now() > deadline) throw new RenderError('timeout', `no video after ${Math.round((options.timeoutMs ?? 300_000) / 1000)} s`);
    const wait = String(Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.ceil((deadline - Date.now()) / 1000))));
    const next = await call(stateUrl(state.task_id, { [QUERY.wait]: wait, [QUERY.status]: state.status }));
    if (next.status !== state.status) options.onStatus?.(next.status);
    state = next;
  }
  if (state.status === 'failed') throw new RenderError(state.error?.code ?? 'failed', state.error?.message ?? 'the video could not be made');

  // The proxy copies a done video after answering `done`: wait a little for the URL of its copy.
  const own = new URL(options.endpoint);
  const isKept = (url: string | undefined) => !!url && url.startsWith(`${own.origin}${own.pathname}?`) && new URL(url).searchParams.has(QUERY.video);
  const storeDeadline = Date.now() + (options.storeWaitMs ?? 15_000);
  while (!isKept(state.video_url) && Date.now() < storeDeadline) {
    await sleep(500);
    state = await call(stateUrl(state.task_id));
  }
  return { resultUrl: state.video_url!, kept: isKept(state.video_url) };
}

/** What became of one tag. */
export interface TagOutcome {
  line: number;
  column: number;
  /** up to date: its result-url was made from these inputs; rendered: made now (or found in the cache); skipped: no inputs; failed: see error. */
  status: 'up to date' | 'rendered' | 'skipped' | 'failed';
  resultUrl?: string;
  warning?: string;
  error?: string;
}

/** One file's plan: its tags, and for each that needs a video, the request and its hash. */
export interface HtmlPlan {
  html: string;
  tags: { tag: AvatarTag; hash?: string; needs: boolean; outcome: TagOutcome }[];
}

/** Reads a document's tags: which are up to date, which need a video, which cannot be made (invalid inputs). */
export async function planHtml(html: string, voices?: ReadonlySet<string>): Promise<HtmlPlan> {
  const tags: HtmlPlan['tags'] = [];
  for (const tag of avatarTags(html, voices)) {
    const outcome: TagOutcome = { line: tag.line, column: tag.column, status: 'skipped' };
    if (!tag.hasInputs) {
      tags.push({ tag, needs: false, outcome });
      continue;
    }
    if (!tag.request.ok) {
      tags.push({ tag, needs: false, outcome: { ...outcome, status: 'failed', error: tag.request.message } });
      continue;
    }
    const hash = await requestHash(tag.request.value);
    const fresh = tag.attributes.get(RESULT_HASH) === hash && !!tag.attributes.get(RESULT_URL);
    tags.push({
      tag, hash, needs: !fresh,
      outcome: fresh ? { ...outcome, status: 'up to date', resultUrl: tag.attributes.get(RESULT_URL)! } : outcome,
    });
  }
  return { html, tags };
}

/** The document with every rendered tag's result-url and result-hash (and signature) written; unchanged unless every tag is fine. */
export async function applyPlan(plan: HtmlPlan, signingSecret?: string): Promise<string> {
  if (plan.tags.some((t) => t.outcome.status === 'failed' || (t.needs && t.outcome.status !== 'rendered'))) return plan.html;
  const edits: ReturnType<typeof setAttributes> = [];
  for (const { tag, hash, needs, outcome } of plan.tags) {
    if (!needs || !tag.request.ok) continue;
    const values: Record<string, string> = { [RESULT_URL]: outcome.resultUrl!, [RESULT_HASH]: hash! };
    if (signingSecret) values.signature = await signRequest(tag.request.value, signingSecret);
    edits.push(...setAttributes(plan.html, tag, values));
  }
  return applyEdits(plan.html, edits);
}

/** Runs `work` over `items`, at most `limit` at a time, in order of start. */
export async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** The warning for a result that is NavTalk's own URL rather than the proxy's kept copy. */
export const UNKEPT_WARNING = "NavTalk's own URL (its lifetime is undocumented): give the proxy a result store (the Worker's R2 bucket) so it serves a kept copy";
