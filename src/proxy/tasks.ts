import { QUERY, isTerminal, type GenerateRequest, type ProxyErrorCode, type TaskState, type TaskStatus } from '../protocol/index.js';
import type { Admission } from './limits.js';
import { UpstreamError, type NavTalkClient, type UpstreamFailure } from './navtalk.js';
import { copyVideo, describeRequest, urlAnswers, type CopyLimits, type ResultMeta, type ResultStore } from './results.js';
import { forecast, pollDelay, type Forecast, type TaskTimings } from './schedule.js';
import { fetchAudioHead, taskFeatures, type TaskFeatures } from './speech.js';

/**
 * A task's whole lifecycle, written once and storage-agnostic: the memory store and the Worker's Durable
 * Object both run a TaskCoordinator over their own TaskSlot.
 *
 * start: (single-flight) an existing done or running task answers at once; otherwise admit (rate limit, then
 *        budget) and POST /generate exactly once. Never retried: a timed-out call may have been billed. A
 *        failed task is started again only by a later POST, which counts against the budget again.
 * poll:  one GET /query_status per wake-up, on the schedule of schedule.ts; transient errors back off, everything
 *        is bounded by the task's deadline. Poll calls are safe to repeat, so a re-run wake-up (alarms are
 *        at-least-once) is harmless. A request NavTalk refused is answered with that refusal for a while; any
 *        other failure for a minute (FAILURE_TTL_MS), unless a client asks to try again (a recheck).
 * keep:  with a result store, a done task's video is copied there once (after `done` is answered, so the copy
 *        never delays it; a failed copy leaves NavTalk's URL in place and is tried again later), and the
 *        result then lasts until the operator deletes it. A start finds a stored video before asking NavTalk.
 *        A client that could not load the video may ask for a recheck: only a video that is really gone is
 *        made again (once, through the usual guards). A recheck of a failed task is a Try again: made again once.
 */

/** A proxy error as the handler answers it. */
export interface ProxyError {
  status: number;
  code: ProxyErrorCode;
  message: string;
  retryAfterSeconds?: number;
}

/** The HTTP status of each proxy error code. */
export const ERROR_STATUS: Record<ProxyErrorCode, number> = {
  invalid_input: 400, invalid_json: 400, unsafe_url: 400, payload_too_large: 413, unsupported_media_type: 415,
  method_not_allowed: 405, not_found: 404, origin_not_allowed: 403, signature_required: 401, signature_invalid: 403,
  rate_limited: 429, budget_exhausted: 429, upstream_rejected: 422, upstream_failed: 502, generation_failed: 502, timeout: 504,
  unavailable: 503, misconfigured: 500,
};

export const proxyError = (code: ProxyErrorCode, message: string, retryAfterSeconds?: number): ProxyError =>
  ({ status: ERROR_STATUS[code], code, message, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) });

/** The answer when a guard (rate limit, budget) cannot be asked: deny, since spending must fail closed. */
export const GUARDS_UNAVAILABLE: ProxyError = {
  status: 503, code: 'unavailable', message: 'The proxy cannot check its limits right now; try again shortly.', retryAfterSeconds: 5,
};

/** Timing a task keeps from the request that started it, so its wake-ups need no configuration. */
export interface TaskSettings {
  upstreamTimeoutMs: number;
  /** A fixed upstream poll interval, or null for the adaptive schedule. */
  pollIntervalMs: number | null;
  maxWaitMs: number;
  /** How long a result whose video is NavTalk's URL is kept. */
  resultTtlMs: number;
  /** How long a result whose video is stored is kept; null: until the operator deletes it. */
  storedTtlMs: number | null;
  /** The proxy's own URL, under which stored videos are served (`?video=`). */
  videoBase?: string;
}

/** What a slot stores. Never sent to a browser as is: `upstreamId` stays in the proxy. */
export interface TaskRecord {
  id: string;
  status: TaskStatus;
  upstreamId?: string;
  /** What pages play: the stored copy's URL, or NavTalk's. */
  videoUrl?: string;
  /** NavTalk's URL of the video, kept to copy it (and never shown once a copy exists). */
  upstreamVideoUrl?: string;
  /** The video is in the result store, under the task id. */
  stored?: boolean;
  /** Copies that failed so far. */
  copyFailures?: number;
  error?: { code: ProxyErrorCode; message: string };
  settings: TaskSettings;
  startedAt: number;
  deadlineAt: number;
  /** What its duration will depend on (learnt from when it is done). */
  features?: TaskFeatures;
  /** When it is expected to be done, forecast from its features when it started (adaptive schedule only). */
  expected?: Forecast;
  /** When NavTalk last answered that the task was still running. */
  runningAt?: number;
  /** Status queries sent to NavTalk so far. */
  polls?: number;
  /** Consecutive failed polls (for backoff) and the last one's description. */
  pollFailures: number;
  lastPollFailure?: UpstreamFailure;
  /** When a finished task is forgotten. */
  expiresAt?: number;
  /** When it finished (done or failed). */
  finishedAt?: number;
  /** How it was made, for the operator's list of kept videos (stored beside the copy). */
  meta?: ResultMeta;
}

/** One task's storage: a Map entry with timers, or a Durable Object's storage with its alarm. */
export interface TaskSlot {
  load(): Promise<TaskRecord | undefined>;
  save(record: TaskRecord): Promise<void>;
  /** Forgets the task (and any wake-up). */
  clear(): Promise<void>;
  /** Calls the coordinator's tick() at `at` (ms), replacing any earlier wake-up. */
  wakeAt(at: number): Promise<void>;
}

export type StartOutcome = { ok: true; state: TaskState } | { ok: false; error: ProxyError };

/** What a start asks besides the request: `recheck` when the client could not load the video it was given. */
export interface StartOptions {
  recheck?: boolean;
}

/** Runs the guards for one request; called only when the request would really start upstream work. */
export type Admit = () => Promise<{ ok: true } | { ok: false; error: ProxyError }>;

/** What the handler needs from storage, per task id. Implementations must make start single-flight. */
export interface TaskStore {
  get(id: string): Promise<TaskState | null>;
  start(id: string, request: GenerateRequest, settings: TaskSettings, admit: Admit, options?: StartOptions): Promise<StartOutcome>;
  /** The state once its status differs from `seen` (or at once if it already does), or after `timeoutMs`. */
  wait(id: string, seen: TaskStatus | undefined, timeoutMs: number): Promise<TaskState | null>;
  /** Forgets a finished task (the operator deletes its result), so the next request starts it anew; a running one stays. */
  forget(id: string): Promise<ForgetOutcome>;
}

export type ForgetOutcome = 'forgotten' | 'missing' | 'running';

export interface CoordinatorDeps {
  navtalk: NavTalkClient;
  now: () => number;
  log: ProxyLog;
  /** Recent finished tasks, for the adaptive schedule. Without it, a task with no fixed interval polls every 2 s. */
  timings?: TaskTimings;
  /** Where done videos are kept; without it, results are NavTalk's URLs for resultTtlMs. */
  results?: { store: ResultStore; limits: CopyLimits };
  /** For fetching NavTalk's videos (to copy or recheck them). Default: the global fetch. */
  fetch?: typeof fetch;
  /**
   * Runs a video copy beside the wake-up that needs it rather than inside it, for hosts whose wake-ups run in a
   * viewer's request (Redis: a long-poll ticks the task itself), so `done` is answered before the copy is made.
   * Default: inside the wake-up (timers and alarms, which no viewer waits on).
   */
  copyBeside?: (copy: () => Promise<void>) => void;
  /** Told once when a task finishes (done or failed), so the budget stops counting it as running. */
  finished?: (id: string, startedAt: number) => Promise<void>;
}

export type ProxyLog = (level: 'info' | 'warn' | 'error', event: string, fields?: Record<string, string | number | boolean>) => void;

/** Wraps a log so that no field can carry the key, whatever an exception message quoted. */
export function redactingLog(log: ProxyLog, secret: string): ProxyLog {
  if (!secret) return log;
  return (level, event, fields) => {
    const clean: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(fields ?? {})) clean[k] = typeof v === 'string' ? v.split(secret).join('[redacted]') : v;
    log(level, event, clean);
  };
}

/** What a browser may see of a task. */
export function publicState(record: TaskRecord): TaskState {
  return {
    task_id: record.id,
    status: record.status,
    ...(record.videoUrl ? { video_url: record.videoUrl } : {}),
    ...(record.error ? { error: record.error } : {}),
  };
}

/** Our answer for a /generate call that failed. Upstream bodies are never echoed. */
export function generateFailure(failure: UpstreamFailure, settings: TaskSettings): ProxyError {
  const retry = ' It was not retried (NavTalk may have started it); send the request again to retry.';
  switch (failure.kind) {
    case 'timeout':
      return { status: 504, code: 'timeout', message: `NavTalk did not answer within ${Math.round(settings.upstreamTimeoutMs / 1000)} s.${retry}` };
    case 'network':
      return { status: 502, code: 'upstream_failed', message: `The proxy could not reach NavTalk.${retry}` };
    case 'malformed':
      return { status: 502, code: 'upstream_failed', message: `NavTalk sent an answer the proxy could not read.${retry}` };
    case 'http':
      if (failure.status === 429) {
        return { status: 503, code: 'upstream_failed', message: 'NavTalk is busy (HTTP 429); try again later.', retryAfterSeconds: failure.retryAfterSeconds ?? 30 };
      }
      if (failure.status === 401 || failure.status === 403) {
        return { status: 502, code: 'upstream_failed', message: `NavTalk refused the proxy's key (HTTP ${failure.status}); the site owner must check NAVTALK_API_KEY.` };
      }
      if (isRefusal(failure.status)) {
        return { status: 422, code: 'upstream_rejected', message: `NavTalk refused this request${failure.reason ? `: ${failure.reason}` : ` (HTTP ${failure.status})`}.` };
      }
      if (failure.status === 404 || failure.status === 405) {
        return { status: 502, code: 'upstream_failed', message: `NavTalk answered HTTP ${failure.status}; the site owner must check NAVTALK_BASE_URL.` };
      }
      return { status: 502, code: 'upstream_failed', message: `NavTalk answered HTTP ${failure.status}.${failure.status >= 500 ? retry : ''}` };
  }
}

/**
 * A 4xx from /generate that is about the request itself (NavTalk caught bad input), not about the key (401/403),
 * the address (404/405), time (408) or load (429).
 */
const isRefusal = (status: number) => status >= 400 && status < 500 && ![401, 403, 404, 405, 408, 429].includes(status);

/** How long a request NavTalk refused is answered with that refusal before NavTalk is asked again. */
export const REFUSAL_TTL_MS = 10 * 60_000;
/**
 * How long any other failure is answered to new viewers before the next one starts a generation: long enough that
 * a spike of viewers of a failed script does not pay for it one by one, short enough that it heals by itself.
 */
export const FAILURE_TTL_MS = 60_000;

/** The stored copy's URL; `v` changes with the bytes, so caches never serve an older copy under it. */
export const storedVideoUrl = (videoBase: string, id: string, etag: string): string =>
  `${videoBase}?${QUERY.video}=${encodeURIComponent(id)}&v=${encodeURIComponent(etag.replace(/[^A-Za-z0-9]/g, '').slice(0, 16))}`;

/** Rounds of copying (each of a few attempts) before a result stays on NavTalk's URL, and the pause between them. */
const COPY_ROUNDS = 3;
const COPY_RETRY_MS = 60_000;

const POLL_BACKOFF_CAP_MS = 10_000;
/** The longest a start waits to read an audio_url's header (beside /generate, so it rarely adds anything). */
const AUDIO_HEAD_TIMEOUT_MS = 3000;
/** Client errors on a poll (other than 429) are unlikely to heal: give up after this many in a row. */
const PERMANENT_POLL_FAILURES = 3;

export class TaskCoordinator {
  private inflight: Promise<StartOutcome> | undefined;
  /** Callers inside start(), including those waiting on another's attempt. */
  private starting = 0;
  private readonly waiters = new Set<(record: TaskRecord) => void>();

  constructor(private readonly slot: TaskSlot, private readonly deps: CoordinatorDeps) {}

  /** The stored record, unless it has expired (then it is forgotten). */
  async current(): Promise<TaskRecord | undefined> {
    const record = await this.slot.load();
    if (record?.expiresAt !== undefined && record.expiresAt <= this.deps.now()) {
      await this.slot.clear();
      return undefined;
    }
    return record;
  }

  async state(): Promise<TaskState | null> {
    const record = await this.current();
    return record ? publicState(record) : null;
  }

  /** Whether a start or a long-poll is under way here (a store may drop idle, empty coordinators). */
  get busy(): boolean {
    return this.starting > 0 || this.waiters.size > 0;
  }

  async start(id: string, request: GenerateRequest, settings: TaskSettings, admit: Admit, options: StartOptions = {}): Promise<StartOutcome> {
    this.starting++;
    try {
      return await this.startOnce(id, request, settings, admit, options.recheck === true);
    } finally {
      this.starting--;
    }
  }

  private async startOnce(id: string, request: GenerateRequest, settings: TaskSettings, admit: Admit, recheck: boolean): Promise<StartOutcome> {
    for (;;) {
      const record = await this.current();
      const recheckable = recheck && record?.status === 'done';
      if (record && record.status !== 'failed' && !recheckable) return { ok: true, state: publicState(record) };
      // Asking again would be refused again, and would spend a token and a unit of the budget each time.
      if (record?.error?.code === 'upstream_rejected') return { ok: false, error: proxyError(record.error.code, record.error.message) };
      // A failure is answered as such to new viewers while it is remembered, so a spike of them does not pay for
      // it again one by one; a client's Try again (a recheck) starts one new generation, shared by those who join it.
      if (record?.status === 'failed' && !recheck) return { ok: true, state: publicState(record) };
      if (!this.inflight) {
        // One attempt at a time, a recheck included: the flight is taken before anything is awaited.
        const attempt = recheckable ? this.recheck(record, id, request, settings, admit) : this.begin(id, request, settings, admit);
        this.inflight = attempt.finally(() => { this.inflight = undefined; });
        return this.inflight;
      }
      const shared = await this.inflight;
      // Everyone shares the attempt's answer, except a per-client refusal: the next client tries for itself.
      if (shared.ok || shared.error.code !== 'rate_limited') return shared;
    }
  }

  /** A done task whose video a client could not load: made again only if the video is really gone. */
  private async recheck(record: TaskRecord, id: string, request: GenerateRequest, settings: TaskSettings, admit: Admit): Promise<StartOutcome> {
    if (await this.videoAvailable(record)) return { ok: true, state: publicState(record) };
    this.deps.log('warn', 'video_gone', { task: id, stored: record.stored === true });
    await this.slot.clear();
    return this.begin(id, request, settings, admit);
  }

  private async videoAvailable(record: TaskRecord): Promise<boolean> {
    const results = this.deps.results;
    if (record.stored && results) return (await results.store.head(record.id)) !== null;
    return !record.videoUrl || urlAnswers(this.deps.fetch ?? fetch, record.videoUrl, record.settings.upstreamTimeoutMs);
  }

  /** A stored video for this task from an earlier life of the proxy (a restart, a lost task record), as a done record. */
  private async storedResult(id: string, settings: TaskSettings): Promise<TaskRecord | undefined> {
    const results = this.deps.results;
    if (!results || !settings.videoBase) return undefined;
    const info = await results.store.head(id).catch(() => null);
    if (!info) return undefined;
    const now = this.deps.now();
    return {
      id, settings, status: 'done', stored: true, videoUrl: storedVideoUrl(settings.videoBase, id, info.etag),
      startedAt: now, deadlineAt: now, pollFailures: 0,
    };
  }

  private async begin(id: string, request: GenerateRequest, settings: TaskSettings, admit: Admit): Promise<StartOutcome> {
    const kept = await this.storedResult(id, settings);
    if (kept) {
      await this.commit(kept);
      return { ok: true, state: publicState(kept) };
    }
    let admission: Awaited<ReturnType<Admit>>;
    try {
      admission = await admit();
    } catch {
      // Admission itself failed (e.g. the caller went away before answering).
      admission = { ok: false, error: GUARDS_UNAVAILABLE };
    }
    if (!admission.ok) return admission;

    const now = this.deps.now();
    const base = { id, settings, startedAt: now, deadlineAt: now + settings.maxWaitMs, pollFailures: 0, meta: describeRequest(request) };
    // Asked beside /generate, so the answer to the page waits for no extra round trip.
    const foreseen = this.foresee(request, settings);
    try {
      const upstreamId = await this.deps.navtalk.generate(request, settings.upstreamTimeoutMs);
      const { features, expected } = await foreseen;
      const record: TaskRecord = { ...base, status: 'started', upstreamId, features, ...(expected ? { expected } : {}) };
      await this.commit(record);
      await this.slot.wakeAt(this.deps.now() + pollDelay(0, 0, expected, settings.pollIntervalMs));
      this.deps.log('info', 'generation_started', { task: id });
      return { ok: true, state: publicState(record) };
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      const failure = generateFailure(error.failure, settings);
      this.deps.log('warn', 'generate_failed', { task: id, upstream: error.failure.kind, ...(error.failure.kind === 'http' ? { status: error.failure.status } : {}) });
      await this.commit({ ...base, status: 'failed', error: { code: failure.code, message: failure.message } });
      return { ok: false, error: failure };
    }
  }

  /**
   * The task's features and, for the adaptive schedule, its forecast from recent tasks; none when they cannot be
   * read (the task then polls at NavTalk's advised rate). Never fails.
   */
  private async foresee(request: GenerateRequest, settings: TaskSettings): Promise<{ features: TaskFeatures; expected?: Forecast }> {
    const audioTimeoutMs = Math.min(settings.upstreamTimeoutMs, AUDIO_HEAD_TIMEOUT_MS);
    const features = await taskFeatures(request, (url) => fetchAudioHead(this.deps.fetch ?? fetch, url, audioTimeoutMs));
    if (settings.pollIntervalMs !== null || !this.deps.timings) return { features };
    try {
      return { features, expected: forecast(await this.deps.timings.recent(), features) };
    } catch (error) {
      this.deps.log('warn', 'timings_unavailable', { error: String(error instanceof Error ? error.message : error).slice(0, 200) });
      return { features };
    }
  }

  /** Saves a record, schedules its expiry when finished, and wakes long-polls. */
  private async commit(record: TaskRecord): Promise<void> {
    if (isTerminal(record.status)) {
      if (record.finishedAt === undefined) {
        await this.deps.finished?.(record.id, record.startedAt).catch((error: unknown) =>
          this.deps.log('warn', 'usage_unavailable', { error: String(error instanceof Error ? error.message : error).slice(0, 200) }));
      }
      record.finishedAt ??= this.deps.now();
      const { resultTtlMs, storedTtlMs } = record.settings;
      const ttl = record.status === 'failed'
        ? Math.min(record.error?.code === 'upstream_rejected' ? REFUSAL_TTL_MS : FAILURE_TTL_MS, resultTtlMs)
        : record.stored ? storedTtlMs : resultTtlMs;
      if (ttl === null) delete record.expiresAt;
      else record.expiresAt = this.deps.now() + ttl;
    }
    await this.slot.save(record);
    if (record.expiresAt !== undefined) await this.slot.wakeAt(record.expiresAt);
    for (const wake of [...this.waiters]) wake(record);
  }

  /** A wake-up: expire a finished task, copy a done one's video, or poll a running one once. Safe to run twice. */
  async tick(): Promise<void> {
    const record = await this.current();
    if (record?.status === 'done' && this.needsCopy(record)) return this.copy(record);
    if (!record || isTerminal(record.status) || !record.upstreamId) return;
    const now = this.deps.now();
    if (now >= record.deadlineAt) {
      await this.commit(this.timedOut(record));
      return;
    }
    let next: TaskRecord;
    try {
      const answer = await this.deps.navtalk.query(record.upstreamId, record.settings.upstreamTimeoutMs);
      next = { ...record, status: answer.status, pollFailures: 0, polls: (record.polls ?? 0) + 1 };
      delete next.lastPollFailure;
      if (answer.status === 'done') {
        next.videoUrl = answer.videoUrl!;
        if (this.deps.results) next.upstreamVideoUrl = answer.videoUrl!;
        // NavTalk finished between the last poll that saw it running and this one: the midpoint, not this poll's
        // time, or every duration learnt would include the schedule's own lag and push the next window late.
        const finishedAt = ((record.runningAt ?? record.startedAt) + now) / 2;
        if (record.features) await this.deps.timings?.record({ ...record.features, durationMs: finishedAt - record.startedAt }).catch(() => {});
      } else if (!isTerminal(answer.status)) {
        next.runningAt = now;
      }
      if (answer.status === 'failed') {
        // NavTalk accepted the request and then failed it: not the input's fault as far as anyone can tell, so it
        // may be tried again (a refusal of the input is a 4xx from /generate, upstream_rejected).
        next.error = {
          code: 'generation_failed',
          message: answer.errorText ? `NavTalk could not make this video: ${answer.errorText}` : 'NavTalk could not generate the video.',
        };
        this.deps.log('warn', 'generation_failed', { task: record.id });
      }
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      const failure = error.failure;
      // The reason is NavTalk's text: not kept, since a poll's failure never reaches a page.
      const { reason: _reason, ...kept } = failure as UpstreamFailure & { reason?: string };
      next = { ...record, pollFailures: record.pollFailures + 1, lastPollFailure: kept, polls: (record.polls ?? 0) + 1 };
      this.deps.log('warn', 'poll_failed', { task: record.id, upstream: failure.kind, failures: next.pollFailures });
      const permanent = failure.kind === 'http' && failure.status >= 400 && failure.status < 500 && failure.status !== 429;
      if (permanent && next.pollFailures >= PERMANENT_POLL_FAILURES) {
        next.status = 'failed';
        next.error = { code: 'upstream_failed', message: `NavTalk refused to report on the task (HTTP ${failure.status}).` };
      }
    }
    if (isTerminal(next.status)) {
      await this.commit(next);
      if (next.status === 'done' && this.needsCopy(next)) await this.copy(next);
      return;
    }
    const due = pollDelay(now - record.startedAt, next.polls!, record.expected, record.settings.pollIntervalMs);
    const delay = Math.min(due * 2 ** next.pollFailures, Math.max(POLL_BACKOFF_CAP_MS, due));
    await this.commit(next);
    // The last wake-up lands on the deadline, so a task never outlives it by more than one poll.
    await this.slot.wakeAt(Math.min(this.deps.now() + delay, next.deadlineAt));
  }

  private async copy(record: TaskRecord): Promise<void> {
    if (!this.deps.copyBeside) return this.keep(record);
    this.deps.copyBeside(() => this.keep(record));
  }

  private needsCopy(record: TaskRecord): boolean {
    return !!this.deps.results && !!record.settings.videoBase && !record.stored && !!record.upstreamVideoUrl
      && (record.copyFailures ?? 0) < COPY_ROUNDS;
  }

  /**
   * Copies a done task's video into the result store, after `done` was answered with NavTalk's URL. On success
   * pages get the stored copy from then on; on failure NavTalk's URL stays and a later wake-up tries again.
   */
  private async keep(record: TaskRecord): Promise<void> {
    const { store, limits } = this.deps.results!;
    try {
      await copyVideo(this.deps.fetch ?? fetch, record.upstreamVideoUrl!, store, record.id, limits, record.meta);
      const info = await store.head(record.id);
      if (!info) throw new Error('the stored video cannot be found');
      const latest = await this.current();
      // A recheck may have replaced the record meanwhile: keep only a copy of the video it still plays.
      if (!latest || latest.upstreamVideoUrl !== record.upstreamVideoUrl) return;
      const { upstreamVideoUrl: _kept, copyFailures: _failures, ...rest } = latest;
      await this.commit({ ...rest, stored: true, videoUrl: storedVideoUrl(record.settings.videoBase!, record.id, info.etag) });
      this.deps.log('info', 'video_stored', { task: record.id, bytes: info.size });
    } catch (error) {
      const copyFailures = (record.copyFailures ?? 0) + 1;
      this.deps.log('warn', 'video_copy_failed', { task: record.id, failures: copyFailures, error: String(error instanceof Error ? error.message : error).slice(0, 200) });
      const failed = { ...record, copyFailures };
      await this.commit(failed);
      if (copyFailures < COPY_ROUNDS) {
        const retryAt = this.deps.now() + COPY_RETRY_MS * copyFailures;
        await this.slot.wakeAt(failed.expiresAt === undefined ? retryAt : Math.min(retryAt, failed.expiresAt));
      }
    }
  }

  private timedOut(record: TaskRecord): TaskRecord {
    const seconds = Math.round(record.settings.maxWaitMs / 1000);
    const error = record.lastPollFailure
      ? { code: 'upstream_failed' as const, message: `NavTalk's status endpoint kept failing for ${seconds} s; the task was given up.` }
      : { code: 'timeout' as const, message: `NavTalk did not finish the video within ${seconds} s.` };
    return { ...record, status: 'failed', error };
  }

  /** Forgets a finished task, so that its next start asks NavTalk again (or finds a stored video again). */
  async forget(): Promise<ForgetOutcome> {
    const record = await this.current();
    if (!record) return 'missing';
    if (!isTerminal(record.status)) return 'running';
    await this.slot.clear();
    return 'forgotten';
  }

  /** Long-poll: resolves when the status differs from `seen` (or is final), or after `timeoutMs`. */
  async wait(seen: TaskStatus | undefined, timeoutMs: number): Promise<TaskState | null> {
    const record = await this.current();
    if (!record) return null;
    const status = seen ?? record.status;
    if (record.status !== status || isTerminal(record.status) || timeoutMs <= 0) return publicState(record);
    return new Promise((resolve) => {
      const finish = (latest: TaskRecord) => {
        clearTimeout(timer);
        this.waiters.delete(onChange);
        resolve(publicState(latest));
      };
      const onChange = (latest: TaskRecord) => {
        if (latest.status !== status) finish(latest);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(onChange);
        this.state().then(resolve, () => resolve(publicState(record)));
      }, timeoutMs);
      this.waiters.add(onChange);
    });
  }
}
