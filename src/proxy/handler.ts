import {
  MAX_SCRIPT_URL_LENGTH, MAX_WAIT_SECONDS, QUERY, TASK_STATUSES, previewProblem, readScriptParam, validateGenerateRequest,
  type GenerateRequest, type ProxyErrorCode, type TaskState, type TaskStatus,
} from '../protocol/index.js';
import type { ProxyConfig } from './config.js';
import { ADMIN_QUERY, adminRoutes } from './admin.js';
import type { Budget, RateLimiter, RefusalKind, RunningTask } from './limits.js';
import { MemoryBudget, MemoryRateLimiter, MemoryTaskStore, MemoryTaskTimings } from './memory.js';
import { DROP_BODY_BYTES, readAtMost } from './bytes.js';
import { DEFAULT_COPY_LIMITS, MemoryResultStore, parseRange, type ResultStore, type StoredVideoInfo } from './results.js';
import { MEMORY_PREVIEWS, PREVIEW_CACHE_CONTROL, PREVIEW_MISSING_MS, previewKey, previewLoader } from './preview.js';
import type { TaskTimings } from './schedule.js';
import { createNavTalkClient } from './navtalk.js';
import { verifyRequest } from './signing.js';
import { isTaskId, taskIdMaker } from './task-id.js';
import { GUARDS_UNAVAILABLE, proxyError, redactingLog, type Admit, type ProxyError, type ProxyLog, type TaskSettings, type TaskStore } from './tasks.js';
import { unsafeUrlReason } from './url-safety.js';

/**
 * The proxy protocol as one Web-standard function, `(Request) => Promise<Response>`: `POST` starts (or joins)
 * a generation, `GET ?task_id=` reports on it (optionally long-polling), `OPTIONS` answers CORS preflight.
 * Mount it at any path in anything that speaks Request/Response (Workers, Next.js, Hono, Deno, Bun; Express
 * through an adapter). Checks run top to bottom, cheapest first; only a request that passes them all can
 * cost money, and then only once per distinct body.
 */

export interface ProxyHandlerOptions {
  /** From configFromEnv(); a configuration with problems answers 500 `misconfigured` to everything. */
  config: ProxyConfig;
  /** Task coordination. Default: in memory, polling NavTalk with timers. */
  store?: TaskStore;
  /** Recent task durations for the default store's adaptive poll schedule. Default: in memory. */
  timings?: TaskTimings;
  /**
   * Where finished videos are kept and served from (`GET ?video=`), and character previews (`GET ?preview=`, kept as
   * `preview.NAME`). Default: none, so pages play NavTalk's URLs, kept for RESULT_TTL_SECONDS (a day by default), and
   * previews are kept in memory. The default task store copies into it; a store of your own (the Worker's) must be
   * given the same one.
   */
  results?: ResultStore;
  /** Per-client limit. Default: in memory. */
  limiter?: RateLimiter;
  /** Daily cap. Default: in memory (one process). */
  budget?: Budget;
  /**
   * Who a request comes from, for the per-client limit. Default: one shared key for everyone (a global limit),
   * since only the host knows which header its platform sets truthfully (e.g. Cloudflare's CF-Connecting-IP).
   */
  clientKey?: (request: Request) => string;
  /** Used by the default store to call NavTalk. */
  fetch?: typeof fetch;
  now?: () => number;
  /** Structured log lines; they never contain the key, request bodies or upstream ids. Default: warnings and errors to the console. */
  log?: ProxyLog;
}

export type ProxyHandler = (request: Request) => Promise<Response>;

const fail = proxyError;

const NO_ORIGIN = fail('origin_not_allowed', 'This page is not allowed to use this proxy (its origin is not in ALLOWED_ORIGINS).');

export const consoleLog: ProxyLog = (level, event, fields) => {
  if (level !== 'info') console[level](JSON.stringify({ level, event, ...fields }));
};

const DAY_MS = 86_400_000;

/** The settings a started task keeps (see TaskSettings); `videoBase` is the proxy's URL, when it stores videos. */
export function taskSettings(config: ProxyConfig, videoBase?: string): TaskSettings {
  const ttl = config.resultTtlSeconds === null ? null : config.resultTtlSeconds * 1000;
  return {
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    pollIntervalMs: config.upstreamPollIntervalMs,
    maxWaitMs: config.upstreamMaxWaitSeconds * 1000,
    resultTtlMs: ttl ?? DAY_MS,
    storedTtlMs: ttl,
    ...(videoBase ? { videoBase } : {}),
  };
}

/** Headers of a stored video: cached for good by browsers and the edge (its URL changes with its bytes). */
const VIDEO_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * How long a browser may keep a `?script=` redirect to NavTalk's URL (at most RESULT_TTL_SECONDS, the proxy's own
 * hold on it): briefly, and privately, since that URL is not the proxy's and a kept copy replaces it soon.
 */
const SCRIPT_REDIRECT_SECONDS = 60;

/** A done task's video when it is the proxy's stored copy (`?video=ID`) rather than NavTalk's URL. */
const isStoredCopyUrl = (state: TaskState): boolean => {
  try {
    return new URL(state.video_url ?? '').searchParams.get(QUERY.video) === state.task_id;
  } catch {
    return false;
  }
};

/** Decoded size of a base64 text, without decoding it. */
const base64Bytes = (text: string) => Math.floor((text.length * 3) / 4) - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);

/** ALLOWED_CHARACTERS, for a request's `character_name` or a preview's name (`label`). */
const unoffered = (label: string, name: string, config: ProxyConfig): ProxyError | null =>
  config.allowedCharacters && !config.allowedCharacters.has(name)
    ? fail('invalid_input', `${label} ${JSON.stringify(name.slice(0, 64))} is not offered by this proxy.`)
    : null;

/** The proxy's own limits and URL rules, on top of the protocol's schema. */
function policyProblem(body: GenerateRequest, config: ProxyConfig): ProxyError | null {
  const character = body.character_name === undefined ? null : unoffered('character_name', body.character_name, config);
  if (character) return character;
  if (body.content !== undefined) {
    const length = [...body.content].length;
    if (length > config.maxTextLength) {
      return fail('invalid_input', `content must be at most ${config.maxTextLength} characters on this proxy (got ${length}).`);
    }
  }
  if (body.audio_base64 !== undefined && base64Bytes(body.audio_base64) > config.maxAudioBytes) {
    return fail('invalid_input', `audio_base64 must decode to at most ${config.maxAudioBytes} bytes on this proxy.`);
  }
  for (const field of ['video_url', 'image_url', 'audio_url'] as const) {
    const value = body[field];
    const reason = value === undefined ? null : unsafeUrlReason(value, config.trustedMediaOrigins);
    if (reason) return fail('unsafe_url', `${field} ${reason}.`);
  }
  return null;
}

const reusableAnswers = new WeakSet<Response>();

/**
 * Whether this answer of the handler may be given again to the same request (the same method, URL, headers that
 * matter and body bytes) for a short while: a POST answered `done`. A page's viewers all send the same bytes, the
 * checks before the answer depend on those bytes alone, and a finished video's answer does not change except
 * through a recheck (a request of its own) or its deletion. Host adapters use it to answer repeats from memory.
 */
export const isReusableAnswer = (response: Response): boolean => reusableAnswers.has(response);

export function createProxyHandler(options: ProxyHandlerOptions): ProxyHandler {
  const { config } = options;
  const now = options.now ?? Date.now;
  const log = redactingLog(options.log ?? consoleLog, config.apiKey);
  const limiter = options.limiter ?? new MemoryRateLimiter();
  const budget = options.budget ?? new MemoryBudget();
  const clientKey = options.clientKey ?? (() => 'everyone');
  const store = options.store ?? new MemoryTaskStore({
    navtalk: createNavTalkClient({ baseUrl: config.baseUrl, apiKey: config.apiKey, ...(options.fetch ? { fetch: options.fetch } : {}) }),
    now,
    log,
    timings: options.timings ?? new MemoryTaskTimings(),
    finished: (id, startedAt) => budget.finished(id, startedAt),
    ...(options.results ? { results: { store: options.results, limits: DEFAULT_COPY_LIMITS } } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const results = options.results;
  const taskId = taskIdMaker(config.apiKey);
  const redirectCacheControl = `private, max-age=${Math.min(SCRIPT_REDIRECT_SECONDS, config.resultTtlSeconds ?? SCRIPT_REDIRECT_SECONDS)}`;
  const misconfigured = config.problems.length > 0;
  if (misconfigured) log('error', 'misconfigured', { problems: config.problems.join('; ') });
  const admin = adminRoutes({ config, budget, store, now, log, ...(results ? { results } : {}) });
  const previews = results ?? new MemoryResultStore(now, MEMORY_PREVIEWS);
  const loadPreview = previewLoader({
    store: previews, baseUrl: config.previewBaseUrl, timeoutMs: config.upstreamTimeoutMs, fetch: options.fetch ?? fetch, now, log,
  });

  function respond(status: number, body: unknown, origin: string | null, extra: Record<string, string> = {}): Response {
    const headers = new Headers({ 'cache-control': 'no-store', vary: 'Origin', ...extra });
    if (body !== null) headers.set('content-type', 'application/json; charset=utf-8');
    allowOrigin(headers, origin, 'Retry-After');
    return new Response(body === null ? null : JSON.stringify(body), { status, headers });
  }

  function allowOrigin(headers: Headers, origin: string | null, expose: string): void {
    if (origin && config.allowedOrigins.has(origin)) {
      headers.set('access-control-allow-origin', origin);
      headers.set('access-control-expose-headers', expose);
    }
  }

  function error(e: ProxyError, origin: string | null, extra: Record<string, string> = {}): Response {
    const headers = e.retryAfterSeconds ? { ...extra, 'retry-after': String(e.retryAfterSeconds) } : extra;
    return respond(e.status, { error: { code: e.code, message: e.message } }, origin, headers);
  }

  /** Counts a refusal for the operator's view; a count that cannot be made changes no answer. */
  const count = (kind: RefusalKind) => budget.refused(kind, now()).catch((e: unknown) =>
    log('warn', 'usage_unavailable', { error: String(e instanceof Error ? e.message : e).slice(0, 200) }));

  /**
   * The guards, in order: only the request that would start upstream work reaches them. A guard that cannot
   * answer denies: spending must fail closed.
   */
  const admitFor = (client: string, task: RunningTask): Admit => async () => {
    try {
      if (config.rateLimitPerMinute > 0) {
        const rate = await limiter.take(client, config.rateLimitPerMinute, now());
        if (!rate.ok) {
          await count('rate_limit');
          return { ok: false, error: fail('rate_limited', `Too many new videos requested from this address; try again in ${rate.retryAfterSeconds} s.`, rate.retryAfterSeconds) };
        }
      }
      const day = await budget.reserve(config.dailyGenerationLimit, now(), task);
      if (!day.ok) await count('budget');
      if (!day.ok) return { ok: false, error: fail('budget_exhausted', "This site's daily budget of new videos is spent; videos already made still play. Try again after midnight UTC.", day.retryAfterSeconds) };
      return { ok: true };
    } catch (e) {
      log('error', 'guard_unavailable', { error: String(e instanceof Error ? e.message : e).slice(0, 200) });
      return { ok: false, error: GUARDS_UNAVAILABLE };
    }
  };

  /** A request refused as invalid (its body, or a script's): counted for the operator's view. */
  async function invalid(e: ProxyError, origin: string | null): Promise<Response> {
    await count('invalid_input');
    return error(e, origin);
  }

  /**
   * A request body (parsed JSON) checked as the POST and `?script=` both check it: the shared schema, the proxy's own
   * limits and URL rules (refused as invalid), then the signature in signed mode. The body, or the refusal to answer.
   */
  async function checkedRequest(input: unknown, origin: string | null): Promise<GenerateRequest | Response> {
    const validation = validateGenerateRequest(input, undefined, config.voices);
    if (!validation.ok) return invalid(fail('invalid_input', validation.message), origin);
    const body = validation.value;
    const problem = policyProblem(body, config);
    if (problem) return invalid(problem, origin);
    if (config.authMode === 'signed') {
      if (body.signature === undefined) return error(fail('signature_required', 'This proxy only makes videos the site owner signed: the request needs its signature (made with navtalk-sign).'), origin);
      if (!(await verifyRequest(body, config.signingSecrets))) return error(fail('signature_invalid', 'The signature does not match this request: sign it again with navtalk-sign after any change.'), origin);
    }
    return body;
  }

  async function handlePost(request: Request, origin: string | null): Promise<Response> {
    if (origin === null) return error(NO_ORIGIN, null);
    const tooLarge = fail('payload_too_large', `The request body must be at most ${config.maxBodyBytes} bytes.`);
    if (Number(request.headers.get('content-length')) > config.maxBodyBytes) return invalid(tooLarge, origin);
    const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'application/json') return error(fail('unsupported_media_type', 'Send the request as application/json.'), origin);
    const bytes = request.body ? await readAtMost(request.body, config.maxBodyBytes, DROP_BODY_BYTES) : new Uint8Array();
    if (!bytes) return invalid(tooLarge, origin);

    let input: unknown;
    try {
      input = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
    } catch {
      return invalid(fail('invalid_json', 'The request body is not valid JSON.'), origin);
    }
    const body = await checkedRequest(input, origin);
    if (body instanceof Response) return body;

    const url = new URL(request.url);
    const recheck = url.searchParams.get(QUERY.recheck);
    if (recheck !== null && recheck !== '1') return error(fail('invalid_input', `${QUERY.recheck} must be 1 when given.`), origin);
    const id = await taskId(body);
    const settings = taskSettings(config, results ? `${url.origin}${url.pathname}` : undefined);
    const task = { id, until: now() + settings.maxWaitMs };
    const outcome = await store.start(id, body, settings, admitFor(clientKey(request), task), { recheck: recheck === '1' });
    if (!outcome.ok) return error(outcome.error, origin);
    const response = respond(200, outcome.state, origin);
    if (outcome.state.status === 'done' && recheck === null) reusableAnswers.add(response);
    return response;
  }

  /**
   * A stored object (a video, a preview): Range (206/416), HEAD, ETag/If-None-Match, with `cacheControl`. Unknown ids
   * cost a store lookup at most; `known` is its description when the caller has just read it.
   */
  async function serveStored(
    request: Request, from: ResultStore, id: string, origin: string | null, cacheControl: string, notFound: () => Response, known?: StoredVideoInfo,
  ): Promise<Response> {
    const info = known ?? await from.head(id);
    if (!info) return notFound();
    const etag = `"${info.etag}"`;
    const headers = new Headers({
      'content-type': info.contentType, 'accept-ranges': 'bytes', etag, 'cache-control': cacheControl, vary: 'Origin',
      'x-content-type-options': 'nosniff',
    });
    allowOrigin(headers, origin, 'Content-Range, Content-Length, ETag');
    const matches = (header: string | null) => header !== null && header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
    if (matches(request.headers.get('if-none-match'))) return new Response(null, { status: 304, headers });
    // If-Range with another validator asks for the whole (changed) object.
    const ifRange = request.headers.get('if-range');
    const range = ifRange === null || ifRange.trim() === etag ? parseRange(request.headers.get('range'), info.size) : undefined;
    if (range === 'unsatisfiable') {
      headers.set('content-range', `bytes */${info.size}`);
      headers.set('cache-control', 'no-store');
      return new Response(null, { status: 416, headers });
    }
    const length = range ? range.length : info.size;
    headers.set('content-length', String(length));
    if (range) headers.set('content-range', `bytes ${range.offset}-${range.offset + range.length - 1}/${info.size}`);
    const status = range ? 206 : 200;
    if (request.method.toUpperCase() === 'HEAD') return new Response(null, { status, headers });
    const object = await from.get(id, range);
    return object ? new Response(object.body, { status, headers }) : notFound();
  }

  function handleVideo(request: Request, id: string, origin: string | null): Promise<Response> | Response {
    const notFound = () => error(fail('not_found', 'No such video.'), origin);
    if (!results || !isTaskId(id)) return notFound();
    return serveStored(request, results, id, origin, VIDEO_CACHE_CONTROL, notFound);
  }

  /**
   * `?script=`: the finished video of the request it carries, checked as its POST would be, for a `<video>` to load
   * with no preflight. It only reads (store.get, then the result store): it never starts a task, takes no rate-limit
   * token or budget, and calls no NavTalk. Anything not done is 404, so the page POSTs.
   */
  async function handleScript(request: Request, param: string, origin: string | null): Promise<Response> {
    // Before decoding: no script URL is longer (scriptUrl POSTs those), nor carries more than a POST body may.
    if (param.length > MAX_SCRIPT_URL_LENGTH || base64Bytes(param) > config.maxBodyBytes) {
      return invalid(fail('invalid_input', `${QUERY.script} must be at most ${MAX_SCRIPT_URL_LENGTH} characters, and carry at most ${config.maxBodyBytes} bytes: POST a longer request.`), origin);
    }
    const input = readScriptParam(param);
    if (input === undefined) {
      return invalid(fail('invalid_input', `${QUERY.script} must be the base64url (no padding) of the request's JSON in UTF-8, as scriptUrl makes it.`), origin);
    }
    const body = await checkedRequest(input, origin);
    if (body instanceof Response) return body;
    const id = await taskId(body);
    const state = await store.get(id);
    const notMade = () => error(fail('not_found', 'This video is not made yet: POST the request to make it.'), origin);
    if (state?.status !== 'done' || !state.video_url) return notMade();
    const stored = results ? await results.head(id) : null;
    if (stored) return serveStored(request, results!, id, origin, VIDEO_CACHE_CONTROL, notMade, stored);
    // The stored copy is gone: the page's POST (then its recheck) has it made again.
    if (isStoredCopyUrl(state)) return notMade();
    return respond(302, null, origin, { location: state.video_url, 'cache-control': redirectCacheControl });
  }

  /** A character's preview image, fetched from NavTalk once and kept (preview.ts); a bad name costs no upstream call. */
  async function handlePreview(request: Request, name: string, origin: string | null): Promise<Response> {
    const problem = previewProblem(name);
    if (problem) return error(fail('invalid_input', problem), origin);
    const notOffered = unoffered(QUERY.preview, name, config);
    if (notOffered) return error(notOffered, origin);
    const outcome = await loadPreview(name);
    if ('stored' in outcome) {
      return serveStored(request, previews, previewKey(name), origin, PREVIEW_CACHE_CONTROL, () => error(fail('not_found', 'No such preview.'), origin), outcome.stored);
    }
    // An unknown name is answered from memory for a while (preview.ts), and browsers may keep that answer as long.
    if ('error' in outcome) return error(outcome.error, origin, outcome.missing ? { 'cache-control': `public, max-age=${PREVIEW_MISSING_MS / 1000}` } : {});
    // Fetched but not kept (the store failed): served this once, for nobody to keep.
    const headers = new Headers({ 'content-type': outcome.contentType, 'cache-control': 'no-store', vary: 'Origin', 'x-content-type-options': 'nosniff' });
    allowOrigin(headers, origin, 'Content-Length');
    return new Response(request.method.toUpperCase() === 'HEAD' ? null : outcome.bytes, { headers });
  }

  async function handleGet(url: URL, origin: string | null): Promise<Response> {
    const id = url.searchParams.get(QUERY.taskId) ?? '';
    if (!isTaskId(id)) return error(fail('not_found', 'No such task.'), origin);
    const waitParam = url.searchParams.get(QUERY.wait);
    const seenParam = url.searchParams.get(QUERY.status);
    if (waitParam !== null && !/^\d{1,4}$/.test(waitParam)) return error(fail('invalid_input', `${QUERY.wait} must be a whole number of seconds.`), origin);
    if (seenParam !== null && !(TASK_STATUSES as readonly string[]).includes(seenParam)) {
      return error(fail('invalid_input', `${QUERY.status} must be one of ${TASK_STATUSES.join(', ')}.`), origin);
    }
    const waitSeconds = Math.min(Number(waitParam ?? 0), MAX_WAIT_SECONDS);
    const state = waitSeconds > 0
      ? await store.wait(id, (seenParam ?? undefined) as TaskStatus | undefined, waitSeconds * 1000)
      : await store.get(id);
    return state ? respond(200, state, origin) : error(fail('not_found', 'No such task (it may have expired).'), origin);
  }

  return async function proxyHandler(request: Request): Promise<Response> {
    // The substring first: the URL of every other request is parsed only where it is needed.
    if (admin && request.url.includes(`${ADMIN_QUERY}=`)) {
      const url = new URL(request.url);
      const route = url.searchParams.get(ADMIN_QUERY);
      if (route !== null) return admin(request, route, url);
    }
    const origin = request.headers.get('origin');
    const method = request.method.toUpperCase();
    const query = method === 'GET' || method === 'HEAD' ? new URL(request.url).searchParams : null;
    const video = query?.get(QUERY.video) ?? null;
    const preview = query?.get(QUERY.preview) ?? null;
    const script = query?.get(QUERY.script) ?? null;
    if (method !== 'GET' && method !== 'POST' && method !== 'OPTIONS' && !(method === 'HEAD' && (video ?? preview ?? script) !== null)) {
      return error(fail('method_not_allowed', 'Use POST to request a video and GET to follow it.'), origin, { allow: 'GET, POST, OPTIONS' });
    }
    if (misconfigured) return error(fail('misconfigured', 'The proxy is not configured correctly; its owner can see why in its logs.'), origin);
    // A foreign page may not even learn how the proxy answers; a GET without Origin (curl, a server) may,
    // since task ids cannot be guessed.
    if (origin !== null && !config.allowedOrigins.has(origin)) return error(NO_ORIGIN, null);
    try {
      if (method === 'OPTIONS') {
        return respond(204, null, origin, {
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': 'Content-Type',
          'access-control-max-age': '86400',
        });
      }
      if (video !== null) return await handleVideo(request, video, origin);
      if (preview !== null) return await handlePreview(request, preview, origin);
      if (script !== null) return await handleScript(request, script, origin);
      return method === 'POST' ? await handlePost(request, origin) : await handleGet(new URL(request.url), origin);
    } catch (e) {
      log('error', 'internal_error', { error: String(e instanceof Error ? e.message : e).slice(0, 200) });
      return error(fail('unavailable', 'The proxy could not complete the request; try again shortly.', 5), origin);
    }
  };
}
