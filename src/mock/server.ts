/**
 * A faithful local stand-in for NavTalk (see shared/navtalk-api.md and team/mock-api.md), with configurable
 * timing, script-dependent durations (workload.ts) and fault injection. Node only: node:http and node:fs, no other
 * dependency.
 * It checks requests itself rather than through src/protocol, as the real NavTalk would, so that a
 * mistake in our shared schema shows up as a disagreement with the mock.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_WORKLOAD, checkWorkload, planner, type MockWorkload, type TaskPlan } from './workload.js';

export interface MockTiming { processingAfterMs: number; doneAfterMs: number }
export type FaultKind = '500' | '503' | '429' | '401' | '400' | 'timeout' | 'malformed' | 'reset';
/**
 * `message` is the error text of a '400' (NavTalk refusing the request in its own words); `{license}` in it
 * stands for the key, to play an upstream careless enough to quote it.
 */
export interface Fault { kind: FaultKind; times?: number; retryAfter?: number; message?: string }
/** `outcome`: tasks end failed with NavTalk's error text, failed without one (`failed_silently`), or never. */
/** `preview`: /uploadFiles/ answers 503, or an HTML page (a host's error page) with 200, for every character. */
export interface MockFaults { generate?: Fault; query?: Fault; outcome?: 'failed' | 'failed_silently' | 'never'; video?: '404'; preview?: '503' | 'html' }
/** `workload`, when set, gives each new task its own duration from its script (see workload.ts), in place of timing.doneAfterMs. */
export interface MockConfig { timing: MockTiming; faults: MockFaults; workload?: MockWorkload }
/**
 * What configure() takes: timing may be partial; a fault set to undefined (or null over HTTP) is cleared; a partial
 * workload is laid over the current one (or DEFAULT_WORKLOAD), and undefined (null over HTTP) turns it off.
 */
export interface MockConfigPatch { timing?: Partial<MockTiming>; faults?: MockFaults; workload?: Partial<MockWorkload> }
export interface MockCall { method: string; path: string; query: Record<string, string>; body: unknown; at: number }
export type MockTaskStatus = 'started' | 'processing' | 'done' | 'failed';
export interface MockTask {
  task_id: string;
  status: MockTaskStatus;
  created_at: number;
  /** When the task became observable as finished (done or failed), in ms since the epoch. */
  done_at?: number;
  /** The /generate body as received. */
  request: Record<string, unknown>;
  /** The error text a failed task reports. */
  error?: string;
  /** Under a workload: the mock's reading of the script's length of speech, in ms. */
  speech_ms?: number;
  /** Under a workload or setTaskDuration(): how long after creation the task ends, in place of timing.doneAfterMs. */
  ends_after_ms?: number;
  /** Under a workload: how the task was drawn to end (a fault on outcome still overrides it). */
  planned_outcome?: 'done' | 'failed';
  /** Under a workload: drawn as a straggler (stragglerFactor times as long). */
  straggler?: boolean;
}
export interface MockNavTalk {
  /** Where it listens, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  /** The base of the video_url it hands out: publicUrl if given, else url. */
  publicUrl: string;
  /** The only accepted key. */
  license: string;
  /**
   * Every /generate, /query_status and /uploadFiles/ (preview) call since the last reset, in order (bodies as
   * received; a non-JSON body as text), except polls of tasks made before that reset: those are an earlier test's
   * proxy still polling.
   */
  calls: MockCall[];
  tasks(): MockTask[];
  config(): MockConfig;
  /** Shallow-merges timing and faults; throws on an invalid patch. */
  configure(patch: MockConfigPatch): void;
  /** Clears calls, tasks and faults (the tasks' ids are remembered as gone); timing goes back to the start options. */
  reset(): void;
  /** Forces an unfinished task to finish now; throws for an unknown task or one that ended otherwise. */
  complete(taskId: string, status?: 'done' | 'failed'): void;
  /**
   * Makes an unfinished task end `ms` after its creation (or now, if that has passed), as its workload planned
   * (done or failed); throws for an unknown or ended task. For an outlier its script would not predict.
   */
  setTaskDuration(taskId: string, ms: number): void;
  /** Calls `listener` with each new task before /generate answers (setTaskDuration works there); returns the unsubscribe. */
  onTask(listener: (task: MockTask) => void): () => void;
  /** Stops listening and destroys open sockets (held ones too), so callers end promptly. */
  close(): Promise<void>;
}
export interface MockOptions {
  port?: number;
  host?: string;
  license?: string;
  timing?: Partial<MockTiming>;
  /** A workload from the start (a partial one over DEFAULT_WORKLOAD); reset() comes back to it. */
  workload?: Partial<MockWorkload>;
  /** Base of the video_url the mock hands out, when clients reach it by another address. */
  publicUrl?: string;
  /** The clock (ms since the epoch); tests may drive it to check status boundaries exactly. */
  now?: () => number;
}

export const MOCK_LICENSE = 'sk_navtalk_mock_license';
export const DEFAULT_TIMING: MockTiming = { processingAfterMs: 2000, doneAfterMs: 8000 };
export const FAULT_KINDS: readonly FaultKind[] = ['500', '503', '429', '401', '400', 'timeout', 'malformed', 'reset'];
/** The error text of a task that ends failed. */
export const FAILED_TASK_ERROR = 'video generation failed: no face could be detected in the source';

/** NavTalk's facts, kept here on purpose (see the header comment). */
const VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse'];
const VISUAL_SOURCES = ['video_url', 'image_url', 'character_name'];
const AUDIO_SOURCES = ['audio_url', 'audio_base64', 'content'];
const INT_RANGES: Record<string, [number, number]> = {
  bbox_shift: [-9, 9], extra_margin: [0, 50], left_cheek_width: [50, 150], right_cheek_width: [50, 150],
};
const PARSING_MODES = ['jaw', 'raw'];
/** The built-in characters, documented and seen in NavTalk's apps: each has a preview at /uploadFiles/NAME.png. */
export const MOCK_CHARACTERS = [
  'navtalk.Alex', 'navtalk.Ethan', 'navtalk.Leo', 'navtalk.Lily', 'navtalk.Emma', 'navtalk.Sophia', 'navtalk.Mia',
  'navtalk.Chloe', 'navtalk.Zoe', 'navtalk.Ava', 'navtalk.Lauren', 'navtalk.Emily', 'navtalk.Freya', 'navtalk.Lisa',
  'navtalk.Ben', 'navtalk.Owen', 'girl2', 'man2',
];
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MAX_BODY_BYTES = 20 * 1024 * 1024;

/** The committed sample media (scripts/make-samples.sh), served under /samples/. */
export const SAMPLE_TYPES: Record<string, string> = {
  'face.png': 'image/png',
  'avatar.mp4': 'video/mp4',
  'source.mp4': 'video/mp4',
  'voice.mp3': 'audio/mpeg',
  'voice.wav': 'audio/wav',
};
export const SAMPLES_DIR = new URL('./samples/', import.meta.url);
/** What every task's video is. */
const TASK_VIDEO = 'avatar.mp4';
/** What every character's preview is: a real PNG. */
const PREVIEW_IMAGE = 'face.png';

const MEDIA_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Accept-Ranges, Content-Length, Content-Range',
  'Accept-Ranges': 'bytes',
  // Revalidate every time, so a fault switched on (video 404) is seen at once, as tests expect.
  'Cache-Control': 'no-cache',
};
// The control routes are a development tool; CORS lets a demo page in a browser flip faults.
const CONTROL_CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const given = (v: unknown) => v !== undefined && v !== null;

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** NavTalk's own check of a /generate body (license aside): the first problem, or undefined. */
export function checkGenerateBody(body: Record<string, unknown>): string | undefined {
  for (const sources of [VISUAL_SOURCES, AUDIO_SOURCES]) {
    const set = sources.filter((k) => given(body[k]));
    if (set.length === 0) return `one of ${sources.join(', ')} is required`;
    if (set.length > 1) return `only one of ${sources.join(', ')} may be given (got ${set.join(', ')})`;
    const key = set[0]!;
    const value = body[key];
    if (typeof value !== 'string' || value.trim() === '') return `${key} must be a non-empty string`;
    if (key.endsWith('_url') && !isHttpUrl(value)) return `${key} must be an http or https URL`;
    if (key === 'audio_base64' && !BASE64.test(value)) return 'audio_base64 must be base64-encoded audio';
  }
  if (given(body.content) && !given(body.voice)) return 'voice is required when content is given';
  if (given(body.voice) && !VOICES.includes(body.voice as string)) {
    return `voice must be one of ${VOICES.join(', ')}`;
  }
  for (const [key, [min, max]] of Object.entries(INT_RANGES)) {
    const value = body[key];
    if (given(value) && !(Number.isInteger(value) && (value as number) >= min && (value as number) <= max)) {
      return `${key} must be an integer from ${min} to ${max}`;
    }
  }
  if (given(body.parsing_mode) && !PARSING_MODES.includes(body.parsing_mode as string)) {
    return `parsing_mode must be one of ${PARSING_MODES.join(', ')}`;
  }
  return undefined;
}

const isCount = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;

function checkFault(fault: unknown, name: string): Fault | undefined {
  if (!given(fault)) return undefined;
  if (!isRecord(fault) || !FAULT_KINDS.includes(fault.kind as FaultKind)) {
    throw new Error(`faults.${name}.kind must be one of ${FAULT_KINDS.join(', ')}`);
  }
  if (given(fault.times) && !isCount(fault.times, 1)) throw new Error(`faults.${name}.times must be a whole number >= 1`);
  if (given(fault.retryAfter) && !isCount(fault.retryAfter, 0)) {
    throw new Error(`faults.${name}.retryAfter must be a whole number of seconds`);
  }
  if (given(fault.message) && typeof fault.message !== 'string') throw new Error(`faults.${name}.message must be a string`);
  return {
    kind: fault.kind as FaultKind,
    ...(given(fault.times) && { times: fault.times as number }),
    ...(given(fault.retryAfter) && { retryAfter: fault.retryAfter as number }),
    ...(given(fault.message) && { message: fault.message as string }),
  };
}

function checkOneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T | undefined {
  if (!given(value)) return undefined;
  if (!allowed.includes(value as T)) throw new Error(`faults.${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** Applies a patch (from code or from JSON over HTTP) after checking it; throws on a bad one. */
function patched(config: MockConfig, patch: unknown): MockConfig {
  if (!isRecord(patch)) throw new Error('the config patch must be a JSON object');
  const timing = { ...config.timing };
  if (given(patch.timing)) {
    if (!isRecord(patch.timing)) throw new Error('timing must be an object');
    for (const key of ['processingAfterMs', 'doneAfterMs'] as const) {
      const value = patch.timing[key];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new Error(`timing.${key} must be a number of ms >= 0`);
      }
      timing[key] = value;
    }
  }
  const faults: Record<string, unknown> = { ...config.faults };
  if (given(patch.faults)) {
    if (!isRecord(patch.faults)) throw new Error('faults must be an object');
    const next = patch.faults;
    const checks: Record<keyof MockFaults, (v: unknown) => unknown> = {
      generate: (v) => checkFault(v, 'generate'),
      query: (v) => checkFault(v, 'query'),
      outcome: (v) => checkOneOf(v, ['failed', 'failed_silently', 'never'] as const, 'outcome'),
      video: (v) => checkOneOf(v, ['404'] as const, 'video'),
      preview: (v) => checkOneOf(v, ['503', 'html'] as const, 'preview'),
    };
    for (const key of Object.keys(next)) {
      const check = checks[key as keyof MockFaults];
      if (!check) throw new Error(`unknown fault ${key} (known: ${Object.keys(checks).join(', ')})`);
      const value = check(next[key]);
      if (value === undefined) delete faults[key];
      else faults[key] = value;
    }
  }
  let workload = config.workload;
  if ('workload' in patch) workload = given(patch.workload) ? checkWorkload(patch.workload, workload ?? DEFAULT_WORKLOAD) : undefined;
  return { timing, faults: faults as MockFaults, ...(workload && { workload }) };
}

type Range = [start: number, end: number] | 'unsatisfiable' | undefined;

/** One `bytes=` range (RFC 9110 14.1.2); anything else is ignored, which means the whole file. */
export function parseRange(header: string | undefined, size: number): Range {
  const m = header === undefined ? null : /^\s*bytes=(\d*)-(\d*)\s*$/.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    return suffix === 0 || size === 0 ? 'unsatisfiable' : [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? Infinity : Number(m[2]);
  if (last < start) return undefined;
  return start >= size ? 'unsatisfiable' : [start, Math.min(last, size - 1)];
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendMedia(req: IncomingMessage, res: ServerResponse, data: Buffer, type: string): void {
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { ...MEDIA_HEADERS, 'Access-Control-Allow-Methods': 'GET, HEAD', 'Access-Control-Allow-Headers': 'Range' });
    res.end();
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'method not allowed' }, { Allow: 'GET, HEAD, OPTIONS' });
    return;
  }
  const range = parseRange(req.headers.range, data.length);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...MEDIA_HEADERS, 'Content-Range': `bytes */${data.length}`, 'Content-Length': 0 });
    res.end();
    return;
  }
  const [start, end] = range ?? [0, data.length - 1];
  res.writeHead(range ? 206 : 200, {
    ...MEDIA_HEADERS,
    'Content-Type': type,
    'Content-Length': end - start + 1,
    ...(range && { 'Content-Range': `bytes ${start}-${end}/${data.length}` }),
  });
  res.end(req.method === 'HEAD' ? undefined : data.subarray(start, end + 1));
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const parseJson = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
};

async function loadSamples(): Promise<Map<string, Buffer>> {
  const entries = await Promise.all(
    Object.keys(SAMPLE_TYPES).map(async (name) => [name, await readFile(new URL(name, SAMPLES_DIR))] as const),
  );
  return new Map(entries);
}

const TERMINAL: readonly MockTaskStatus[] = ['done', 'failed'];

export async function startMockNavTalk(opts: MockOptions = {}): Promise<MockNavTalk> {
  const now = opts.now ?? Date.now;
  const license = opts.license ?? MOCK_LICENSE;
  const startTiming: MockTiming = { ...DEFAULT_TIMING, ...opts.timing };
  const startConfig = patched({ timing: DEFAULT_TIMING, faults: {} }, { timing: startTiming, ...(opts.workload && { workload: opts.workload }) });
  let config: MockConfig = startConfig;
  // A new planner for each workload set: its per-script counts start again with it.
  let plan: ((body: Record<string, unknown>) => TaskPlan) | undefined;
  let planFor: MockWorkload | undefined;
  const listeners = new Set<(task: MockTask) => void>();
  // When the config last changed: a task that finishes because of a change finishes then, not earlier.
  let configChangedAt = -Infinity;
  const calls: MockCall[] = [];
  const tasks = new Map<string, MockTask>();
  /** Ids of the tasks a reset cleared: polls for them are answered 404 and not counted. */
  const cleared = new Set<string>();
  const samples = await loadSamples();

  /** Moves a task forward to the status its age and the current config give; never backwards. */
  function advance(task: MockTask): MockTask {
    if (TERMINAL.includes(task.status)) return task;
    const endsAfterMs = task.ends_after_ms ?? config.timing.doneAfterMs;
    const age = now() - task.created_at;
    const outcome = config.faults.outcome ?? task.planned_outcome;
    if (age >= endsAfterMs && outcome !== 'never') {
      task.status = outcome === 'failed' || outcome === 'failed_silently' ? 'failed' : 'done';
      task.done_at = Math.max(task.created_at + endsAfterMs, configChangedAt);
      if (outcome === 'failed') task.error = FAILED_TASK_ERROR;
    } else if (age >= Math.min(config.timing.processingAfterMs, endsAfterMs)) {
      task.status = 'processing';
    }
    return task;
  }

  function configure(patch: unknown): void {
    const next = patched(config, patch);
    // Settle every task under the old config first, so a change never moves one backwards in time.
    for (const task of tasks.values()) advance(task);
    config = next;
    configChangedAt = now();
  }

  function complete(taskId: string, status: 'done' | 'failed' = 'done'): MockTask {
    const task = tasks.get(taskId);
    if (!task) throw new HttpError(404, `task not found: ${taskId}`);
    if (status !== 'done' && status !== 'failed') throw new HttpError(400, 'status must be done or failed');
    advance(task);
    if (TERMINAL.includes(task.status)) {
      if (task.status === status) return task;
      throw new HttpError(409, `task ${taskId} has already ended ${task.status}`);
    }
    task.status = status;
    task.done_at = now();
    if (status === 'failed') task.error = FAILED_TASK_ERROR;
    return task;
  }

  function setTaskDuration(taskId: string, ms: unknown): MockTask {
    const task = tasks.get(taskId);
    if (!task) throw new HttpError(404, `task not found: ${taskId}`);
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new HttpError(400, 'ms must be a number of ms >= 0');
    if (TERMINAL.includes(advance(task).status)) throw new HttpError(409, `task ${taskId} has already ended ${task.status}`);
    // Never into the past: a poll may already have seen it running.
    task.ends_after_ms = Math.max(ms, now() - task.created_at);
    return task;
  }

  function reset(): void {
    calls.length = 0;
    for (const id of tasks.keys()) cleared.add(id);
    tasks.clear();
    config = structuredClone(startConfig);
    configChangedAt = -Infinity;
  }

  const snapshot = () => [...tasks.values()].map((t) => ({ ...advance(t) }));

  /** The fault for this call, counting down `times`. */
  function takeFault(which: 'generate' | 'query'): Fault | undefined {
    const fault = config.faults[which];
    if (fault?.times === undefined) return fault;
    const { [which]: _used, ...rest } = config.faults;
    config = { ...config, faults: fault.times > 1 ? { ...rest, [which]: { ...fault, times: fault.times - 1 } } : rest };
    return fault;
  }

  function injectFault(fault: Fault, req: IncomingMessage, res: ServerResponse): void {
    switch (fault.kind) {
      case '500':
        return sendJson(res, 500, { error: 'internal server error' });
      case '503':
        return sendJson(res, 503, { error: 'service temporarily unavailable' });
      case '429':
        return sendJson(res, 429, { error: 'too many requests' }, { 'Retry-After': String(fault.retryAfter ?? 1) });
      case '401':
        return sendJson(res, 401, { error: 'invalid license' });
      case '400':
        return sendJson(res, 400, { error: (fault.message ?? 'invalid request').split('{license}').join(license) });
      case 'timeout':
        return; // Never answer: the socket stays open until the client gives up or close() destroys it.
      case 'malformed':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"status": "started", "task_id": <!-- upstream proxy error -->');
        return;
      case 'reset':
        req.socket.resetAndDestroy();
    }
  }

  function record(req: IncomingMessage, url: URL, body: unknown): void {
    calls.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), body, at: now() });
  }

  async function generate(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const text = await readBody(req);
    const parsed = parseJson(text);
    record(req, url, parsed.ok ? parsed.value : text);
    const fault = takeFault('generate');
    if (fault) return injectFault(fault, req, res);
    if (!parsed.ok || !isRecord(parsed.value)) return sendJson(res, 400, { error: 'request body must be a JSON object' });
    const body = parsed.value;
    if (body.license !== license) return sendJson(res, 401, { error: 'invalid license' });
    const problem = checkGenerateBody(body);
    if (problem) return sendJson(res, 400, { error: problem });
    const task: MockTask = { task_id: randomUUID(), status: 'started', created_at: now(), request: body };
    if (config.workload) {
      if (planFor !== config.workload) [plan, planFor] = [planner(config.workload), config.workload];
      const drawn = plan!(body);
      Object.assign(task, { speech_ms: drawn.speechMs, ends_after_ms: drawn.endsAfterMs, planned_outcome: drawn.outcome, straggler: drawn.straggler });
    }
    tasks.set(task.task_id, task);
    // Before answering, so a listener's setTaskDuration() is in place before anyone can poll.
    for (const listener of listeners) listener({ ...task });
    sendJson(res, 200, { status: 'started', task_id: task.task_id });
  }

  function queryStatus(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const id = url.searchParams.get('task_id');
    if (id !== null && cleared.has(id)) return sendJson(res, 404, { error: 'task not found' });
    record(req, url, null);
    const fault = takeFault('query');
    if (fault) return injectFault(fault, req, res);
    if (url.searchParams.get('license') !== license) return sendJson(res, 401, { error: 'invalid license' });
    if (!id) return sendJson(res, 400, { error: 'task_id is required' });
    const task = tasks.get(id);
    if (!task) return sendJson(res, 404, { error: 'task not found' });
    const { status, error } = advance(task);
    if (status === 'done') return sendJson(res, 200, { status, video_url: `${mock.publicUrl}/videos/${id}.mp4` });
    sendJson(res, 200, status === 'failed' ? { status, error } : { status });
  }

  function video(req: IncomingMessage, res: ServerResponse, name: string): void {
    const task = tasks.get(name.replace(/\.mp4$/, ''));
    if (!name.endsWith('.mp4') || !task || advance(task).status !== 'done' || config.faults.video === '404') {
      return sendJson(res, 404, { error: 'video not found' }, MEDIA_HEADERS);
    }
    sendMedia(req, res, samples.get(TASK_VIDEO)!, SAMPLE_TYPES[TASK_VIDEO]!);
  }

  /** A character's preview still, as NavTalk's file host serves it; recorded, since proxies fetch it. */
  function preview(req: IncomingMessage, res: ServerResponse, url: URL, file: string): void {
    record(req, url, null);
    if (config.faults.preview === '503') return sendJson(res, 503, { error: 'service temporarily unavailable' });
    if (config.faults.preview === 'html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Maintenance</title><p>Back soon.</p>');
      return;
    }
    if (!file.endsWith('.png') || !MOCK_CHARACTERS.includes(file.slice(0, -'.png'.length))) {
      return sendJson(res, 404, { error: 'file not found' }, MEDIA_HEADERS);
    }
    sendMedia(req, res, samples.get(PREVIEW_IMAGE)!, SAMPLE_TYPES[PREVIEW_IMAGE]!);
  }

  function sample(req: IncomingMessage, res: ServerResponse, name: string): void {
    const data = samples.get(name);
    if (!data) return sendJson(res, 404, { error: 'sample not found' }, MEDIA_HEADERS);
    sendMedia(req, res, data, SAMPLE_TYPES[name]!);
  }

  async function control(req: IncomingMessage, res: ServerResponse, route: string): Promise<void> {
    const reply = (status: number, body: unknown) => sendJson(res, status, body, CONTROL_CORS);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CONTROL_CORS);
      res.end();
      return;
    }
    const readJson = async (): Promise<unknown> => {
      const text = await readBody(req);
      if (text.trim() === '') return {};
      const parsed = parseJson(text);
      if (!parsed.ok) throw new HttpError(400, 'body must be JSON');
      return parsed.value;
    };
    const key = `${req.method} ${route.replace(/^tasks\/[^/]+\/(complete|duration)$/, 'tasks/:id/$1')}`;
    const taskId = () => decodeURIComponent(route.split('/')[1]!);
    switch (key) {
      case 'GET calls':
        return reply(200, calls);
      case 'GET tasks':
        return reply(200, snapshot());
      case 'GET config':
        return reply(200, config);
      case 'POST config':
        try {
          configure(await readJson());
        } catch (err) {
          if (err instanceof HttpError) throw err;
          throw new HttpError(400, (err as Error).message);
        }
        return reply(200, config);
      case 'POST reset':
        reset();
        return reply(200, config);
      case 'POST tasks/:id/complete': {
        const body = await readJson();
        if (!isRecord(body)) throw new HttpError(400, 'body must be a JSON object like {"status":"failed"}');
        return reply(200, { ...complete(taskId(), (body.status ?? 'done') as 'done' | 'failed') });
      }
      case 'POST tasks/:id/duration': {
        const body = await readJson();
        if (!isRecord(body)) throw new HttpError(400, 'body must be a JSON object like {"ms":12000}');
        return reply(200, { ...setTaskDuration(taskId(), body.ms) });
      }
      default:
        return reply(404, { error: `no control route ${req.method} /__mock/${route}` });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://mock');
    const path = url.pathname;
    const only = (method: string) => {
      if (req.method === method) return true;
      sendJson(res, 405, { error: 'method not allowed' }, { Allow: method });
      return false;
    };
    if (path === '/generate') return only('POST') ? generate(req, res, url) : undefined;
    if (path === '/query_status') return only('GET') ? queryStatus(req, res, url) : undefined;
    if (path.startsWith('/videos/')) return video(req, res, decodeURIComponent(path.slice('/videos/'.length)));
    if (path.startsWith('/uploadFiles/')) return preview(req, res, url, decodeURIComponent(path.slice('/uploadFiles/'.length)));
    if (path.startsWith('/samples/')) return sample(req, res, decodeURIComponent(path.slice('/samples/'.length)));
    if (path.startsWith('/__mock/')) return control(req, res, path.slice('/__mock/'.length));
    sendJson(res, 404, { error: 'not found' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      const status = err instanceof HttpError ? err.status : err instanceof URIError ? 400 : 500;
      sendJson(res, status, { error: (err as Error).message }, req.url?.startsWith('/__mock/') ? CONTROL_CORS : {});
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;

  const mock: MockNavTalk = {
    url,
    license,
    publicUrl: (opts.publicUrl ?? url).replace(/\/+$/, ''),
    calls,
    tasks: snapshot,
    config: () => structuredClone(config),
    configure,
    reset,
    complete(taskId: string, status?: 'done' | 'failed') {
      complete(taskId, status);
    },
    setTaskDuration(taskId: string, ms: number) {
      setTaskDuration(taskId, ms);
    },
    onTask(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Held ('timeout') and keep-alive sockets would otherwise keep close() waiting.
        server.closeAllConnections();
      });
      return closing;
    },
  };
  return mock;
}
